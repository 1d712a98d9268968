#include "bridge/agent.hpp"

#include "core/log.hpp"
#include "crypto/jwt.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <fstream>
#include <random>
#include <sstream>

namespace tzr::bridge {
namespace {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool persisted_type(std::string_view job_type) { return job_type == kRegister || job_type == kResetPassword; }

double uniform01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

void log_spawn_error(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("agent: task ended by exception: {}", ex.what());
  }
}

}  // namespace

std::chrono::milliseconds Backoff::next() {
  const double jitter = uniform01_() * 0.3 * static_cast<double>(current_.count());
  auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(current_.count()) + jitter));
  wait = std::min(wait, max_);
  current_ = std::min(current_ * 2, max_);
  return wait;
}

struct SiteAgent::Instruments {
  explicit Instruments(prometheus::Registry& r)
      : connects(prometheus::BuildCounter().Name("tzr_agent_connects_total").Help("Connections established to the site").Register(r)),
        failures(prometheus::BuildCounter()
                     .Name("tzr_agent_connect_failures_total")
                     .Help("Connection attempts that failed (each is followed by a backoff)")
                     .Register(r)),
        drops(prometheus::BuildCounter().Name("tzr_agent_disconnects_total").Help("Established connections that ended").Register(r)),
        jobs(prometheus::BuildCounter().Name("tzr_agent_jobs_total").Help("Jobs answered, by type and outcome code").Register(r)),
        rejected(prometheus::BuildCounter()
                     .Name("tzr_agent_rejected_frames_total")
                     .Help("Frames refused before execution (signature, TTL, replay, malformed)")
                     .Register(r)),
        latency(prometheus::BuildHistogram().Name("tzr_agent_job_seconds").Help("Job execution time").Register(r)),
        connected(prometheus::BuildGauge().Name("tzr_agent_connected").Help("1 while connected to the site").Register(r).Add({})),
        running(prometheus::BuildGauge().Name("tzr_agent_jobs_running").Help("Jobs executing now").Register(r).Add({})) {}

  prometheus::Family<prometheus::Counter>& connects;
  prometheus::Family<prometheus::Counter>& failures;
  prometheus::Family<prometheus::Counter>& drops;
  prometheus::Family<prometheus::Counter>& jobs;
  prometheus::Family<prometheus::Counter>& rejected;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Gauge& connected;
  prometheus::Gauge& running;
};

SiteAgent::SiteAgent(asio::any_io_executor executor, AgentOptions options, JobRunner& runner, AgentResultStore* results,
                     BlockingPool* blocking, Metrics& metrics)
    : strand_(asio::make_strand(executor)),
      options_(std::move(options)),
      runner_(runner),
      results_(results),
      blocking_(blocking),
      metrics_(std::make_unique<Instruments>(metrics.registry())),
      previous_use_(metrics, "agent"),
      ledger_(strand_, options_.idempotency),
      nonces_(options_.freshness),
      backoff_(options_.backoff_min, options_.backoff_max, uniform01),
      sleep_(strand_) {}

SiteAgent::~SiteAgent() = default;

std::int64_t SiteAgent::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<std::string> SiteAgent::token(bool previous_secret) const {
  if (!options_.jwt_file.empty()) {
    std::ifstream in(options_.jwt_file);
    if (!in) return Error::unavailable("agent_token", "cannot read the agent token file " + options_.jwt_file);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string t = trim(ss.str());
    if (t.empty()) return Error::unavailable("agent_token", "the agent token file " + options_.jwt_file + " is empty");
    return t;
  }
  if (!options_.jwt.empty()) return options_.jwt;
  if (!options_.jwt_secret.current.empty()) {
    const std::string& secret =
        previous_secret && options_.jwt_secret.previous ? *options_.jwt_secret.previous : options_.jwt_secret.current;
    const std::int64_t t = now();
    return crypto::jwt::make(boost::json::object{{"sub", options_.agent_id},
                                                 {"aud", "ws/pull"},
                                                 {"iat", t},
                                                 {"exp", t + 900},
                                                 {"jti", uuid4()}},
                             secret);
  }
  return Error::bad_request("agent: no token: set agent.jwt, agent.jwt_file or bridge.jwt_secret", "config_error");
}

