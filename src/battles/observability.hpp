#pragma once
// What the battles ingest tells Prometheus (battles.md §7.2 "Observability"): outcomes by status,
// parse errors by class, raw bytes in and stored, and the compression ratio; and the raw store's
// readiness check.
#include "battles/battle_store.hpp"
#include "core/metrics.hpp"

#include <atomic>
#include <filesystem>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace tzr::battles {

class IngestMetrics {
 public:
  explicit IngestMetrics(Metrics& metrics);
  // After a committed batch: records[i] answers items[i].
  void record(const std::vector<IngestItem>& items, const std::vector<IngestRecord>& records);

 private:
  prometheus::Family<prometheus::Counter>* outcomes_;
  prometheus::Family<prometheus::Counter>* parse_errors_;
  prometheus::Counter* plain_bytes_;
  prometheus::Counter* stored_bytes_;
  prometheus::Gauge* ratio_;
};

// The raw store can take new logs: its folder exists (made if missing) and this process may write there.
bool raw_store_writable(const std::filesystem::path& root);

}  // namespace tzr::battles
