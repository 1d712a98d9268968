// The shop API black-box: the built tzrhost (serve) crawling `tzrhost game-sim` over TCP, with
// its admin routes behind the bearer token, snapshots taken at start and on demand (202 + job),
// diffs that match what the simulator changed, and filters that return what they claim.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/game_sim_process.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <algorithm>
#include <set>
#include <thread>

using namespace tzr::test;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "shop-admin-token-for-tests-0123456789";

struct ShopApi {
  TempDir dir;
  GameSimProcess sim;
  std::unique_ptr<TzrHost> host;
  int port = 0;

  ShopApi() {
    host = std::make_unique<TzrHost>(
        std::vector<std::string>{"serve"},
        std::map<std::string, std::string>{{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"},
                                           {"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                           {"TZR_ADMIN__TOKEN", kToken},
                                           {"TZR_SHOP__BOT_KEYS", "moscow:key-moscow,oasis:key-oasis"},
                                           {"TZR_SHOP__REQUEST_DELAY_MS", "0"},
                                           {"TZR_SHOP__RETRY_DELAY_MS", "10"},
                                           {"TZR_SHOP__SHOPS", "moscow:Moscow:Sova Moscow,oasis:Oasis:Sova Oasis,neva:Neva:Sova Neva,grozny:Grozny"},
                                           {"TZR_SHOP__DISABLED", "grozny"},
                                           {"TZR_LOG__ACCESS", "false"}},
        std::vector<std::string>{"shop"});
    port = host->port("shop");
  }

  TestResponse get(const std::string& target) { return http(port, "GET", target); }
  TestResponse admin(const std::string& method, const std::string& target) {
    return http(port, method, target, {}, {{"Authorization", "Bearer " + kToken}});
  }
  json::value sim_get(const std::string& target) { return http(sim.control_port(), "GET", target).json(); }

  // Waits until the shop has a snapshot (the one taken at start).
  json::object latest(const std::string& shop) {
    for (int i = 0; i < 300; ++i) {
      auto r = get("/snapshots/latest?shop_code=" + shop);
      if (r.status == 200) return r.json().as_object();
      std::this_thread::sleep_for(20ms);
    }
    throw std::runtime_error("no snapshot for " + shop);
  }

  json::object run_job(const std::string& shop) {
    auto r = admin("POST", "/admin/snapshot/trigger?shop_code=" + shop);
    EXPECT_EQ(r.status, 202) << r.body;
    const std::string id(r.json().at("job_id").as_string());
    for (int i = 0; i < 500; ++i) {
      auto j = admin("GET", "/admin/jobs/" + id);
      EXPECT_EQ(j.status, 200);
      auto o = j.json().as_object();
      if (o.at("state") == "done" || o.at("state") == "failed") return o;
      std::this_thread::sleep_for(20ms);
    }
    throw std::runtime_error("job did not finish");
  }
};

std::int64_t num(const json::value& v) { return v.to_number<std::int64_t>(); }

}  // namespace

TEST(ShopApi, HealthBodiesAndAdminRoutesNeedTheToken) {
  ShopApi api;
  EXPECT_EQ(api.get("/healthz").body, R"({"status":"ok","service":"API 5 - Shop Parser"})");
  EXPECT_EQ(api.get("/shop/health").body, R"({"status":"ok","service":"Shop Parser Module"})");
  EXPECT_EQ(api.get("/db/health").status, 200);
  for (auto [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/admin/snapshot/trigger?shop_code=moscow"}, {"GET", "/admin/jobs/job-1"}, {"GET", "/admin/bots/status"}}) {
    EXPECT_EQ(http(api.port, method, target).status, 401) << target;
    EXPECT_EQ(http(api.port, method, target, {}, {{"Authorization", "Bearer wrong-token"}}).status, 401) << target;
  }
  EXPECT_EQ(api.admin("GET", "/admin/bots/status").status, 200);
  auto activity = api.get("/analytics/market-activity?shop_code=oasis");  // one snapshot at most so far
  EXPECT_EQ(activity.status, 400);
  EXPECT_EQ(activity.json().at("message"), "Need at least 2 snapshots");
  auto unknown = api.admin("POST", "/admin/snapshot/trigger?shop_code=atlantis");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json().at("error"), "unknown_shop");
  auto disabled = api.admin("POST", "/admin/snapshot/trigger?shop_code=grozny");
  EXPECT_EQ(disabled.status, 400);
  EXPECT_EQ(disabled.json().at("message"), "Bot for grozny is disabled");
  auto no_key = api.admin("POST", "/admin/snapshot/trigger?shop_code=neva");
  EXPECT_EQ(no_key.status, 503);
  EXPECT_EQ(no_key.json().at("error"), "no_bot_key");
}

TEST(ShopApi, SnapshotAtStartThenTriggeredDiffMatchesTheSimulator) {
  ShopApi api;
  auto first = api.latest("moscow");
  EXPECT_EQ(first.at("status"), "ok");
  EXPECT_EQ(first.at("categories").as_array().size(), 26u);
  std::set<std::int64_t> before, after;
  const auto inventory_before = api.sim_get("/sim/shops/moscow/items");
  for (const auto& it : inventory_before.as_array()) before.insert(num(it.at("id")));
  EXPECT_EQ(static_cast<std::size_t>(num(first.at("items_count"))), before.size());

  auto changes = http(api.sim.control_port(), "POST", "/sim/shops/advance").json().as_object();
  const auto inventory_after = api.sim_get("/sim/shops/moscow/items");
  for (const auto& it : inventory_after.as_array()) after.insert(num(it.at("id")));
  auto job = api.run_job("moscow");
  ASSERT_EQ(job.at("state"), "done") << json::serialize(job);
  const auto second_id = num(job.at("snapshot").at("id"));

  auto diff = api.get("/snapshots/" + std::to_string(second_id) + "/diff?against=" + std::to_string(num(first.at("id"))));
  ASSERT_EQ(diff.status, 200) << diff.body;
  std::size_t want_removed = 0, want_added = 0, want_price = 0, want_count = 0;
  for (const auto& id : changes.at("removed").as_array()) want_removed += before.count(num(id));
  for (const auto& id : changes.at("added").as_array()) want_added += after.count(num(id));
  for (const auto& c : changes.at("price_changed_cents").as_array()) want_price += after.count(num(c.at("id")));
  for (const auto& c : changes.at("count_changed").as_array()) want_count += after.count(num(c.at("id")));
  const auto diff_doc = diff.json();
  const auto& summary = diff_doc.at("summary").as_object();
  auto count_of = [&](const char* type) -> std::size_t { return summary.contains(type) ? num(summary.at(type)) : 0; };
  EXPECT_EQ(count_of("removed"), want_removed);
  EXPECT_EQ(count_of("added"), want_added);
  EXPECT_EQ(count_of("price_changed"), want_price);
  EXPECT_EQ(count_of("count_changed"), want_count);
  EXPECT_EQ(summary.size(), 4u);  // nothing invented

  // The stored diff behind the analytics routes.
  auto sold = api.get("/analytics/sold-items?shop_code=moscow&limit=1000");
  EXPECT_EQ(static_cast<std::size_t>(num(sold.json().at("total"))), want_removed);
  auto repriced = api.get("/analytics/price-changes?shop_code=moscow&min_change_percent=0");
  EXPECT_EQ(static_cast<std::size_t>(num(repriced.json().at("total"))), want_price);
  const auto repriced_doc = repriced.json();
  for (const auto& c : repriced_doc.at("items").as_array()) {
    const double pct = c.at("price_diff_percent").as_double();
    EXPECT_GE(std::abs(pct), 1.0);
  }
  auto activity = api.get("/analytics/market-activity?shop_code=moscow");
  ASSERT_EQ(activity.status, 200) << activity.body;
  EXPECT_EQ(static_cast<std::size_t>(num(activity.json().at("new_items"))), want_added);
  EXPECT_EQ(static_cast<std::size_t>(num(activity.json().at("sold_items"))), want_removed);
  auto history = api.get("/items/" + std::to_string(*after.begin()) + "/history?shop_code=moscow");
  EXPECT_EQ(history.status, 200);
  EXPECT_EQ(api.get("/snapshots/list?shop_code=moscow").json().at("total"), 2);
}

TEST(ShopApi, FiltersReturnWhatTheyClaim) {
  ShopApi api;
  api.latest("moscow");
  const auto inventory_doc = api.sim_get("/sim/shops/moscow/items");
  const auto& inventory = inventory_doc.as_array();
  // Category a, price 0.10–0.30, cheapest first.
  auto r = api.get("/items/list?shop_code=moscow&category=a&min_price=0.10&max_price=0.30&sort=price&limit=1000");
  ASSERT_EQ(r.status, 200) << r.body;
  std::size_t want = 0;
  for (const auto& it : inventory)
    if (it.at("category") == "a" && num(it.at("price_cents")) >= 10 && num(it.at("price_cents")) <= 30) ++want;
  ASSERT_GT(want, 0u);
  EXPECT_EQ(static_cast<std::size_t>(num(r.json().at("total"))), want);
  double last = 0;
  const auto doc = r.json();
  for (const auto& it : doc.at("items").as_array()) {
    EXPECT_EQ(it.at("category"), "a");
    EXPECT_EQ(it.at("shop"), "moscow");
    const double price = it.at("price").as_double();
    EXPECT_GE(price, 0.10 - 1e-9);
    EXPECT_LE(price, 0.30 + 1e-9);
    EXPECT_GE(price, last);
    last = price;
  }
  // Search is a case-insensitive substring of the name.
  auto knives = api.get("/items/list?shop_code=moscow&search=KNIFE&limit=1000");
  std::size_t want_knives = 0;
  for (const auto& it : inventory) want_knives += it.at("category") == "k";  // every k item is a "Knife model N"
  EXPECT_EQ(static_cast<std::size_t>(num(knives.json().at("total"))), want_knives);
  // Seller.
  auto seller = api.get("/sellers/search?owner=PlayerX&shop_code=moscow&limit=1000");
  std::size_t want_seller = 0;
  for (const auto& it : inventory) want_seller += it.at("owner") == "PlayerX";
  EXPECT_EQ(static_cast<std::size_t>(num(seller.json().at("total"))), want_seller);
  const auto seller_doc = seller.json();
  for (const auto& it : seller_doc.at("items").as_array()) EXPECT_EQ(it.at("owner"), "PlayerX");
  // Paging envelope and bounds.
  auto paged = api.get("/items/list?shop_code=moscow&limit=5000&page=2");
  EXPECT_EQ(paged.json().at("limit"), 1000);
  EXPECT_EQ(paged.json().at("page"), 2);
  EXPECT_EQ(paged.json().at("offset"), 1000);
  auto small = api.get("/items/list?shop_code=moscow&limit=7&offset=3");
  EXPECT_EQ(small.json().at("items").as_array().size(), 7u);
  EXPECT_EQ(api.get("/items/list?page=0").status, 422);
  EXPECT_EQ(api.get("/items/list?min_price=cheap").status, 422);
  EXPECT_EQ(api.get("/items/list?sort=owner;DROP").status, 422);
  auto unknown = api.get("/items/list?shop_code=atlantis");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json().at("message"), "Shop atlantis not found");
  EXPECT_EQ(api.get("/items/abc").status, 422);
  EXPECT_EQ(api.get("/items/1").json().at("message"), "Item 1 not found");
  EXPECT_EQ(api.get("/sellers/search").status, 422);
  auto summary = api.get("/sellers/PlayerX/summary?shop_code=moscow");
  ASSERT_EQ(summary.status, 200) << summary.body;
  EXPECT_EQ(static_cast<std::size_t>(num(summary.json().at("total_items"))), want_seller);
  EXPECT_EQ(api.get("/sellers/Nobody/summary").json().at("message"), "Seller Nobody not found");
  EXPECT_EQ(api.get("/snapshots/latest").status, 422);
  EXPECT_EQ(api.get("/snapshots/latest?shop_code=neva").json().at("message"), "No snapshots for neva");
  auto cats = api.get("/categories/list").json();
  EXPECT_EQ(cats.at("total"), 27);
  const auto& first_cat = cats.at("items").as_array()[0];
  EXPECT_EQ(first_cat.at("code"), "k");
  auto detail = api.get("/items/" + std::to_string(num(inventory[0].at("id"))) + "?shop_code=moscow");
  ASSERT_EQ(detail.status, 200);
  EXPECT_TRUE(detail.json().at("attributes").at("raw_attributes").is_object());
}