Status SiteAgent::start() {
  if (options_.hmac_secret.current.empty()) return Error::bad_request("agent: the bridge HMAC secret is empty", "config_error");
  if (options_.site_url.empty()) return Error::bad_request("agent: agent.site_url is empty", "config_error");
  if (auto t = token(false); !t) return t.error();
  asio::co_spawn(strand_, run(), log_spawn_error);
  return {};
}

asio::awaitable<void> SiteAgent::run() {
  auto self = shared_from_this();
  const bool can_fall_back = options_.jwt.empty() && options_.jwt_file.empty() && options_.jwt_secret.previous &&
                             !options_.jwt_secret.previous->empty();
  bool previous_jwt = false;
  while (!stopping_) {
    auto bearer = token(previous_jwt);
    std::shared_ptr<net::WebSocketConnection> conn;
    if (bearer) {
      net::Headers headers;
      headers.set("Authorization", "Bearer " + *bearer);
      headers.set("X-Agent-Id", options_.agent_id);
      auto dialed = co_await net::websocket_connect(strand_, options_.site_url, std::move(headers), options_.ws);
      if (dialed) {
        conn = std::move(*dialed);
      } else if (dialed.error().kind == ErrorKind::unauthorized && can_fall_back && !previous_jwt && !stopping_) {
        // A site that has not rotated yet: the same attempt again with the previous secret.
        spdlog::info("agent: the site refused a token of the current JWT secret; trying the previous one");
        metrics_->failures.Add({}).Increment();
        previous_jwt = true;
        continue;
      } else {
        spdlog::warn("agent: cannot connect to the site: {}", dialed.error().message);
      }
      previous_jwt = false;  // every new attempt starts with the current secret
    } else {
      spdlog::error("agent: {}", bearer.error().message);
    }
    if (stopping_) break;
    if (conn) {
      metrics_->connects.Add({}).Increment();
      const auto since = std::chrono::steady_clock::now();
      spdlog::info("agent: connected to {}", conn->remote_address());
      conn_ = conn;
      connected_ = true;
      metrics_->connected.Set(1);
      co_await serve(conn);
      connected_ = false;
      metrics_->connected.Set(0);
      conn_.reset();
      metrics_->drops.Add({}).Increment();
      if (stopping_) break;
      if (std::chrono::steady_clock::now() - since >= options_.stable_after) backoff_.reset();
      spdlog::warn("agent: connection lost (peer close code {}); reconnecting", conn->peer_close_code());
    } else {
      metrics_->failures.Add({}).Increment();
    }
    const auto wait = backoff_.next();
    spdlog::info("agent: next connection attempt in {} ms", wait.count());
    sleep_.expires_after(wait);
    co_await sleep_.async_wait(kTuple);
  }
}

asio::awaitable<void> SiteAgent::serve(std::shared_ptr<net::WebSocketConnection> conn) {
  for (;;) {
    auto frame = co_await conn->read();
    if (!frame) {
      spdlog::info("agent: {}", frame.error().message);
      co_return;
    }
    CheckedFrame checked = check_job_frame(*frame, {options_.hmac_secret, options_.freshness, now()}, nonces_);
    switch (checked.verdict) {
      case CheckedFrame::Verdict::ignore:
        metrics_->rejected.Add({{"reason", "unreadable"}}).Increment();
        spdlog::warn("agent: dropped a frame: {}", checked.reason);
        break;
      case CheckedFrame::Verdict::reject:
        metrics_->rejected.Add({{"reason", checked.failure.code}}).Increment();
        spdlog::warn("agent: job {} refused: {}", checked.id, checked.failure.code);
        asio::co_spawn(strand_, answer(conn, checked.id, "refused", JobOutcome{false, nullptr, checked.failure}), log_spawn_error);
        break;
      case CheckedFrame::Verdict::accept:
        if (checked.key == crypto::KeySlot::previous) previous_use_.record("hmac", "job " + checked.id);
        if (stopping_) {
          asio::co_spawn(strand_,
                         answer(conn, checked.id, checked.job.job_type, JobOutcome::failed("agent_draining", "Agent shutting down"),
                                checked.key),
                         log_spawn_error);
          break;
        }
        asio::co_spawn(strand_, handle(conn, std::move(checked.job), checked.key), log_spawn_error);
        break;
    }
  }
}

