#pragma once
// The site agent (site-bridge.md §2, §5, §6): keeps one outbound WebSocket to the site's hub,
// authenticates with a JWT, checks every job (TTL, skew, HMAC, nonce replay), runs it once per
// job id with bounded concurrency, and answers with a signed result. Reconnects with backoff
// after every failure, including the loss of an established connection (the reference's
// busy-loop defect).
#include "bridge/job_ledger.hpp"
#include "bridge/job_runner.hpp"
#include "bridge/previous_key.hpp"
#include "core/blocking.hpp"
#include "core/metrics.hpp"
#include "net/websocket.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace tzr::bridge {

// 3 s ×2 up to 30 s, plus 0–30 % additive jitter, capped at the maximum (§6). uniform01 is
// injected so tests see exact sequences.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max, std::function<double()> uniform01)
      : min_(min), max_(max), current_(min), uniform01_(std::move(uniform01)) {}
  std::chrono::milliseconds next();  // the wait before the next attempt; then doubles
  void reset() { current_ = min_; }

 private:
  std::chrono::milliseconds min_, max_, current_;
  std::function<double()> uniform01_;
};

struct AgentOptions {
  std::string site_url;      // ws(s)://site/ws/pull
  std::string agent_id = "agent";
  std::string jwt;           // a fixed token, or:
  std::string jwt_file;      // re-read before every connection (rotation without a restart), or:
  // The agent mints a short token per connection (shared-secret setups), with the current secret;
  // after the site refuses that token it tries the previous one once (a site not rotated yet).
  crypto::SecretRing jwt_secret;
  net::WebSocketClientOptions ws;
  std::chrono::milliseconds backoff_min{3000};
  std::chrono::milliseconds backoff_max{30000};
  std::chrono::seconds stable_after{30};  // a connection that lived this long resets the backoff
  // Jobs may be signed with either; a result is signed with the one that verified its job, so a
  // site that has not rotated yet can read it.
  crypto::SecretRing hmac_secret;
  crypto::FreshnessPolicy freshness;
  std::size_t max_concurrent_jobs = 16;
  std::size_t max_waiting_jobs = 1000;  // beyond: answered "agent_busy" at once
  JobLedger::Limits idempotency;
  // How long this agent's claim on a running job keeps other agents of the same database off it;
  // longer than a local call can take, so only a dead agent's claim runs out.
  std::chrono::milliseconds claim_lease{20'000};
};

class SiteAgent : public std::enable_shared_from_this<SiteAgent> {
 public:
  // results/blocking may be null: then nothing is persisted (status-only agents, tests).
  SiteAgent(boost::asio::any_io_executor executor, AgentOptions options, JobRunner& runner, AgentResultStore* results,
            BlockingPool* blocking, Metrics& metrics);
  ~SiteAgent();

  // Validates the options (a token source, the secret) and starts connecting.
  Status start();
  // Stops taking jobs, lets running ones finish and answer, then closes with 1001.
  boost::asio::awaitable<void> drain();
  bool connected() const { return connected_.load(); }

 private:
  struct Instruments;
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> serve(std::shared_ptr<net::WebSocketConnection> conn);
  boost::asio::awaitable<void> handle(std::shared_ptr<net::WebSocketConnection> conn, SiteJob job, crypto::KeySlot key);
  boost::asio::awaitable<JobOutcome> execute(SiteJob job);
  boost::asio::awaitable<void> answer(std::shared_ptr<net::WebSocketConnection> conn, std::string id, std::string job_type,
                                      JobOutcome outcome, crypto::KeySlot key = crypto::KeySlot::current);
  boost::asio::awaitable<bool> take_slot();
  void release_slot();
  Result<std::string> token(bool previous_secret) const;
  std::int64_t now() const;
  boost::asio::awaitable<bool> first_use_of_nonce(const SiteJob& job);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  AgentOptions options_;
  JobRunner& runner_;
  AgentResultStore* results_;
  BlockingPool* blocking_;
  std::unique_ptr<Instruments> metrics_;
  PreviousKeyUse previous_use_;
  JobLedger ledger_;
  crypto::NonceWindow nonces_;
  Backoff backoff_;
  boost::asio::steady_timer sleep_;
  std::shared_ptr<net::WebSocketConnection> conn_;
  std::atomic<bool> connected_{false};
  bool stopping_ = false;
  std::size_t busy_slots_ = 0;
  std::size_t in_flight_ = 0;  // handle() coroutines alive
  std::deque<std::shared_ptr<boost::asio::steady_timer>> slot_waiters_;
};

}  // namespace tzr::bridge
