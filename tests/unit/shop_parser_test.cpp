// The shop page parser, reply framing and category crawl against shared/conformance/
// shop_parser.json (computed from the reference) and the fixture sample_category.xml. Where the
// spec decides differently from the reference, the case's `target` (or a deviation named here)
// is what is asserted.
#include "shop/crawler.hpp"
#include "core/time_format.hpp"
#include "shop/page_parser.hpp"
#include "shop/shop_protocol.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/conformance.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

using namespace tzr::shop;
namespace json = boost::json;

namespace {

std::vector<const json::object*> cases_of(std::string_view kind) {
  std::vector<const json::object*> out;
  for (const auto& c : tzr::test::conformance("shop_parser.json").at("cases").as_array())
    if (c.at("kind").as_string() == kind) out.push_back(&c.as_object());
  return out;
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

// Numbers compare by value (the file has 4.0 where we hold an integer and vice versa).
bool same(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return std::fabs(a.to_number<double>() - b.to_number<double>()) < 1e-9;
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.as_array(), &y = b.as_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.as_object(), &y = b.as_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      auto it = y.find(k);
      if (it == y.end() || !same(v, it->value())) return false;
    }
    return true;
  }
  return a == b;
}

template <class T>
json::value opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  return json::value(*v);
}

json::array ranges(const std::vector<DamageRange>& rs, const char* type_key) {
  json::array a;
  for (const auto& r : rs) a.push_back({{type_key, std::string(1, r.type)}, {"min_value", r.min}, {"max_value", r.max}});
  return a;
}

json::value requirements_view(const std::optional<Requirements>& req) {
  if (!req) return nullptr;
  return json::object{{"level", opt(req->level)}, {"strength", opt(req->strength)}, {"dexterity", opt(req->dexterity)},
                      {"accuracy", opt(req->accuracy)}, {"intuition", opt(req->intuition)},
                      {"intelligence", opt(req->intelligence)}, {"endurance", opt(req->endurance)},
                      {"gender", req->gender ? json::value(std::string(1, *req->gender)) : nullptr}};
}

// The reference's ShopItem fields, from our item.
json::object reference_view(const ShopItem& it) {
  json::object o;
  o["id"] = it.id;
  o["txt"] = it.txt;
  o["price"] = opt(it.price);
  o["current_quality"] = opt(it.quality);
  o["max_quality"] = opt(it.max_quality);
  o["weight"] = opt(it.weight);
  o["damage"] = ranges(it.damage, "damage_type");
  o["protection"] = ranges(it.protection, "protection_type");
  o["caliber"] = opt(it.caliber);
  o["range"] = opt(it.range);
  o["grouping"] = opt(it.grouping);
  o["piercing"] = opt(it.piercing);
  o["max_count"] = opt(it.reference_max_count());
  o["reload_od"] = opt(it.reload_od);
  json::array modes;
  for (const auto& m : it.attack_modes) modes.push_back({{"mode_type", m.mode}, {"od_cost", m.od}});
  o["attack_modes"] = modes;
  o["skill"] = opt(it.skill);
  o["slots"] = opt(it.slots);
  o["equip_od"] = opt(it.equip_od);
  o["requirements"] = requirements_view(it.requirements);
  if (it.bonuses) {
    json::object b;
    for (const auto& [k, v] : *it.bonuses) b[k] = v;
    o["bonuses"] = b;
  } else {
    o["bonuses"] = nullptr;
  }
  if (it.build_in) {
    json::array b;
    for (const auto& s : *it.build_in) b.push_back(json::value(s));
    o["build_in"] = b;
  } else {
    o["build_in"] = nullptr;
  }
  o["infinty"] = it.infinty;
  o["owner"] = opt(it.reference_owner());
  o["section"] = opt(it.section);
  if (it.put_day) {
    auto iso = tzr::iso_utc(*it.put_day);
    iso.pop_back();  // the reference's naive UTC text has no "Z"
    o["added_at"] = iso;
  } else {
    o["added_at"] = nullptr;
  }
  json::object raw;
  for (const auto& [k, v] : it.raw_attributes) raw[k] = v;
  o["raw_attributes"] = raw;
  return o;
}

