#include "game/sim/shop_world.hpp"

#include "shop/shop_protocol.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <set>

namespace tzr::game::sim {
namespace {

// The game's category codes in crawl order (shop.md §2.1); "1" is the bot's own bag.
constexpr std::string_view kCategories = "kpvwexgmaihcltbfqunjdsyrz01";

std::string fold(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::string price_text(std::int64_t cents) {
  std::string s = std::to_string(cents / 100);
  const auto frac = cents % 100;
  if (frac != 0) {
    s += '.';
    s += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) s += static_cast<char>('0' + frac % 10);
  }
  return s;
}

const char* word_for(char category) {
  switch (category) {
    case 'k': return "Knife";
    case 'p': return "Pistol";
    case 'v': return "Rifle";
    case 'w': return "Machine gun";
    case 'e': return "Blaster";
    case 'a': return "Rounds";
    case 'i': return "Energy cell";
    case 'h': return "Helmet";
    case 'c': return "Vest";
    case 'q': return "Armour box";
    case 'd': return "Medkit";
    case 's': return "Ore";
    default: return "Item";
  }
}

bool stacked(char category) { return category == 'a' || category == 'i' || category == 's'; }
bool has_groups(char category) { return category == 'a' || category == 'q'; }

constexpr std::array<const char*, 5> kSellers{"PlayerX", "Trader77", "Ксения", "MegaSeller", "Sam & Co"};

}  // namespace

SimShops::SimShops(SimShopOptions options) : options_(options), rng_(options.seed) {
  const std::vector<std::pair<std::string, std::string>> defaults{
      {"moscow", "Sova Moscow"}, {"oasis", "Sova Oasis"}, {"neva", "Sova Neva"}};
  int index = 0;
  for (const auto& [code, login] : defaults) {
    Shop shop;
    shop.code = code;
    populate(shop, index++);
    shops_.emplace(code, std::move(shop));
    bots_[fold(login)] = code;
  }
}

SimShopItem SimShops::make_item(Shop& shop, const std::string& category, bool grouped) {
  (void)shop;
  const char c = category[0];
  SimShopItem it;
  it.id = next_id_++;
  it.category = category;
  const int model = grouped ? 9 : static_cast<int>(rng_() % 6) + 1;
  it.name = std::string("b") + std::to_string(model) + "-" + category + std::to_string(model);
  it.type = std::to_string(static_cast<int>(kCategories.find(c))) + "." + std::to_string(model);
  it.txt = std::string(word_for(c)) + " model " + std::to_string(model);
  it.grouped = grouped;
  if (stacked(c) && !grouped) {
    it.count = static_cast<std::int64_t>(rng_() % 240) + 10;
    it.price_cents = static_cast<std::int64_t>(rng_() % 40) + 5;
    it.caliber = c == 'a' ? std::to_string(model + 4) : "";
  } else {
    it.price_cents = (static_cast<std::int64_t>(rng_() % 500) + 1) * 100 + static_cast<std::int64_t>(rng_() % 4) * 25;
    it.max_quality = 50 + static_cast<int>(rng_() % 400);
    it.quality = it.max_quality - static_cast<int>(rng_() % 20);
  }
  if (rng_() % 3 == 0) it.owner = kSellers[rng_() % kSellers.size()];
  it.put_day = 1'750'000'000 + static_cast<std::int64_t>(rng_() % 10'000'000);
  return it;
}

void SimShops::populate(Shop& shop, int index) {
  for (char c : kCategories) {
    const std::string category(1, c);
    if (c == '1' || c == 'r' || c == '0') continue;  // empty categories exist too
    int n = options_.items_per_category / 2 + static_cast<int>(rng_() % std::max(1, options_.items_per_category));
    if (c == 'k') n = options_.page_size + 10 + index;  // more than one page
    for (int i = 0; i < n; ++i) shop.items.push_back(make_item(shop, category, false));
    if (has_groups(c))
      for (int i = 0; i < 13 + index; ++i) shop.items.push_back(make_item(shop, category, true));
  }
}

void SimShops::place_bot(const std::string& login, const std::string& shop) {
  std::lock_guard lock(mu_);
  bots_[fold(login)] = shop;
}

std::vector<std::string> SimShops::bot_logins() const {
  return {"Sova Moscow", "Sova Oasis", "Sova Neva"};
}

std::optional<std::string> SimShops::shop_of(const std::string& login) const {
  std::lock_guard lock(mu_);
  auto it = bots_.find(fold(login));
  if (it == bots_.end()) return std::nullopt;
  return it->second;
}

std::string SimShops::render_listing(const Shop& shop, const std::string& category, const std::string& filter,
                                     std::int64_t page) const {
  std::vector<std::string> rows;
  std::int64_t per_page = options_.page_size;
  auto item_row = [](const SimShopItem& it) {
    std::string o = "<O id=\"" + std::to_string(it.id) + "\" txt=\"" + shop::escape_value(it.txt) + "\" name=\"" + it.name +
                    "\" type=\"" + it.type + "\" cost=\"" + price_text(it.price_cents) + "\"";
    if (it.count) o += " count=\"" + std::to_string(*it.count) + "\"";
    if (it.max_quality > 0)
      o += " quality=\"" + std::to_string(it.quality) + "\" maxquality=\"" + std::to_string(it.max_quality) + "\"";
    if (!it.caliber.empty()) o += " calibre=\"" + it.caliber + "\"";
    o += " massa=\"" + std::string(it.count ? "0.2" : "150") + "\" section=\"0\" put_day=\"" + std::to_string(it.put_day) + "\"";
    if (it.owner) o += " owner=\"" + shop::escape_value(*it.owner) + "\"";
    else o += " infinty=\"1\"";
    return o + " />";
  };
  if (filter.empty()) {
    std::map<std::pair<std::string, std::string>, std::pair<std::string, int>> groups;
    for (const auto& it : shop.items) {
      if (it.category != category) continue;
      if (it.grouped) {
        auto& g = groups[{it.name, it.type}];
        g.first = it.txt;
        ++g.second;
      } else {
        rows.push_back(item_row(it));
      }
    }
    for (const auto& [key, g] : groups)
      rows.push_back("<O txt=\"" + shop::escape_value(g.first) + "\" name=\"" + key.first + "\" type=\"" + key.second +
                     "\" lvl=\"0\" auc=\"0\" count=\"" + std::to_string(g.second) + "\" />");
  } else {
    per_page = options_.group_page_size;
    for (const auto& it : shop.items)
      if (it.category == category && it.grouped && filter == "name:" + it.name + ",type:" + it.type) rows.push_back(item_row(it));
  }
  std::string out = "<SH c=\"" + shop::escape_value(category) + "\" s=\"" + shop::escape_value(filter) + "\" p=\"" + std::to_string(page) + "\"";
  if (rows.empty()) return out + " m=\"0\"></SH>";
  const auto pages = (static_cast<std::int64_t>(rows.size()) + per_page - 1) / per_page;
  const auto shown = std::min(page, pages - 1);  // past the end: the last page again
  const auto first = static_cast<std::size_t>(shown * per_page);
  const auto last = std::min(rows.size(), first + static_cast<std::size_t>(per_page));
  out += " m=\"" + std::to_string(last - first) + "\">";
  for (auto i = first; i < last; ++i) out += rows[i];
  return out + "</SH>";
}

SimShops::Answer SimShops::answer(const std::string& login, const std::string& category, const std::string& filter,
                                  std::int64_t page) {
  std::lock_guard lock(mu_);
  for (auto& f : faults_) {
    if (f.times == 0 || f.category != category || page < f.from_page) continue;
    if (f.times > 0) --f.times;
    if (f.mode == "drop") return {Action::drop, {}};
    if (f.mode == "silent") return {Action::silent, {}};
    return {Action::reply, "<ERROR msg=\"category " + shop::escape_value(category) + " unavailable\"/>"};
  }
  auto bot = bots_.find(fold(login));
  if (bot == bots_.end()) return {Action::reply, R"(<ERROR msg="not in shop"/>)"};
  auto shop = shops_.find(bot->second);
  if (shop == shops_.end()) return {Action::reply, R"(<ERROR msg="not in shop"/>)"};
  if (category.size() != 1 || kCategories.find(category[0]) == std::string_view::npos)
    return {Action::reply, R"(<ERROR msg="unknown category"/>)"};
  return {Action::reply, render_listing(shop->second, category, filter, page)};
}

void SimShops::step(Shop& shop, SimShopChanges& changes) {
  auto& items = shop.items;
  // Sold: about 5 % of the goods (at least one), one of them from a group.
  const std::size_t sold = std::max<std::size_t>(1, items.size() / 20);
  std::set<std::int64_t> gone;
  for (std::size_t i = 0; i < sold && items.size() > gone.size() + 1; ++i) {
    const auto& it = items[rng_() % items.size()];
    if (gone.insert(it.id).second) changes.removed.push_back(it.id);
  }
  for (const auto& it : items)
    if (it.grouped && !gone.count(it.id)) {
      gone.insert(it.id);
      changes.removed.push_back(it.id);
      break;
    }
  std::erase_if(items, [&](const SimShopItem& it) { return gone.count(it.id) > 0; });
  // Repriced: two goods, 10–30 % up or down.
  for (int i = 0; i < 2 && !items.empty(); ++i) {
    auto& it = items[rng_() % items.size()];
    const auto old = it.price_cents;
    const auto pct = 10 + static_cast<std::int64_t>(rng_() % 21);
    const auto next = rng_() % 2 ? old + std::max<std::int64_t>(1, old * pct / 100) : std::max<std::int64_t>(1, old - old * pct / 100);
    if (next == old) continue;
    bool again = false;
    for (auto& c : changes.price_changed)
      if (c.id == it.id) {
        c.new_value = next;
        again = true;
      }
    if (!again) changes.price_changed.push_back({it.id, old, next});
    it.price_cents = next;
  }
  // Stacks partly sold.
  int partial = 0;
  for (auto& it : items) {
    if (partial == 2) break;
    if (!it.count || *it.count < 2 || rng_() % 3 != 0) continue;
    const auto old = *it.count;
    it.count = old - 1 - static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(old - 1));
    changes.count_changed.push_back({it.id, old, *it.count});
    ++partial;
  }
  // New goods.
  for (int i = 0; i < 3; ++i) {
    const std::string category(1, "kpvhcd"[rng_() % 6]);
    auto it = make_item(shop, category, false);
    changes.added.push_back(it.id);
    items.push_back(std::move(it));
  }
  std::stable_sort(items.begin(), items.end(), [](const SimShopItem& a, const SimShopItem& b) {
    if (a.category != b.category) return kCategories.find(a.category[0]) < kCategories.find(b.category[0]);
    return a.id < b.id;
  });
}

