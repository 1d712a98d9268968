#pragma once
// The battles feature of a running process: store, raw store and ingest pipeline, the watched
// folder, and the HTTP routes of the battles service (port 8084).
#include "battles/ingest.hpp"
#include "core/blocking.hpp"
#include "core/metrics.hpp"
#include "net/router.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

namespace tzr::battles {

class SyncWorkers;
class IngestMetrics;

struct BattlesSettings {
  std::filesystem::path raw_dir;
  std::filesystem::path watch_dir;  // empty: no watched folder
  std::chrono::milliseconds watch_interval{2000};
  IngestOptions ingest;
  std::size_t upload_max_bytes = 16u << 20;
  std::size_t json_max_depth = 32;
};

class BattlesFeature {
 public:
  BattlesFeature(storage::Database& db, BlockingPool& blocking, BattlesSettings settings);
  ~BattlesFeature();

  // Starts the watched folder on executor (no-op without one).
  void start(boost::asio::any_io_executor executor);
  // Sync workers, when configured; the feature owns them.
  void set_sync(std::unique_ptr<SyncWorkers> sync);
  SyncWorkers* sync() { return sync_.get(); }
  // Ingest counters on /metrics (battles/observability.hpp), before the first write.
  void enable_metrics(Metrics& metrics);

  BattleStore& store() { return store_; }
  RawStore& raw() { return raw_; }
  BattleIngest& ingest() { return ingest_; }
  BlockingPool& blocking() { return blocking_; }
  const BattlesSettings& settings() const { return settings_; }

  // One scan of the watched folder (also used by tests); returns the files handled.
  Result<IngestCounts> scan_watch_dir();

 private:
  BattleStore store_;
  RawStore raw_;
  BattleIngest ingest_;
  BlockingPool& blocking_;
  BattlesSettings settings_;
  std::unique_ptr<SyncWorkers> sync_;
  std::unique_ptr<IngestMetrics> metrics_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

// Public routes: GET /battles, /battle/{id}, /battle/{id}/raw, /battle/{id}/events,
// /players/{login}/battles, /players/search, /battles/ingest/status; POST /battles/upload.
// Admin routes under /admin/battles/ (the caller puts bearer authentication in front of them
// and of the upload).
void add_battles_routes(net::Router& router, BattlesFeature& feature);
// GET /monsters, /monsters/{kind}, /maps, /maps/{id}, /items (reference_data.hpp); part of the above.
void add_reference_routes(net::Router& router, BattlesFeature& feature);

}  // namespace tzr::battles
