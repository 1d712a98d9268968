#pragma once
// Storage port of the shop feature and its SQL adapter (SQLite and PostgreSQL through
// storage::Database). Every call blocks: HTTP handlers go through a BlockingPool.
#include "core/error.hpp"
#include "shop/alerts.hpp"
#include "shop/catalog.hpp"
#include "shop/snapshot.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tzr::shop {

struct SavedSnapshot {
  std::int64_t id = 0;
  std::optional<std::int64_t> previous_id;
  std::string status;
  std::size_t items = 0;
  std::size_t changes = 0;
};

struct ItemQuery {
  std::optional<std::string> shop, category, search, caliber, owner;
  std::optional<std::int64_t> min_price_cents, max_price_cents;
  bool include_removed = false;
  std::string sort = "-first_seen";  // price, -price, txt, -txt, added_at, -added_at, first_seen, -first_seen, id
  std::int64_t limit = 100, offset = 0;
};

struct ItemList {
  boost::json::array items;
  std::int64_t total = 0;
};

// Sort keys accepted by ItemQuery::sort.
bool valid_item_sort(std::string_view sort);

class ShopStore {
 public:
  virtual ~ShopStore() = default;
  virtual Result<std::int64_t> ensure_shop(const ShopDefinition& shop) = 0;
  virtual Result<boost::json::array> shops() = 0;
  // Writes the snapshot, its observations, the current item states and its diff against the
  // shop's previous snapshot, in one transaction.
  virtual Result<SavedSnapshot> save_snapshot(const SnapshotData& data) = 0;
  virtual Result<ItemList> items(const ItemQuery& query) = 0;
  virtual Result<std::optional<boost::json::object>> item(std::int64_t item_id, std::optional<std::string> shop) = 0;
  virtual Result<boost::json::array> item_history(std::int64_t item_id, std::optional<std::string> shop) = 0;
  virtual Result<boost::json::array> template_history(std::string name, std::string type, std::optional<std::string> shop) = 0;
  virtual Result<ItemList> snapshots(std::optional<std::string> shop, std::int64_t limit, std::int64_t offset) = 0;
  virtual Result<std::optional<boost::json::object>> snapshot(std::int64_t id) = 0;
  virtual Result<std::optional<std::int64_t>> latest_snapshot(std::string shop) = 0;
  // Computed from the two snapshots' observations (any pair of the same shop).
  virtual Result<std::vector<ItemChange>> diff(std::int64_t from_id, std::int64_t to_id) = 0;
  // Stored changes of one type (price_changed, removed, added, …), newest first.
  virtual Result<ItemList> changes(std::optional<std::string> shop, std::string type, std::optional<std::int64_t> since_unix,
                                   double min_abs_percent, std::int64_t limit, std::int64_t offset) = 0;
  virtual Result<boost::json::array> seller_stats(std::optional<std::string> shop, std::int64_t min_items, std::int64_t limit) = 0;
  // Listed → removed durations of items sold since since_unix.
  virtual Result<boost::json::object> sell_through(std::optional<std::string> shop, std::int64_t since_unix) = 0;
  // One seller's listed goods: totals and count per category; nullopt when the seller has none.
  virtual Result<std::optional<boost::json::object>> seller_summary(std::string owner, std::optional<std::string> shop) = 0;
  // Distinct sellers seen in a snapshot.
  virtual Result<std::set<std::string>> snapshot_owners(std::int64_t snapshot_id) = 0;
  // Listed goods whose unit price lies outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] of their template's
  // listings (templates with at least min_listings), most extreme first.
  virtual Result<boost::json::array> price_anomalies(std::optional<std::string> shop, std::int64_t min_listings, std::int64_t limit) = 0;
  // Per seller: goods listed now, listed and sold since since_unix.
  virtual Result<boost::json::array> seller_turnover(std::optional<std::string> shop, std::int64_t since_unix, std::int64_t limit) = 0;
  // Keeps the alerts not recorded before (per rule and key) and returns them with their ids.
  virtual Result<std::vector<std::pair<std::int64_t, Alert>>> record_alerts(const std::vector<Alert>& alerts) = 0;
  virtual Status mark_delivered(const std::vector<std::int64_t>& ids) = 0;
  virtual Result<ItemList> alerts(std::int64_t limit, std::int64_t offset) = 0;
  // Retention: drops a shop's snapshots finished before the cut-off (their observations,
  // categories and changes with them; the newest snapshot is always kept) and sold goods removed
  // before it. Returns the number of snapshots dropped.
  virtual Result<std::int64_t> prune(std::string shop, std::int64_t before_unix) = 0;
};

class SqlShopStore final : public ShopStore {
 public:
  explicit SqlShopStore(storage::Database& db) : db_(db) {}
  Result<std::int64_t> ensure_shop(const ShopDefinition& shop) override;
  Result<boost::json::array> shops() override;
  Result<SavedSnapshot> save_snapshot(const SnapshotData& data) override;
  Result<ItemList> items(const ItemQuery& query) override;
  Result<std::optional<boost::json::object>> item(std::int64_t item_id, std::optional<std::string> shop) override;
  Result<boost::json::array> item_history(std::int64_t item_id, std::optional<std::string> shop) override;
  Result<boost::json::array> template_history(std::string name, std::string type, std::optional<std::string> shop) override;
  Result<ItemList> snapshots(std::optional<std::string> shop, std::int64_t limit, std::int64_t offset) override;
  Result<std::optional<boost::json::object>> snapshot(std::int64_t id) override;
  Result<std::optional<std::int64_t>> latest_snapshot(std::string shop) override;
  Result<std::vector<ItemChange>> diff(std::int64_t from_id, std::int64_t to_id) override;
  Result<ItemList> changes(std::optional<std::string> shop, std::string type, std::optional<std::int64_t> since_unix,
                           double min_abs_percent, std::int64_t limit, std::int64_t offset) override;
  Result<boost::json::array> seller_stats(std::optional<std::string> shop, std::int64_t min_items, std::int64_t limit) override;
  Result<boost::json::object> sell_through(std::optional<std::string> shop, std::int64_t since_unix) override;
  Result<std::optional<boost::json::object>> seller_summary(std::string owner, std::optional<std::string> shop) override;
  Result<std::set<std::string>> snapshot_owners(std::int64_t snapshot_id) override;
  Result<boost::json::array> price_anomalies(std::optional<std::string> shop, std::int64_t min_listings, std::int64_t limit) override;
  Result<boost::json::array> seller_turnover(std::optional<std::string> shop, std::int64_t since_unix, std::int64_t limit) override;
  Result<std::vector<std::pair<std::int64_t, Alert>>> record_alerts(const std::vector<Alert>& alerts) override;
  Status mark_delivered(const std::vector<std::int64_t>& ids) override;
  Result<ItemList> alerts(std::int64_t limit, std::int64_t offset) override;
  Result<std::int64_t> prune(std::string shop, std::int64_t before_unix) override;

 private:
  storage::Database& db_;
};

// JSON helpers shared with the routes.
boost::json::value price_json(const std::optional<std::int64_t>& cents);
boost::json::object change_json(const ItemChange& c);

}  // namespace tzr::shop
