#pragma once
// The hub's jobs in the platform database (table bridge_hub_jobs): a job pending at a hub restart
// is pushed again; a finished one answers a retried request carrying the same X-Request-Id.
// Blocking: call through a BlockingPool.
#include "bridge/protocol.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tzr::bridge {

struct HubJob {
  std::string id;
  std::string job_type;
  std::string fingerprint;      // what the request asked, to refuse a reused id with another body
  boost::json::object payload;  // as pushed (the password encrypted)
  // answered: a retryable failure went back to the caller; the job runs again only when the
  // caller retries with the same X-Request-Id.
  enum class Status { pending, done, expired, answered } status = Status::pending;
  std::optional<JobOutcome> outcome;
  std::int64_t created_at = 0;
};

class HubJobStore {
 public:
  explicit HubJobStore(storage::Database& db) : db_(db) {}
  // Error db_unique_violation (conflict) when the id exists.
  Status insert(const HubJob& job);
  Result<std::optional<HubJob>> find(const std::string& id);
  Status finish(const std::string& id, const JobOutcome& outcome, std::int64_t now);
  // Pending jobs created at or after `since`, oldest first; older pending ones become expired.
  Result<std::vector<HubJob>> pending_since(std::int64_t since, std::size_t limit);
  Status expire_before(std::int64_t before);

  // Several hubs on one database (claim times in Unix milliseconds). claim: true when `hub` may
  // push the job now — it is not done and no other hub holds a live claim on it.
  Result<bool> claim(const std::string& id, const std::string& hub, std::int64_t until, std::int64_t now);
  Status renew(const std::vector<std::string>& ids, const std::string& hub, std::int64_t until);
  // A retryable failure: stored for the hub whose caller waits, the claim given up.
  Status answer(const std::string& id, const JobOutcome& outcome);
  // A caller's retry of an answered or expired job: pending again, as if made `now`.
  Status reopen(const std::string& id, std::int64_t now);
  // Deletes finished, answered and expired jobs created before `before` (their X-Request-Id no
  // longer replays); returns how many went.
  Result<std::int64_t> purge(std::int64_t before);
  // Pending jobs created at or after `since` that no hub holds, oldest first.
  Result<std::vector<HubJob>> claimable(std::int64_t since, std::int64_t now, std::size_t limit);

 private:
  storage::Database& db_;
};

}  // namespace tzr::bridge
