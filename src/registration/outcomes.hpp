#pragma once
// What became of every registration attempt (ok or its stable error code), for the operator:
// a table of its own (migration 102), written in batches from a bounded in-memory queue so that
// recording never fails or delays a registration, read by the admin routes (outcome_routes.hpp)
// and pruned after registration.outcomes_retention_days. No password, Telegram id or IP is
// kept; the login asked for is, so the reads are admin-only.
#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tzr::registration {

struct RegistrationOutcome {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t at = 0;  // Unix seconds, when the attempt finished
  std::string code;     // "ok" or the answer's error code
  std::string login;    // as asked (up to kMaxOutcomeLogin bytes), "" when the body had none
  std::string source;   // entry point: orchestrator, facade, gateway:<API key name>, telegram_bot
  std::int64_t duration_ms = 0;
};

inline constexpr std::size_t kMaxOutcomeLogin = 64;
inline constexpr std::size_t kMaxOutcomeCode = 64;
// A login as it may be recorded: at most kMaxOutcomeLogin bytes, never cut inside a UTF-8
// sequence, control characters as '?'.
std::string outcome_login(std::string_view login);

struct OutcomeFilter {
  std::optional<std::string> code;
  std::int64_t from = 0, to = 0;         // at in [from, to)
  std::optional<std::int64_t> before_id;  // keyset: only ids below this (the previous page's last)
  std::int64_t limit = 50;
};

struct CodeCount {
  std::string code;
  std::int64_t count = 0;
};
struct DayCount {
  std::int64_t day = 0;  // UTC day number (at / 86400)
  std::string code;
  std::int64_t count = 0;
};

// Counts of [first_day, first_day + days): by code (most first, then code) and per day, every
// day present (zero-filled), each with its codes.
struct OutcomeSummary {
  std::int64_t total = 0;
  std::vector<CodeCount> by_code;
  struct Day {
    std::int64_t day = 0, total = 0;
    std::map<std::string, std::int64_t> by_code;
  };
  std::vector<Day> by_day;
};
OutcomeSummary summarize(const std::vector<DayCount>& rows, std::int64_t first_day, std::int64_t days);

class OutcomeStore {
 public:
  explicit OutcomeStore(storage::Database& db) : db_(db) {}
  Status append(const std::vector<RegistrationOutcome>& batch);  // one transaction
  // Newest first (by id).
  Result<std::vector<RegistrationOutcome>> recent(const OutcomeFilter& f) const;
  Result<std::vector<DayCount>> day_counts(std::int64_t from, std::int64_t to) const;
  Result<std::int64_t> prune_before(std::int64_t at);

 private:
  storage::Database& db_;
};

// The bounded queue between the registration paths and the store. record() only takes a mutex;
// flush() (on the blocking pool) writes what is queued. When the store is down the queue keeps
// the newest max_pending outcomes and counts the ones it dropped; a batch the store refuses for
// another reason (not an outage) is dropped and counted too.
class OutcomeRecorder {
 public:
  OutcomeRecorder(OutcomeStore& store, std::size_t max_pending = 10'000) : store_(store), max_pending_(max_pending) {}
  void record(RegistrationOutcome outcome);
  // Writes the queued outcomes; on failure they stay queued for the next flush.
  Status flush();
  std::int64_t dropped() const;
  OutcomeStore& store() { return store_; }

 private:
  OutcomeStore& store_;
  const std::size_t max_pending_;
  mutable std::mutex mu_;
  std::deque<RegistrationOutcome> pending_;
  std::int64_t dropped_ = 0;
  std::mutex flush_mu_;  // one writer at a time keeps the ids in the order of the attempts
};

}  // namespace tzr::registration
