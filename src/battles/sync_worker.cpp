#include "battles/sync_worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <spdlog/spdlog.h>

namespace tzr::battles {
namespace asio = boost::asio;

namespace {
std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

asio::awaitable<void> sleep_for(asio::any_io_executor ex, std::chrono::milliseconds d) {
  asio::steady_timer t(ex, d);
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;
}
}  // namespace

std::chrono::milliseconds pace_delay(std::chrono::steady_clock::time_point last_request,
                                     std::chrono::steady_clock::time_point now, std::chrono::milliseconds interval) {
  const auto due = last_request + interval;
  if (now >= due) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(due - now);
}

SyncWorkers::SyncWorkers(BattleIngest& ingest, BlockingPool& blocking, SyncOptions options, Metrics* metrics)
    : ingest_(ingest), blocking_(blocking), options_(options), queue_(ingest.store().database(), options, wall_ms) {
  worker_state_.assign(options_.accounts.size(), "starting");
  if (metrics) {
    lag_gauge_ = &prometheus::BuildGauge()
                      .Name("tzr_battles_sync_lag")
                      .Help("Battle ids requested or known but not fetched yet (forward cursor - 1 - newest parsed id)")
                      .Register(metrics->registry())
                      .Add({});
    auto& fetches = prometheus::BuildCounter()
                        .Name("tzr_battles_sync_fetches_total")
                        .Help("Battle requests of the sync workers, by outcome")
                        .Register(metrics->registry());
    parsed_counter_ = &fetches.Add({{"outcome", "parsed"}});
    not_found_counter_ = &fetches.Add({{"outcome", "not_found"}});
    retry_counter_ = &fetches.Add({{"outcome", "retry"}});
  }
}

SyncWorkers::~SyncWorkers() { *alive_ = false; }

void SyncWorkers::start(asio::any_io_executor executor) {
  for (std::size_t i = 0; i < options_.accounts.size(); ++i)
    asio::co_spawn(executor, run_worker(i, executor), asio::detached);
}

boost::json::object SyncWorkers::status_json() {
  boost::json::array workers;
  {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < worker_state_.size(); ++i)
      workers.push_back(boost::json::object{{"account", options_.accounts[i].first}, {"state", worker_state_[i]}});
  }
  boost::json::object o{{"paused", paused_.load()},     {"workers", std::move(workers)},    {"fetched", fetched_.load()},
                        {"not_found", not_found_.load()}, {"retries", retries_.load()}};
  if (auto q = queue_.status()) o["queue"] = std::move(*q);
  return o;
}

asio::awaitable<void> SyncWorkers::run_worker(std::size_t index, asio::any_io_executor ex) {
  auto alive = alive_;
  const std::string login = options_.accounts[index].first;
  const std::string key = options_.accounts[index].second;
  auto set_state = [this, index](std::string s) {
    std::lock_guard lock(mu_);
    worker_state_[index] = std::move(s);
  };
  GameSessionOptions so;
  so.host = options_.host;
  so.port = options_.port;
  so.login = login;
  so.key = key;
  so.expect_greeting = options_.expect_greeting;
  so.request_timeout = options_.request_timeout;
  so.max_log_bytes = ingest_.options().max_log_bytes;
  GameSession session(ex, so);
  std::chrono::milliseconds reconnect_delay = options_.backoff;
  auto last_sent = std::chrono::steady_clock::now();
  auto last_request = std::chrono::steady_clock::now() - options_.request_interval;
  auto last_lag = std::chrono::steady_clock::now() - std::chrono::hours(1);
  auto count = [](prometheus::Counter* c) {
    if (c) c->Increment();
  };
  while (*alive) {
    if (paused_) {
      set_state("paused");
      co_await sleep_for(ex, options_.idle_poll);
      continue;
    }
    if (!session.is_open()) {
      set_state("connecting");
      auto st = co_await session.open();
      if (!*alive) co_return;
      if (!st) {
        set_state("disconnected: " + st.error().code);
        co_await sleep_for(ex, reconnect_delay);
        reconnect_delay = std::min<std::chrono::milliseconds>(reconnect_delay * 2, std::chrono::seconds(60));
        continue;
      }
      reconnect_delay = options_.backoff;
      last_sent = std::chrono::steady_clock::now();
    }
    if (index == 0 && lag_gauge_ && std::chrono::steady_clock::now() - last_lag > std::chrono::seconds(5)) {
      last_lag = std::chrono::steady_clock::now();
      auto lag = co_await blocking_.run([this] { return queue_.lag(); });
      if (lag) lag_gauge_->Set(static_cast<double>(*lag));
    }
    // The pace is kept before the claim, so that the wait does not eat into the id's lease.
    if (auto wait = pace_delay(last_request, std::chrono::steady_clock::now(), options_.request_interval); wait.count() > 0) {
      co_await sleep_for(ex, wait);
      if (!*alive) co_return;
    }
    auto claimed = co_await blocking_.run([this] { return queue_.claim(); });
    if (!*alive) co_return;
    if (!claimed || !*claimed) {
      set_state(claimed ? "idle" : "database error: " + claimed.error().code);
      if (std::chrono::steady_clock::now() - last_sent > options_.keep_alive) {
        (void)co_await session.keep_alive();
        last_sent = std::chrono::steady_clock::now();
      }
      co_await sleep_for(ex, options_.idle_poll);
      continue;
    }
    const std::int64_t id = **claimed;
    set_state("fetching " + std::to_string(id));
    last_request = std::chrono::steady_clock::now();
    FetchResult got = co_await session.fetch(id);
    last_sent = std::chrono::steady_clock::now();
    if (!*alive) co_return;
    Status marked;
    if (got.kind == FetchKind::not_found) {
      ++not_found_;
      count(not_found_counter_);
      marked = co_await blocking_.run([this, id, &got] { return queue_.mark_not_found(id, got.error); });
    } else if (got.kind == FetchKind::failed) {
      ++retries_;
      count(retry_counter_);
      marked = co_await blocking_.run([this, id, &got] { return queue_.mark_retry(id, got.error); });
    } else {
      auto stored = co_await blocking_.run([this, id, &login, &got]() -> Result<std::string> {
        std::vector<RawLog> logs;
        logs.push_back(RawLog{"sync:" + login, std::to_string(id), std::move(got.bytes), {}, {}});
        std::vector<ParseOutcome> outcomes;
        auto records = ingest_.ingest(std::move(logs), &outcomes);
        if (!records) return records.error();
        const auto& rec = records->at(0);
        if (rec.status == IngestStatus::failed) return std::string(rec.error_code.empty() ? "parse_failed" : rec.error_code);
        if (rec.battle_id != id) return std::string("battleid_mismatch");  // the game answered another battle
        return std::string();
      });
      if (!stored) {
        ++retries_;
        count(retry_counter_);
        marked = co_await blocking_.run([this, id, &stored] { return queue_.mark_retry(id, stored.error().code); });
      } else if (!stored->empty()) {
        ++retries_;
        count(retry_counter_);
        marked = co_await blocking_.run([this, id, &stored] { return queue_.mark_retry(id, *stored); });
      } else {
        ++fetched_;
        count(parsed_counter_);
        marked = co_await blocking_.run([this, id] { return queue_.mark_parsed(id); });
      }
    }
    if (!marked) spdlog::warn("battles sync: cannot record the state of battle {}: {}", id, marked.error().message);
  }
}

}  // namespace tzr::battles
