#pragma once
// A snapshot is what one crawl of one shop saw (shop.md §8.2): per category its status, pages,
// items and duration; per item seen in this run its state. The diff of two snapshots (§4.5)
// compares item states, and only over categories that were read completely in both, so a page
// that could not be read never shows up as goods sold.
#include "shop/crawler.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tzr::shop {

struct CategoryResult {
  std::string category;
  CategoryStatus status = CategoryStatus::ok;
  int pages = 0, requests = 0, items = 0, groups = 0;
  std::string error;
  std::int64_t duration_ms = 0;
};

struct SnapshotItem {
  std::string category;
  ShopItem item;
};

struct SnapshotData {
  std::string shop;
  std::string started_by;  // "schedule", "admin", "cli", "demo"
  std::int64_t started_at = 0, finished_at = 0;  // unix seconds
  std::vector<CategoryResult> categories;
  std::vector<SnapshotItem> items;
  std::string error;  // why the crawl stopped early, if it did
  std::string status() const;  // ok (every category ok) / failed (none read) / partial
};

// Prices are compared as whole cents (the reference's NUMERIC(12,2)).
std::optional<std::int64_t> to_cents(const std::optional<double>& price);

using Progress = std::function<void(const CategoryResult&, std::size_t done, std::size_t total)>;

// Crawls the categories in order; a fatal fetch error (login refused, breaker open) marks the
// remaining categories failed without sending anything.
boost::asio::awaitable<SnapshotData> take_snapshot(PageSource& source, std::string shop, std::vector<std::string> categories,
                                                   CrawlOptions options, std::string started_by, Progress progress);

// One item's state in one snapshot.
struct ItemState {
  std::int64_t item_id = 0;
  std::string category;
  std::optional<std::int64_t> price_cents, count, quality;
  std::optional<std::string> owner;
  std::string txt;
};

struct ItemChange {
  std::string type;  // added, removed, price_changed, count_changed, quality_changed, owner_changed
  std::int64_t item_id = 0;
  std::string category, txt;
  std::optional<std::int64_t> old_price_cents, new_price_cents, old_count, new_count, old_quality, new_quality;
  std::optional<std::string> old_owner, new_owner;
};

// prev and curr need not be sorted. Added/removed count only in `comparable` categories (read
// completely in both); changes of items seen in both runs always count.
std::vector<ItemChange> diff_snapshots(std::vector<ItemState> prev, std::vector<ItemState> curr,
                                       const std::set<std::string>& comparable);

}  // namespace tzr::shop
