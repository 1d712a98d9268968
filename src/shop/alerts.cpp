#include "shop/alerts.hpp"

#include "shop/page_parser.hpp"
#include "shop/shop_store.hpp"

#include <map>

namespace tzr::shop {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}
Error bad(std::string_view rule, const std::string& why) {
  return Error::bad_request("config: shop.watch_rules entry '" + std::string(rule) + "': " + why, "config_error");
}
}  // namespace

Result<WatchRule> parse_watch_rule(std::string_view text) {
  WatchRule r;
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return bad(text, "expected id:condition;…");
  r.id = std::string(text.substr(0, colon));
  auto rest = text.substr(colon + 1);
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    auto part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) return bad(text, "condition '" + std::string(part) + "' has no '='");
    const auto key = part.substr(0, eq);
    const std::string value(part.substr(eq + 1));
    if (key == "event") {
      if (value == "listed") r.event = WatchRule::Event::listed;
      else if (value == "new_seller") r.event = WatchRule::Event::new_seller;
      else if (value == "bulk_sold") r.event = WatchRule::Event::bulk_sold;
      else return bad(text, "event must be listed, new_seller or bulk_sold");
    } else if (key == "shop") r.shop = value;
    else if (key == "search") r.search = lower(value);
    else if (key == "name") r.name = value;
    else if (key == "caliber") r.caliber = value;
    else if (key == "category") r.category = value;
    else if (key == "max_price") {
      auto v = parse_float(value);
      if (!v) return bad(text, "max_price is not a number");
      r.max_price_cents = to_cents(v);
    } else if (key == "min_sold") {
      auto v = parse_int(value);
      if (!v || *v < 1) return bad(text, "min_sold must be a positive integer");
      r.min_sold = *v;
    } else {
      return bad(text, "unknown condition '" + std::string(key) + "'");
    }
  }
  return r;
}

std::vector<Alert> evaluate(const std::vector<WatchRule>& rules, const DiffContext& d) {
  std::vector<Alert> out;
  std::map<std::int64_t, const ShopItem*> by_id;
  if (d.items)
    for (const auto& it : *d.items) by_id[it.item.id] = &it.item;
  for (const auto& rule : rules) {
    if (rule.shop && *rule.shop != d.shop) continue;
    switch (rule.event) {
      case WatchRule::Event::listed:
        for (const auto& c : *d.changes) {
          if (c.type != "added" && c.type != "price_changed") continue;
          if (rule.category && *rule.category != c.category) continue;
          if (rule.search && lower(c.txt).find(*rule.search) == std::string::npos) continue;
          if (rule.max_price_cents && (!c.new_price_cents || *c.new_price_cents > *rule.max_price_cents)) continue;
          const auto it = by_id.find(c.item_id);
          const ShopItem* item = it == by_id.end() ? nullptr : it->second;
          if (rule.name && (!item || item->name != *rule.name)) continue;
          if (rule.caliber && (!item || item->caliber != rule.caliber)) continue;
          auto payload = change_json(c);
          payload["shop"] = d.shop;
          payload["snapshot_id"] = d.snapshot_id;
          if (item && item->owner) payload["owner"] = *item->owner;
          out.push_back({rule.id, std::to_string(c.item_id), std::move(payload)});
        }
        break;
      case WatchRule::Event::new_seller: {
        if (!d.items || !d.previous_owners) break;
        std::map<std::string, std::int64_t> listings;
        for (const auto& it : *d.items)
          if (it.item.owner && !d.previous_owners->count(*it.item.owner)) ++listings[*it.item.owner];
        for (const auto& [owner, n] : listings)
          out.push_back({rule.id, "seller:" + owner,
                         boost::json::object{{"type", "new_seller"}, {"shop", d.shop}, {"owner", owner}, {"listings", n},
                                             {"snapshot_id", d.snapshot_id}}});
        break;
      }
      case WatchRule::Event::bulk_sold: {
        std::int64_t sold = 0;
        for (const auto& c : *d.changes)
          if (c.type == "removed" && (!rule.category || *rule.category == c.category)) ++sold;
        if (sold >= rule.min_sold)
          out.push_back({rule.id, "snapshot:" + std::to_string(d.snapshot_id),
                         boost::json::object{{"type", "bulk_sold"}, {"shop", d.shop}, {"sold", sold}, {"snapshot_id", d.snapshot_id}}});
        break;
      }
    }
  }
  return out;
}

}  // namespace tzr::shop
