#pragma once
// The shop feature at run time: one ShopBot per configured shop (the single owner of that bot's
// game connection), a scheduler that queues a snapshot per shop every interval, and a job table
// for snapshots triggered by the admin API (202 + job id, polled at /admin/jobs/{id}) — a crawl
// never runs inside an HTTP request.
#include "core/blocking.hpp"
#include "core/metrics.hpp"
#include "shop/alerts.hpp"
#include "shop/bot_lease.hpp"
#include "shop/catalog.hpp"
#include "shop/shop_bot.hpp"
#include "shop/shop_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tzr::shop {

struct ShopServiceOptions {
  std::vector<ShopDefinition> shops = default_shops();
  std::map<std::string, std::string> keys;  // shop code → bot key (secret)
  std::set<std::string> disabled;            // shops listed but not crawled (trigger: 400)
  std::vector<std::string> categories = default_crawl_categories();
  CrawlOptions crawl;
  BotOptions bot;                              // host, port, timeouts; shop/login/key filled per shop
  std::chrono::seconds interval{3600};         // 0: no scheduled snapshots
  bool snapshot_on_start = true;
  std::size_t max_jobs_kept = 1000;
  Metrics* metrics = nullptr;  // crawl figures on /metrics when set
  std::vector<WatchRule> watch_rules;
  std::string alert_webhook;  // http(s) URL that receives new alerts; empty: stored only
  std::chrono::hours retention{0};  // snapshots older than this are dropped after each snapshot; 0: kept
  // Several instances on one database: a bot logs in only while this instance (instance_id)
  // holds its account's lease. Null: no leases (one instance).
  BotLeases* leases = nullptr;
  std::string instance_id;
  std::chrono::milliseconds lease{30'000};
};

struct JobInfo {
  std::string id;
  std::string shop;
  std::string state = "queued";  // queued, running, done, failed
  std::string started_by;
  std::int64_t created_at = 0, started_at = 0, finished_at = 0;
  std::size_t categories_done = 0, categories_total = 0;
  std::optional<SavedSnapshot> snapshot;
  std::string error;
  boost::json::object to_json() const;
};

class ShopService {
 public:
  ShopService(boost::asio::any_io_executor executor, ShopStore& store, BlockingPool& pool, ShopServiceOptions options);
  ~ShopService();

  Status init();  // blocking: the shop rows
  void start();   // bots and scheduler
  void stop();
  // stop(), then gives the bot leases back (at shutdown, before the I/O ends).
  boost::asio::awaitable<void> drain();

  // Error codes: unknown_shop (400), no_bot_key (503), shop_bot_elsewhere (409: another
  // instance holds the bot's lease; trigger there).
  Result<std::string> trigger(const std::string& shop, std::string started_by);
  std::optional<JobInfo> job(const std::string& id) const;
  std::vector<BotStatus> bots() const;
  bool has_shop(const std::string& code) const;
  ShopStore& store() { return store_; }
  BlockingPool& pool() { return pool_; }
  const ShopServiceOptions& options() const { return options_; }

 public:
  struct State;  // defined in the .cpp (public for its job helpers)

 private:
  std::shared_ptr<State> state_;
  ShopStore& store_;
  BlockingPool& pool_;
  ShopServiceOptions options_;
};

}  // namespace tzr::shop
