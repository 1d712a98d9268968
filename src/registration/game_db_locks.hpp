#pragma once
// Named locks in a MySQL game DB (GET_LOCK), so that several tzrhost processes serialise the
// registrations of one Telegram user or one login the way the in-process locks do inside one
// (registration.md §2.5 [T] step 3). The operator's tables need no change.
#include "core/error.hpp"
#include "storage/database.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tzr::registration {

// It owns a small connection pool of its own: lock holders keep a connection across the game
// call, and must never starve the queries they run meanwhile. Callers bound the number of
// concurrent holders to lanes() so that holders never wait for each other's connections.
class GameDbLocks {
 public:
  GameDbLocks(std::unique_ptr<storage::Database> db, std::size_t lanes, int timeout_seconds)
      : db_(std::move(db)), lanes_(lanes == 0 ? 1 : lanes), timeout_seconds_(timeout_seconds) {}
  std::size_t lanes() const { return lanes_; }

  // Blocking. Takes every lock in order on one connection and returns that connection: the locks
  // are held until it is destroyed (do that on a blocking thread). A lock still held by another
  // process after the timeout: ErrorKind::unavailable, code "registration_busy".
  Result<std::unique_ptr<storage::Session>> acquire(const std::vector<std::string>& names);

  // MySQL lock names for a registration (at most 64 characters each).
  static std::vector<std::string> names_for(std::int64_t telegram_id, std::string_view login_key);

 private:
  std::unique_ptr<storage::Database> db_;
  std::size_t lanes_;
  int timeout_seconds_;
};

}  // namespace tzr::registration