void expect_page(const ShopPage& page, const json::object& expected, const std::string& name) {
  EXPECT_EQ(page.category, str(expected.at("category"))) << name;
  EXPECT_EQ(page.page, expected.at("page").to_number<std::int64_t>()) << name;
  EXPECT_EQ(page.has_groups, expected.at("has_groups").as_bool()) << name;
  const auto& items = expected.at("items").as_array();
  ASSERT_EQ(page.items.size(), items.size()) << name;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto mine = reference_view(page.items[i]);
    for (const auto& [key, value] : items[i].as_object()) {
      auto it = mine.find(key);
      ASSERT_NE(it, mine.end()) << name << ": field " << key;
      EXPECT_TRUE(same(it->value(), value)) << name << " item " << i << " field " << key << ": ours "
                                            << json::serialize(it->value()) << ", expected " << json::serialize(value);
    }
  }
  if (auto g = expected.find("groups"); g != expected.end()) {
    const auto& groups = g->value().as_array();
    ASSERT_EQ(page.groups.size(), groups.size()) << name;
    for (std::size_t i = 0; i < groups.size(); ++i) {
      EXPECT_EQ(page.groups[i].name, str(groups[i].at("name"))) << name;
      EXPECT_EQ(page.groups[i].type, str(groups[i].at("type"))) << name;
      EXPECT_EQ(page.groups[i].count, groups[i].at("count").to_number<std::int64_t>()) << name;
    }
  }
}

}  // namespace

TEST(ShopParserConformance, EveryPageCase) {
  int checked = 0;
  for (const auto* c : cases_of("page")) {
    const auto name = str(c->at("name"));
    auto page = parse_page(str(c->at("xml")));
    const auto& result = c->at("result");
    if (name == "id_beyond_int64") {
      // Deviation: ids are BIGINT (the reference would fail at its INSERT); the row is dropped.
      ASSERT_TRUE(page) << name;
      EXPECT_TRUE(page->items.empty());
      ++checked;
      continue;
    }
    if (name == "group_with_bad_count") {
      // Deviation: the unreadable group row is skipped, the readable one is kept.
      ASSERT_TRUE(page) << name;
      EXPECT_TRUE(page->has_groups);
      ASSERT_EQ(page->groups.size(), 1u);
      EXPECT_EQ(page->groups[0].name, "g2");
      ASSERT_EQ(page->items.size(), 1u);
      ++checked;
      continue;
    }
    if (result.is_null()) {
      EXPECT_FALSE(page) << name << " should not parse";
    } else {
      ASSERT_TRUE(page) << name << ": " << page.error().message;
      expect_page(*page, result.as_object(), name);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 46);
}

TEST(ShopParserConformance, SubGrammars) {
  for (const auto* c : cases_of("subparser")) {
    const auto fn = str(c->at("function"));
    const auto input = str(c->at("input"));
    json::value ours;
    if (fn == "parse_damage") ours = ranges(parse_ranges(input), "damage_type");
    else if (fn == "parse_protection") ours = ranges(parse_ranges(input), "protection_type");
    else if (fn == "parse_attack_modes") {
      json::array a;
      for (const auto& m : parse_attack_modes(input)) a.push_back({{"mode_type", m.mode}, {"od_cost", m.od}});
      ours = a;
    } else if (fn == "parse_requirements") ours = requirements_view(parse_requirements(input));
    else if (fn == "parse_bonuses") {
      json::object b;
      const auto bonuses = parse_bonuses(input);
      ASSERT_TRUE(bonuses);
      for (const auto& [k, v] : *bonuses) b[k] = v;
      ours = b;
    } else FAIL() << fn;
    EXPECT_TRUE(same(ours, c->at("output"))) << str(c->at("name")) << ": " << json::serialize(ours);
  }
}

TEST(ShopParserConformance, ReplyExtractionThroughTheFrameReader) {
  for (const auto* c : cases_of("reply_extraction")) {
    const auto name = str(c->at("name"));
    FrameReader reader;
    std::optional<std::string> reply;
    for (const auto& chunk_hex : c->at("chunks_hex").as_array()) {
      std::string hex = str(chunk_hex), bytes;
      for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
      ASSERT_TRUE(reader.append(bytes));
      while (!reply) {
        auto msg = reader.next();
        if (!msg) break;
        if (classify(*msg) != MessageKind::other) reply = msg;  // MYPARAM and the like are skipped
      }
    }
    ASSERT_TRUE(reply) << name;
    if (name == "error_frame") {
      EXPECT_EQ(classify(*reply), MessageKind::error);
      EXPECT_EQ(error_text(*reply), "not in shop");
      continue;
    }
    auto page = parse_page(*reply);
    ASSERT_TRUE(page) << name;
    if (auto t = c->find("target"); t != c->end()) {
      const auto& r = t->value().at("result").as_object();
      EXPECT_EQ(page->category, str(r.at("category")));
      EXPECT_EQ(page->page, r.at("page").to_number<std::int64_t>());
      EXPECT_EQ(page->items.size(), r.at("item_count").to_number<std::size_t>());
    } else {
      expect_page(*page, c->at("result").as_object(), name);
    }
  }
}

TEST(ShopParser, FixtureSampleCategory) {
  std::ifstream in(std::string(TZR_SHARED_DIR) + "/fixtures/shop/sample_category.xml");
  std::stringstream ss;
  ss << in.rdbuf();
  auto page = parse_page(ss.str());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->category, "a");
  EXPECT_EQ(page->m, 4);
  ASSERT_EQ(page->items.size(), 3u);
  ASSERT_EQ(page->groups.size(), 1u);
  EXPECT_EQ(page->groups[0].filter(), "name:b1-a3,type:2.0");
  EXPECT_EQ(page->groups[0].count, 13);
  EXPECT_EQ(shop_frame("a", page->groups[0].filter(), 0), std::string("<SH c=\"a\" s=\"name:b1-a3,type:2.0\" p=\"0\" />") + '\0');
  const auto& parabellum = page->items[0];
  EXPECT_EQ(parabellum.id, 79480112);
  EXPECT_EQ(parabellum.count, 250);   // stack quantity, kept apart from magazine capacity
  EXPECT_FALSE(parabellum.max_count);
  EXPECT_DOUBLE_EQ(*parabellum.weight, 0.2);  // fractional weight survives (the reference's INT column lost it)
  EXPECT_TRUE(parabellum.infinty);
  EXPECT_FALSE(parabellum.owner);  // NPC stock has no seller (the reference invented "admin")
  EXPECT_EQ(tzr::iso_utc(*parabellum.put_day), "2025-06-10T18:17:18Z");
  EXPECT_EQ(page->items[2].owner, "PlayerX");
  EXPECT_EQ(page->items[2].caliber, "5.45");
  EXPECT_EQ(page->items[2].name + "/" + page->items[2].type, "b1-a2/2.2");
}