SimShopChanges SimShops::advance() {
  std::lock_guard lock(mu_);
  SimShopChanges all;
  all.generation = ++generation_;
  for (auto& [code, shop] : shops_) step(shop, all);
  last_ = all;
  return all;
}

SimShopChanges SimShops::last_changes() const {
  std::lock_guard lock(mu_);
  return last_;
}

int SimShops::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void SimShops::set_fault(SimShopFault fault) {
  std::lock_guard lock(mu_);
  faults_.push_back(std::move(fault));
}

void SimShops::clear_faults() {
  std::lock_guard lock(mu_);
  faults_.clear();
}

std::vector<SimShopItem> SimShops::inventory(const std::string& shop) const {
  std::lock_guard lock(mu_);
  auto it = shops_.find(shop);
  if (it == shops_.end()) return {};
  return it->second.items;
}

std::vector<std::string> SimShops::shops() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [code, s] : shops_) out.push_back(code);
  return out;
}

boost::json::object SimShops::to_json(const SimShopChanges& c) const {
  auto ids = [](const std::vector<std::int64_t>& v) {
    boost::json::array a;
    for (auto id : v) a.push_back(id);
    return a;
  };
  auto changes = [](const std::vector<SimShopChanges::Change>& v) {
    boost::json::array a;
    for (const auto& ch : v) a.push_back({{"id", ch.id}, {"old", ch.old_value}, {"new", ch.new_value}});
    return a;
  };
  return {{"generation", c.generation}, {"added", ids(c.added)}, {"removed", ids(c.removed)},
          {"price_changed_cents", changes(c.price_changed)}, {"count_changed", changes(c.count_changed)}};
}

}  // namespace tzr::game::sim
