#pragma once
// Socket sync: N game accounts, each a long-lived session, fetch battle logs by id from the game
// server into the ingest pipeline. The work queue is the battle_sync table: one row per id with
// a persisted state (pending → fetching (leased) → parsed | not_found | failed after n attempts),
// exponential backoff between attempts, and two cursors (forward from sync_start_id, backfill
// downwards to sync_backfill_to), so a restart continues where the last run stopped.
#include "battles/game_session.hpp"
#include "battles/ingest.hpp"
#include "core/blocking.hpp"
#include "core/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace prometheus {
class Gauge;
class Counter;
}  // namespace prometheus

namespace tzr::battles {

struct SyncOptions {
  std::vector<std::pair<std::string, std::string>> accounts;  // login, key
  std::string host = "127.0.0.1";
  std::uint16_t port = 5190;
  bool expect_greeting = false;
  std::int64_t start_id = 1;
  std::int64_t backfill_to = 0;
  int max_attempts = 5;
  std::chrono::milliseconds backoff{1000};
  std::chrono::milliseconds request_timeout{20000};
  std::chrono::milliseconds lease{60000};
  std::chrono::milliseconds idle_poll{1000};
  std::chrono::milliseconds keep_alive{30000};
  std::chrono::milliseconds request_interval{50};  // least time between two requests of one account
  std::int64_t not_found_after = 50;  // forward ids ahead of the newest parsed one before waiting
  std::int64_t enqueue_batch = 100;
};

// How long a worker waits before its next battle request so that requests of one account are at
// least `interval` apart (zero when the last one is old enough).
std::chrono::milliseconds pace_delay(std::chrono::steady_clock::time_point last_request,
                                     std::chrono::steady_clock::time_point now, std::chrono::milliseconds interval);

// The persistent per-id state machine (no I/O besides the database), unit-testable with a clock.
class SyncQueue {
 public:
  SyncQueue(storage::Database& db, SyncOptions options, std::function<std::int64_t()> now_ms);
  // Leases the next due id, enqueueing more from the cursors when none is due; nullopt: nothing to do.
  Result<std::optional<std::int64_t>> claim();
  // Adds ids explicitly (admin range requests); existing rows are left alone.
  Status enqueue_range(std::int64_t from, std::int64_t to);
  // Failed ids become pending again with a fresh attempt count (admin retry); returns how many.
  Result<std::int64_t> retry_failed();
  Status mark_parsed(std::int64_t id);
  Status mark_not_found(std::int64_t id, const std::string& why);
  // A failed attempt: pending again after backoff, or failed once max_attempts is reached.
  Status mark_retry(std::int64_t id, const std::string& error);
  Result<boost::json::object> status();
  // Ingestion lag: forward cursor − 1 − newest parsed id (ids known to exist or be requested but
  // not yet fetched).
  Result<std::int64_t> lag();

 private:
  Status set_state(std::int64_t id, std::string_view state, int attempts, std::int64_t next_at, const std::string& error);
  storage::Database& db_;
  SyncOptions options_;
  std::function<std::int64_t()> now_ms_;
};

class SyncWorkers {
 public:
  // metrics (optional): tzr_battles_sync_lag (ids requested or known but not fetched yet) and
  // tzr_battles_sync_fetches_total{outcome=parsed|not_found|retry}.
  SyncWorkers(BattleIngest& ingest, BlockingPool& blocking, SyncOptions options, Metrics* metrics = nullptr);
  ~SyncWorkers();
  void start(boost::asio::any_io_executor executor);
  void pause() { paused_ = true; }
  void resume() { paused_ = false; }
  bool paused() const { return paused_; }
  SyncQueue& queue() { return queue_; }
  boost::json::object status_json();

 private:
  boost::asio::awaitable<void> run_worker(std::size_t index, boost::asio::any_io_executor executor);

  BattleIngest& ingest_;
  BlockingPool& blocking_;
  SyncOptions options_;
  SyncQueue queue_;
  std::atomic<bool> paused_{false};
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  std::atomic<std::int64_t> fetched_{0}, not_found_{0}, retries_{0};
  std::mutex mu_;
  std::vector<std::string> worker_state_;
  prometheus::Gauge* lag_gauge_ = nullptr;
  prometheus::Counter *parsed_counter_ = nullptr, *not_found_counter_ = nullptr, *retry_counter_ = nullptr;
};

}  // namespace tzr::battles
