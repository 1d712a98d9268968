#include "battles/feature.hpp"

#include "battles/observability.hpp"
#include "battles/sync_worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace tzr::battles {
namespace fs = std::filesystem;

BattlesFeature::BattlesFeature(storage::Database& db, BlockingPool& blocking, BattlesSettings settings)
    : store_(db), raw_(settings.raw_dir, db), ingest_(store_, raw_, settings.ingest), blocking_(blocking), settings_(std::move(settings)) {}

BattlesFeature::~BattlesFeature() { *alive_ = false; }

void BattlesFeature::set_sync(std::unique_ptr<SyncWorkers> sync) { sync_ = std::move(sync); }

void BattlesFeature::enable_metrics(Metrics& metrics) {
  metrics_ = std::make_unique<IngestMetrics>(metrics);
  store_.set_metrics(metrics_.get());
}

Result<IngestCounts> BattlesFeature::scan_watch_dir() {
  const fs::path dir = settings_.watch_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::unavailable("watch_dir", "cannot create " + dir.string() + ": " + ec.message());
  // Only the top level: processed/ and failed/ live inside the folder.
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec) && is_log_file_name(it->path())) files.push_back(it->path());
  if (files.empty()) return IngestCounts{};
  auto moved = [&dir](const fs::path& file, const IngestRecord& rec) {
    const fs::path target = dir / (rec.status == IngestStatus::failed ? "failed" : "processed");
    std::error_code e;
    fs::create_directories(target, e);
    fs::rename(file, target / file.filename(), e);
  };
  return ingest_paths(ingest_, files, "watch", {}, moved);
}

void BattlesFeature::start(boost::asio::any_io_executor executor) {
  if (sync_) sync_->start(executor);
  if (settings_.watch_dir.empty()) return;
  auto alive = alive_;
  boost::asio::co_spawn(
      executor,
      [this, alive, executor]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer timer(executor);
        while (*alive) {
          auto counts = co_await blocking_.run([this] { return scan_watch_dir(); });
          if (!*alive) co_return;
          if (!counts) spdlog::warn("battles: watched folder: {}", counts.error().message);
          else if (counts->total() > 0)
            spdlog::info("battles: watched folder: {} stored, {} duplicate, {} failed", counts->stored + counts->replaced,
                         counts->duplicate, counts->failed);
          timer.expires_after(settings_.watch_interval);
          auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
          if (ec) co_return;
        }
      },
      boost::asio::detached);
}

}  // namespace tzr::battles