asio::awaitable<void> SiteAgent::handle(std::shared_ptr<net::WebSocketConnection> conn, SiteJob job, crypto::KeySlot key) {
  auto self = shared_from_this();
  ++in_flight_;
  const std::string id = job.id;
  std::string type = job.job_type;
  JobOutcome outcome;
  if (job.job_type == kServerStatus) {
    // A read: nothing to run only once, and nothing worth remembering.
    outcome = co_await execute(std::move(job));
    co_await answer(conn, id, std::string(kServerStatus), std::move(outcome), key);
    --in_flight_;
    co_return;
  }
  if (!co_await first_use_of_nonce(job)) {
    metrics_->rejected.Add({{"reason", "replayed_nonce"}}).Increment();
    spdlog::warn("agent: job {} refused: replayed_nonce (seen by an agent of this database)", id);
    co_await answer(conn, id, "refused", JobOutcome{false, nullptr, {"replayed_nonce", "Replayed nonce", {}, {}}}, key);
    --in_flight_;
    co_return;
  }
  switch (ledger_.claim(id, now(), &outcome)) {
    case JobLedger::Claim::done:
      spdlog::info("agent: job {} seen before: answering its stored outcome", id);
      break;
    case JobLedger::Claim::wait: {
      auto first = co_await ledger_.wait(id);
      outcome = first ? *first : JobOutcome::failed("internal_error", "Unexpected error: the first copy of this job was abandoned");
      break;
    }
    case JobLedger::Claim::run:
      outcome = co_await execute(std::move(job));
      break;
  }
  co_await answer(conn, id, std::move(type), std::move(outcome), key);
  --in_flight_;
}

// The in-memory window has admitted the nonce; the database tells whether another agent sharing
// it (or this one before a restart) already took a frame with the same nonce. A database that
// cannot answer refuses the job, retryably: a replay must not slip through an outage.
asio::awaitable<bool> SiteAgent::first_use_of_nonce(const SiteJob& job) {
  if (!results_ || !blocking_) co_return true;
  const std::int64_t expires = job.ts + options_.freshness.ttl_seconds + options_.freshness.max_skew_seconds;
  auto fresh = co_await blocking_->run([&] { return results_->admit_nonce(job.nonce, expires, now()); });
  if (!fresh) {
    spdlog::warn("agent: cannot record the nonce of job {} ({}): refused", job.id, fresh.error().code);
    co_return false;
  }
  co_return *fresh;
}

