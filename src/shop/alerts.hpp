#pragma once
// Watch rules evaluated after each diff (shop.md §8.2 "Alerts"): goods of interest listed or
// repriced at or under a price, a seller not seen before, a bulk sell-off. Pure: rules in,
// alerts out; the service de-duplicates them per (rule, item) in the store and delivers them to
// a webhook.
#include "core/error.hpp"
#include "shop/snapshot.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tzr::shop {

struct WatchRule {
  std::string id;
  enum class Event { listed, new_seller, bulk_sold } event = Event::listed;
  std::optional<std::string> shop, search, name, caliber, category;
  std::optional<std::int64_t> max_price_cents;
  std::int64_t min_sold = 20;  // bulk_sold
};

// "id:cond;cond;…" with conditions event=listed|new_seller|bulk_sold, shop=, search= (substring
// of the name, case-insensitive ASCII), name= (template), caliber=, category=, max_price=,
// min_sold=. Error code "config_error" naming the bad part.
Result<WatchRule> parse_watch_rule(std::string_view text);

struct Alert {
  std::string rule;
  std::string key;  // de-duplication key within the rule: item id, seller or snapshot
  boost::json::object payload;
};

struct DiffContext {
  std::string shop;
  std::int64_t snapshot_id = 0;
  const std::vector<ItemChange>* changes = nullptr;
  const std::vector<SnapshotItem>* items = nullptr;  // the new snapshot (for caliber/name filters)
  const std::set<std::string>* previous_owners = nullptr;
};

std::vector<Alert> evaluate(const std::vector<WatchRule>& rules, const DiffContext& diff);

}  // namespace tzr::shop