TEST(ShopProtocolConformance, ExactFrames) {
  for (const auto& c : tzr::test::conformance("game_protocol.json").at("cases").as_array()) {
    const auto& o = c.as_object();
    if (o.at("kind").as_string() != "frame") continue;
    const auto command = str(o.at("command"));
    const auto& in = o.at("inputs").as_object();
    const auto& frames = o.contains("target") && o.at("target").as_object().contains("frames")
                             ? o.at("target").at("frames").as_array()
                             : o.at("frames").as_array();
    if (command == "SH") {
      EXPECT_EQ(shop_frame(str(in.at("category")), str(in.at("filter")), in.at("page").to_number<std::int64_t>()),
                str(frames[0]))
          << str(o.at("name"));
    } else if (command == "LOGIN,GETME") {
      EXPECT_EQ(login_frame(str(in.at("login")), str(in.at("key"))), str(frames[0]));
      EXPECT_EQ(getme_frame(), str(frames[1]));
    } else if (command == "N") {
      EXPECT_EQ(keepalive_frame(), str(frames[0]));
    }
  }
}

TEST(ShopProtocol, FrameReaderBoundsAMessageWithoutNul) {
  FrameReader reader(16);
  EXPECT_TRUE(reader.append("<A/>"));
  EXPECT_TRUE(reader.append(std::string("\0", 1)));
  EXPECT_EQ(reader.next(), "<A/>");
  auto st = reader.append(std::string(40, 'x'));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "shop_frame_too_large");
}

// ---- category crawl over scripted replies -----------------------------------------------------