asio::awaitable<JobOutcome> SiteAgent::execute(SiteJob job) {
  const std::string id = job.id;
  const std::string type = job.job_type;
  const bool persisted = persisted_type(type) && results_ && blocking_;
  if (persisted) {
    auto stored = co_await blocking_->run([&] { return results_->find(id); });
    if (stored && *stored) {
      ledger_.remember(id, **stored, now());
      co_return **stored;
    }
    if (!stored) spdlog::warn("agent: cannot read stored results ({}); running job {}", stored.error().code, id);
  }
  if (!co_await take_slot()) {
    JobOutcome busy = JobOutcome::failed("agent_busy", "Agent busy: too many jobs waiting");
    if (type != kServerStatus) ledger_.finish(id, busy, false, now());
    co_return busy;
  }
  if (persisted) {
    // Another agent of this database may hold the job (a re-push after a hub or agent change).
    const auto ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
    auto claimed = co_await blocking_->run([&] { return results_->claim(id, options_.agent_id, ms() + options_.claim_lease.count(), ms()); });
    std::optional<JobOutcome> settled;
    if (!claimed) {
      settled = JobOutcome::failed("internal_error", "Unexpected error: the job claim could not be recorded");
    } else if (!*claimed) {
      settled = JobOutcome::failed("request_in_progress", "Another agent is running this job");
    } else if (auto stored = co_await blocking_->run([&] { return results_->find(id); }); stored && *stored) {
      // That agent finished between our first look and the claim.
      co_await blocking_->run([&] { return results_->release(id, options_.agent_id); });
      settled = **stored;
    }
    if (settled) {
      release_slot();
      ledger_.finish(id, *settled, outcome_is_final(*settled), now());
      co_return *settled;
    }
  }
  metrics_->running.Increment();
  const auto started = std::chrono::steady_clock::now();
  JobOutcome outcome = co_await runner_.run(std::move(job));
  metrics_->latency.Add({{"type", type}}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10})
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  metrics_->running.Decrement();
  release_slot();
  const bool final = outcome_is_final(outcome);
  if (final && persisted) {
    auto saved = co_await blocking_->run([&] { return results_->save(id, type, outcome, now()); });
    if (!saved) spdlog::error("agent: job {} done but its outcome was not stored ({})", id, saved.error().code);
  }
  if (persisted) {
    auto released = co_await blocking_->run([&] { return results_->release(id, options_.agent_id); });
    if (!released) spdlog::warn("agent: claim of job {} not released ({}); it runs out by itself", id, released.error().code);
  }
  if (type != kServerStatus) ledger_.finish(id, outcome, final, now());
  co_return outcome;
}

asio::awaitable<void> SiteAgent::answer(std::shared_ptr<net::WebSocketConnection> conn, std::string id, std::string job_type,
                                        JobOutcome outcome, crypto::KeySlot key) {
  metrics_->jobs.Add({{"type", job_type}, {"outcome", outcome.ok ? "ok" : outcome.failure.code}}).Increment();
  const auto& secrets = options_.hmac_secret;
  const std::string& secret = key == crypto::KeySlot::previous && secrets.previous ? *secrets.previous : secrets.current;
  const std::string frame = make_result_frame(id, outcome, secret, now(), uuid4());
  auto sent = co_await conn->send(frame);
  // The connection died: a final outcome stays in the ledger for the site's re-push.
  if (!sent) spdlog::warn("agent: result of job {} not sent: {}", id, sent.error().message);
}

asio::awaitable<bool> SiteAgent::take_slot() {
  if (busy_slots_ < options_.max_concurrent_jobs) {
    ++busy_slots_;
    co_return true;
  }
  if (slot_waiters_.size() >= options_.max_waiting_jobs) co_return false;
  auto waiter = std::make_shared<asio::steady_timer>(strand_, asio::steady_timer::time_point::max());
  slot_waiters_.push_back(waiter);
  co_await waiter->async_wait(kTuple);
  co_return true;  // release_slot handed its slot over to us
}

void SiteAgent::release_slot() {
  if (!slot_waiters_.empty()) {
    slot_waiters_.front()->cancel();
    slot_waiters_.pop_front();
    return;
  }
  --busy_slots_;
}

asio::awaitable<void> SiteAgent::drain() {
  auto task = [self = shared_from_this()]() -> asio::awaitable<void> {
        self->stopping_ = true;
        self->sleep_.cancel();
        asio::steady_timer tick(self->strand_);
        while (self->in_flight_ > 0) {
          tick.expires_after(std::chrono::milliseconds(10));
          co_await tick.async_wait(kTuple);
        }
        if (auto conn = self->conn_) co_await conn->close(1001, "agent shutting down");
  };
  co_await asio::co_spawn(strand_, std::move(task), asio::use_awaitable);
}

}  // namespace tzr::bridge
