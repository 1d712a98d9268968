#include "battles/ingest.hpp"

#include "battles/gzip.hpp"
#include "battles/parser.hpp"
#include "crypto/hash.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

namespace tzr::battles {
namespace fs = std::filesystem;
namespace {

std::int64_t micros_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

void IngestCounts::add(const IngestRecord& r) {
  switch (r.status) {
    case IngestStatus::stored: ++stored; break;
    case IngestStatus::replaced: ++replaced; break;
    case IngestStatus::duplicate: ++duplicate; break;
    case IngestStatus::kept: ++kept; break;
    default: ++failed; break;
  }
}

Result<std::vector<IngestRecord>> BattleIngest::ingest(std::vector<RawLog> logs, std::vector<ParseOutcome>* outcomes) {
  auto items = prepare(std::move(logs));
  if (!items) return items.error();
  auto records = commit(*items);
  if (records && outcomes) {
    outcomes->clear();
    for (auto& item : *items) outcomes->push_back(std::move(item.outcome));
  }
  return records;
}

Result<std::vector<IngestItem>> BattleIngest::prepare(std::vector<RawLog> logs) {
  // Content hashes first: a log ingested before is not parsed again.
  std::vector<std::string> plain(logs.size());
  std::vector<std::string> shas(logs.size());
  for (std::size_t i = 0; i < logs.size(); ++i) {
    if (!logs[i].error.empty()) continue;
    if (looks_gzip(logs[i].bytes)) {
      auto p = gunzip(logs[i].bytes, options_.max_log_bytes);
      if (!p) continue;  // the parser reports it
      plain[i] = std::move(*p);
      shas[i] = crypto::sha256_hex(plain[i]);
    } else {
      shas[i] = crypto::sha256_hex(logs[i].bytes);
    }
  }
  std::vector<std::string> to_check;
  for (const auto& s : shas)
    if (!s.empty()) to_check.push_back(s);
  auto known = store_.known_contents(to_check);
  if (!known) return known.error();

  std::vector<IngestItem> items(logs.size());
  // Parse, compress and write the raw logs on a few threads (CPU work and small-file I/O
  // overlap); the database write stays one transaction.
  std::atomic<bool> raw_failed{false};
  Error raw_error;
  std::mutex raw_error_mu;
  auto work = [&](std::size_t begin, std::size_t end) {
    ParseOptions po;
    po.max_text_bytes = options_.max_log_bytes;
    po.keep_events = false;  // the store keeps the model; events are re-derived from the raw log
    for (std::size_t i = begin; i < end; ++i) {
      auto& item = items[i];
      auto& log = logs[i];
      item.source = log.source;
      item.name = log.name;
      if (!log.error.empty()) {
        item.outcome.error = log.error;
        item.outcome.message = log.message;
        item.outcome.source.sha256 = crypto::sha256_hex(log.name + "\n" + log.error);  // nothing else identifies it
        continue;
      }
      if (!shas[i].empty() && known->count(shas[i])) {
        item.outcome.source.sha256 = shas[i];  // the store answers "duplicate"
        item.outcome.source.size_bytes = static_cast<std::int64_t>(log.bytes.size());
        continue;
      }
      const auto t0 = std::chrono::steady_clock::now();
      po.content_sha256 = shas[i];  // hashed above (empty when the gunzip failed: the parser reports it)
      item.outcome = parse_battle_log(log.bytes, po);
      item.parse_us = micros_since(t0);
      if (item.outcome.error == "gzip_invalid" || item.outcome.error == "too_large") continue;  // nothing worth keeping
      const bool gz = looks_gzip(log.bytes);
      auto put = raw_.put(gz ? std::string_view(plain[i]) : std::string_view(log.bytes), gz ? std::string_view(log.bytes) : std::string_view());
      if (!put) {
        std::lock_guard lock(raw_error_mu);
        raw_error = put.error();
        raw_failed = true;
        return;
      }
      item.raw = *put;
      item.outcome.source.storage_key = put->key();
    }
  };
  const std::size_t threads = logs.size() < 64 ? 1 : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  if (threads == 1) {
    work(0, logs.size());
  } else {
    std::vector<std::thread> pool;
    const std::size_t chunk = (logs.size() + threads - 1) / threads;
    for (std::size_t t = 0; t < threads; ++t)
      pool.emplace_back(work, std::min(logs.size(), t * chunk), std::min(logs.size(), (t + 1) * chunk));
    for (auto& th : pool) th.join();
  }
  if (raw_failed) return raw_error;
  return items;
}

Result<std::pair<IngestRecord, ParseOutcome>> BattleIngest::ingest_one(RawLog log) {
  std::vector<RawLog> one;
  one.push_back(std::move(log));
  std::vector<ParseOutcome> outcomes;
  auto records = ingest(std::move(one), &outcomes);
  if (!records) return records.error();
  return std::make_pair(records->at(0), std::move(outcomes.at(0)));
}

RawLog read_log_file(const fs::path& path, std::string source, std::size_t max_bytes) {
  RawLog log;
  log.source = std::move(source);
  log.name = path.string();
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    log.error = "io_error";
    log.message = "cannot read the file: " + ec.message();
    return log;
  }
  if (size > max_bytes) {
    log.error = "too_large";
    log.message = "file of " + std::to_string(size) + " bytes is larger than the limit of " + std::to_string(max_bytes);
    return log;
  }
  std::ifstream in(path, std::ios::binary);
  log.bytes.resize(size);
  if (!in || !in.read(log.bytes.data(), static_cast<std::streamsize>(size))) {
    log.error = "io_error";
    log.message = "cannot read the file";
    log.bytes.clear();
  }
  return log;
}

bool is_log_file_name(const fs::path& p) {
  const std::string name = p.filename().string();
  auto ends = [&name](std::string_view suffix) {
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".tzb") || ends(".tzb.gz");
}

std::optional<fs::path> LogFileWalker::next() {
  std::error_code ec;
  while (true) {
    if (dir_) {
      auto& it = *dir_;
      while (it != fs::recursive_directory_iterator()) {
        const fs::directory_entry entry = *it;
        it.increment(ec);
        if (ec) {
          dir_.reset();
          break;
        }
        if (entry.is_regular_file(ec) && is_log_file_name(entry.path())) return entry.path();
      }
      dir_.reset();
    }
    if (root_index_ >= roots_.size()) return std::nullopt;
    const fs::path root = roots_[root_index_++];
    if (fs::is_directory(root, ec)) {
      dir_.emplace(root, fs::directory_options::skip_permission_denied, ec);
      if (ec) dir_.reset();
      continue;
    }
    return root;  // a file given by name is taken whatever its name (a missing one reports io_error)
  }
}

Result<IngestCounts> ingest_paths(BattleIngest& ingest, const std::vector<fs::path>& paths, const std::string& source,
                                  const std::function<void(const PathIngestProgress&)>& progress,
                                  const std::function<void(const fs::path&, const IngestRecord&)>& on_file) {
  const auto started = std::chrono::steady_clock::now();
  PathIngestProgress p;
  {
    LogFileWalker counter(paths);
    std::int64_t n = 0;
    while (counter.next()) ++n;
    p.total = n;
  }
  LogFileWalker walker(paths);
  struct Batch {
    std::vector<fs::path> files;
    std::int64_t bytes = 0;
    Result<std::vector<IngestItem>> items = std::vector<IngestItem>{};
  };
  // Reads and prepares the next batch (files, parse, raw store) on its own thread while the
  // current one is committed.
  auto next_batch = [&walker, &ingest, &source]() {
    Batch b;
    std::vector<RawLog> logs;
    std::size_t bytes = 0;
    while (logs.size() < ingest.options().batch_size && bytes < (256u << 20)) {
      auto f = walker.next();
      if (!f) break;
      logs.push_back(read_log_file(*f, source, ingest.options().max_log_bytes));
      bytes += logs.back().bytes.size();
      b.files.push_back(*f);
    }
    b.bytes = static_cast<std::int64_t>(bytes);
    if (!logs.empty()) b.items = ingest.prepare(std::move(logs));
    return b;
  };
  auto pending = std::async(std::launch::async, next_batch);
  while (true) {
    Batch batch = pending.get();
    if (batch.files.empty()) break;
    if (!batch.items) return batch.items.error();
    pending = std::async(std::launch::async, next_batch);
    auto records = ingest.commit(*batch.items);
    if (!records) {
      pending.wait();
      return records.error();
    }
    p.counts.bytes += batch.bytes;
    for (std::size_t i = 0; i < records->size(); ++i) {
      p.counts.add((*records)[i]);
      if (on_file) on_file(batch.files[i], (*records)[i]);
    }
    p.done += static_cast<std::int64_t>(records->size());
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (progress) progress(p);
  }
  return p.counts;
}

}  // namespace tzr::battles