namespace {

struct ScriptedSource : PageSource {
  std::vector<std::optional<std::string>> replies;
  std::vector<PageRequest> requests;
  boost::asio::awaitable<tzr::Result<ShopPage>> fetch(PageRequest r) override {
    requests.push_back(r);
    const auto i = requests.size() - 1;
    if (i >= replies.size() || !replies[i]) co_return tzr::Error::make(tzr::ErrorKind::bad_gateway, "game_timeout", "no reply");
    auto page = parse_page(*replies[i]);
    if (!page) co_return page.error();
    co_return *page;
  }
};

CategoryCrawl run_crawl(PageSource& source, std::string category, CrawlOptions options = {.retry_delay = std::chrono::milliseconds(1)}) {
  boost::asio::io_context ioc;
  auto fut = boost::asio::co_spawn(ioc, crawl_category(source, std::move(category), options), boost::asio::use_future);
  ioc.run();
  return fut.get();
}

}  // namespace

TEST(ShopCrawlConformance, EveryCategoryCrawlCase) {
  for (const auto* c : cases_of("category_crawl")) {
    const auto name = str(c->at("name"));
    ScriptedSource source;
    for (const auto& r : c->at("replies").as_array()) source.replies.push_back(r.is_null() ? std::nullopt : std::optional(str(r)));
    auto crawl = run_crawl(source, str(c->at("category")));
    EXPECT_EQ(crawl.status, CategoryStatus::ok) << name;
    const auto& ref = c->at("reference").as_object();
    if (auto t = c->find("target"); t != c->end()) {
      // Groups opened once: distinct ids only, the expansion not repeated.
      const auto& target = t->value().as_object();
      EXPECT_EQ(crawl.items.size(), target.at("items_count").to_number<std::size_t>()) << name;
      EXPECT_EQ(crawl.groups, target.at("groups_expanded").to_number<int>()) << name;
      if (auto r = target.find("requests"); r != target.end()) {
        EXPECT_EQ(source.requests.size(), r->value().to_number<std::size_t>()) << name;
      }
      continue;
    }
    EXPECT_EQ(crawl.items.size(), ref.at("items_count").to_number<std::size_t>()) << name;
    const auto& requests = ref.at("requests").as_array();
    ASSERT_EQ(source.requests.size(), requests.size()) << name;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      EXPECT_EQ(source.requests[i].page, requests[i].at("page").to_number<std::int64_t>()) << name;
      EXPECT_EQ(source.requests[i].filter, str(requests[i].at("filter"))) << name;
    }
    std::vector<std::int64_t> ids;
    for (const auto& it : crawl.items) ids.push_back(it.id);
    std::vector<std::int64_t> expected;
    for (const auto& v : ref.at("saved_item_ids").as_array()) expected.push_back(v.to_number<std::int64_t>());
    EXPECT_EQ(ids, expected) << name;
  }
}

TEST(ShopCrawl, FailureAfterSomePagesIsPartialAndFirstPageFailureIsFailed) {
  ScriptedSource partial;
  partial.replies = {R"(<SH c="k" s="" p="0"><O id="1"/></SH>)"};  // page 1 never answers
  auto crawl = run_crawl(partial, "k");
  EXPECT_EQ(crawl.status, CategoryStatus::partial);
  EXPECT_EQ(crawl.items.size(), 1u);
  EXPECT_EQ(crawl.requests, 1 + 5);  // page 0, then five tries of page 1
  EXPECT_NE(crawl.error.find("page 1"), std::string::npos);

  ScriptedSource failed;
  auto nothing = run_crawl(failed, "k");
  EXPECT_EQ(nothing.status, CategoryStatus::failed);
  EXPECT_TRUE(nothing.items.empty());
}

TEST(ShopCrawl, EmptyCategoryAndSelfClosingReplyEndTheListing) {
  ScriptedSource empty;
  empty.replies = {R"(<SH c="k" s="" p="0" />)"};
  auto crawl = run_crawl(empty, "k");
  EXPECT_EQ(crawl.status, CategoryStatus::ok);
  EXPECT_EQ(empty.requests.size(), 1u);
}

TEST(ShopCrawl, RunawayListingIsBounded) {
  ScriptedSource endless;
  for (int p = 0; p < 10; ++p)
    endless.replies.push_back("<SH c=\"k\" s=\"\" p=\"" + std::to_string(p) + "\"><O id=\"" + std::to_string(100 + p) + "\"/></SH>");
  CrawlOptions options;
  options.max_pages = 3;
  options.retry_delay = std::chrono::milliseconds(1);
  auto crawl = run_crawl(endless, "k", options);
  EXPECT_EQ(crawl.status, CategoryStatus::partial);
  EXPECT_EQ(crawl.error_code, "shop_too_many_pages");
}
