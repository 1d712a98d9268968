#include "shop/snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tzr::shop {

namespace {
std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

std::string SnapshotData::status() const {
  bool all_ok = true, any_read = false;
  for (const auto& c : categories) {
    all_ok = all_ok && c.status == CategoryStatus::ok;
    any_read = any_read || c.status != CategoryStatus::failed;
  }
  if (all_ok && error.empty()) return "ok";
  return any_read ? "partial" : "failed";
}

std::optional<std::int64_t> to_cents(const std::optional<double>& price) {
  if (!price) return std::nullopt;
  const double cents = std::round(*price * 100.0);
  if (!(std::fabs(cents) < 9.0e15)) return std::nullopt;
  return static_cast<std::int64_t>(cents);
}

boost::asio::awaitable<SnapshotData> take_snapshot(PageSource& source, std::string shop, std::vector<std::string> categories,
                                                   CrawlOptions options, std::string started_by, Progress progress) {
  SnapshotData data;
  data.shop = std::move(shop);
  data.started_by = std::move(started_by);
  data.started_at = unix_now();
  std::string fatal;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    CategoryResult result;
    result.category = categories[i];
    if (!fatal.empty()) {
      result.status = CategoryStatus::failed;
      result.error = "not crawled: " + fatal;
    } else {
      auto crawl = co_await crawl_category(source, categories[i], options);
      result.status = crawl.status;
      result.pages = crawl.pages;
      result.requests = crawl.requests;
      result.items = static_cast<int>(crawl.items.size());
      result.groups = crawl.groups;
      result.error = crawl.error;
      result.duration_ms = crawl.duration.count();
      for (auto& item : crawl.items) data.items.push_back(SnapshotItem{categories[i], std::move(item)});
      if (crawl.status != CategoryStatus::ok && is_fatal_fetch_error(crawl.error_code)) {
        fatal = crawl.error;
        data.error = crawl.error;
      }
    }
    if (progress) progress(result, i + 1, categories.size());
    data.categories.push_back(std::move(result));
  }
  data.finished_at = unix_now();
  co_return data;
}

std::vector<ItemChange> diff_snapshots(std::vector<ItemState> prev, std::vector<ItemState> curr,
                                       const std::set<std::string>& comparable) {
  auto by_id = [](const ItemState& a, const ItemState& b) { return a.item_id < b.item_id; };
  std::sort(prev.begin(), prev.end(), by_id);
  std::sort(curr.begin(), curr.end(), by_id);
  std::vector<ItemChange> out;
  auto counted = [&](const ItemState& s) { return comparable.count(s.category) > 0; };
  auto base = [](std::string type, const ItemState& s) {
    ItemChange c;
    c.type = std::move(type);
    c.item_id = s.item_id;
    c.category = s.category;
    c.txt = s.txt;
    return c;
  };
  std::size_t i = 0, j = 0;
  while (i < prev.size() || j < curr.size()) {
    if (j == curr.size() || (i < prev.size() && prev[i].item_id < curr[j].item_id)) {
      if (counted(prev[i])) {
        auto c = base("removed", prev[i]);
        c.old_price_cents = prev[i].price_cents;
        c.old_count = prev[i].count;
        c.old_quality = prev[i].quality;
        c.old_owner = prev[i].owner;
        out.push_back(std::move(c));
      }
      ++i;
    } else if (i == prev.size() || curr[j].item_id < prev[i].item_id) {
      if (counted(curr[j])) {
        auto c = base("added", curr[j]);
        c.new_price_cents = curr[j].price_cents;
        c.new_count = curr[j].count;
        c.new_quality = curr[j].quality;
        c.new_owner = curr[j].owner;
        out.push_back(std::move(c));
      }
      ++j;
    } else {
      const auto& a = prev[i];
      const auto& b = curr[j];
      // Seen in both runs: what changed was observed, whatever happened to the rest of the page.
      {
        if (a.price_cents != b.price_cents) {
          auto c = base("price_changed", b);
          c.old_price_cents = a.price_cents;
          c.new_price_cents = b.price_cents;
          out.push_back(std::move(c));
        }
        if (a.count != b.count) {
          auto c = base("count_changed", b);
          c.old_count = a.count;
          c.new_count = b.count;
          out.push_back(std::move(c));
        }
        if (a.quality != b.quality) {
          auto c = base("quality_changed", b);
          c.old_quality = a.quality;
          c.new_quality = b.quality;
          out.push_back(std::move(c));
        }
        if (a.owner != b.owner) {
          auto c = base("owner_changed", b);
          c.old_owner = a.owner;
          c.new_owner = b.owner;
          out.push_back(std::move(c));
        }
      }
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace tzr::shop
