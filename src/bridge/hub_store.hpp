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
  enum class Status { pending, done, expired } status = Status::pending;
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

 private:
  storage::Database& db_;
};

}  // namespace tzr::bridge
