#pragma once
// The one ingestion pipeline every source goes through (files, watched folder, upload, socket
// sync, reprocess): content hash → skip if known → parse → raw store → one transaction per
// batch. Exactly once per battle: the store is idempotent by content and by battle id, and a
// crash between the raw write and the commit only leaves a content-addressed file behind.
#include "battles/battle_store.hpp"
#include "battles/raw_store.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tzr::battles {

struct IngestOptions {
  std::size_t max_log_bytes = 64u << 20;
  std::size_t batch_size = 2000;
};

struct RawLog {
  std::string source;  // file, upload, watch, sync:<login>, reprocess
  std::string name;    // a label only (never used as a path)
  std::string bytes;
  std::string error;   // set when the bytes could not even be read (too_large, io)
  std::string message;
};

struct IngestCounts {
  std::int64_t stored = 0, replaced = 0, duplicate = 0, failed = 0, kept = 0;
  std::int64_t bytes = 0;
  void add(const IngestRecord& r);
  std::int64_t total() const { return stored + replaced + duplicate + failed + kept; }
};

class BattleIngest {
 public:
  BattleIngest(BattleStore& store, RawStore& raw, IngestOptions options) : store_(store), raw_(raw), options_(options) {}

  // Parses and stores a batch; records[i] answers logs[i]. Fails only when the store does.
  // When outcomes is given it receives the parse outcome of every log (empty for a duplicate).
  Result<std::vector<IngestRecord>> ingest(std::vector<RawLog> logs, std::vector<ParseOutcome>* outcomes = nullptr);
  // The two halves of ingest(), so that a caller can prepare the next batch while this one is
  // written: prepare parses and writes raw files (thread-safe); commit is one transaction.
  Result<std::vector<IngestItem>> prepare(std::vector<RawLog> logs);
  Result<std::vector<IngestRecord>> commit(const std::vector<IngestItem>& items) { return store_.write_batch(items); }
  // The parse outcome of the last ingest() for one item is not kept; callers that must show it
  // (upload) use this, which ingests one log and returns both.
  Result<std::pair<IngestRecord, ParseOutcome>> ingest_one(RawLog log);

  const IngestOptions& options() const { return options_; }
  BattleStore& store() { return store_; }
  RawStore& raw() { return raw_; }

 private:
  BattleStore& store_;
  RawStore& raw_;
  IngestOptions options_;
};

// Reads a file, refusing one larger than max_bytes without reading it (error "too_large").
RawLog read_log_file(const std::filesystem::path& path, std::string source, std::size_t max_bytes);

// Files named *.tzb or *.tzb.gz under the given paths (folders recursively, files as given),
// visited lazily so that memory stays bounded on any number of files.
class LogFileWalker {
 public:
  explicit LogFileWalker(std::vector<std::filesystem::path> roots) : roots_(std::move(roots)) {}
  // The next file, or nullopt at the end.
  std::optional<std::filesystem::path> next();

 private:
  std::vector<std::filesystem::path> roots_;
  std::size_t root_index_ = 0;
  std::optional<std::filesystem::recursive_directory_iterator> dir_;
};
bool is_log_file_name(const std::filesystem::path& p);

struct PathIngestProgress {
  std::int64_t done = 0;
  std::int64_t total = -1;  // -1: unknown
  IngestCounts counts;
  double seconds = 0;
};

// Ingests every log file under the paths in batches; progress is called after every batch.
// After a file was recorded (stored, duplicate or failed), on_file may move it away.
Result<IngestCounts> ingest_paths(BattleIngest& ingest, const std::vector<std::filesystem::path>& paths, const std::string& source,
                                  const std::function<void(const PathIngestProgress&)>& progress,
                                  const std::function<void(const std::filesystem::path&, const IngestRecord&)>& on_file = {});

}  // namespace tzr::battles
