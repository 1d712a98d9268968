#pragma once
// The agent's idempotency by job id (site-bridge.md §5 FIX): a job id seen before gets its stored
// outcome again instead of running twice; a duplicate that arrives while the first copy runs
// waits for it. Final outcomes of jobs that change something (register, reset_password) are also
// persisted, so an agent restart does not run them again.
#include "bridge/protocol.hpp"
#include "storage/database.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tzr::bridge {

// Outcome ⇄ JSON text, for storage.
std::string outcome_to_json(const JobOutcome& outcome);
std::optional<JobOutcome> outcome_from_json(std::string_view text);

// Persisted final outcomes (table bridge_agent_results). Blocking: call through a BlockingPool.
class AgentResultStore {
 public:
  explicit AgentResultStore(storage::Database& db) : db_(db) {}
  Result<std::optional<JobOutcome>> find(const std::string& job_id);
  Status save(const std::string& job_id, const std::string& job_type, const JobOutcome& outcome, std::int64_t now);
  Result<std::int64_t> purge(std::int64_t older_than);  // rows removed

  // Several agents on one database (times in Unix milliseconds). claim: true when this agent
  // may run the job now (no other agent holds it, or that agent's claim ran out: it died).
  Result<bool> claim(const std::string& job_id, const std::string& agent_id, std::int64_t until, std::int64_t now);
  Status release(const std::string& job_id, const std::string& agent_id);
  // True the first time a nonce is seen while it is live; false for a replay to any agent.
  // Expired nonces are swept now and then.
  Result<bool> admit_nonce(const std::string& nonce, std::int64_t expires_at, std::int64_t now);

 private:
  storage::Database& db_;
  std::atomic<std::uint32_t> admitted_{0};
};

// In memory, on one executor (the agent's single I/O thread): not thread-safe by design.
class JobLedger {
 public:
  struct Limits {
    std::int64_t ttl_seconds = 600;  // IDEMPOTENCY_TTL
    std::size_t capacity = 10'000;   // IDEMPOTENCY_MAX; the oldest finished entries go first
  };
  JobLedger(boost::asio::any_io_executor executor, Limits limits) : executor_(std::move(executor)), limits_(limits) {}

  enum class Claim { run, done, wait };
  // run: the caller owns the job and must call finish() (or abandon()); done: `outcome` holds
  // the stored outcome; wait: another copy is running, co_await wait() for it.
  Claim claim(const std::string& id, std::int64_t now, JobOutcome* outcome);
  // The outcome of a running job once it finishes (or nullopt if it was abandoned).
  boost::asio::awaitable<std::optional<JobOutcome>> wait(std::string id);
  // Records the outcome; final ones are remembered for ttl_seconds, transient ones forgotten.
  void finish(const std::string& id, const JobOutcome& outcome, bool final, std::int64_t now);
  void remember(const std::string& id, const JobOutcome& outcome, std::int64_t now);  // loaded from storage
  void abandon(const std::string& id);
  std::size_t size() const { return entries_.size(); }
  std::size_t running() const { return running_; }

 private:
  struct Entry {
    bool done = false;
    JobOutcome outcome;
    std::int64_t done_at = 0;
    std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters;
    std::optional<JobOutcome> last;  // what waiters read when woken
  };
  void expire(std::int64_t now);
  void wake(Entry& e);

  boost::asio::any_io_executor executor_;
  Limits limits_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
  std::deque<std::pair<std::int64_t, std::string>> finished_;  // in finishing order
  std::size_t running_ = 0;
};

}  // namespace tzr::bridge
