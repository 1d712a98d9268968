#include "registration/game_db_locks.hpp"

#include "crypto/hash.hpp"

namespace tzr::registration {

std::vector<std::string> GameDbLocks::names_for(std::int64_t telegram_id, std::string_view login_key) {
  // The login is hashed: MySQL lock names are limited to 64 characters.
  return {"tzr:reg:tg:" + std::to_string(telegram_id), "tzr:reg:login:" + crypto::sha256_hex(login_key).substr(0, 40)};
}

Result<std::unique_ptr<storage::Session>> GameDbLocks::acquire(const std::vector<std::string>& names) {
  auto session = db_->dedicated_session();
  if (!session) return session.error();
  for (const auto& name : names) {
    storage::Value params[] = {storage::Value{name}, storage::Value{static_cast<std::int64_t>(timeout_seconds_)}};
    auto r = (*session)->query("SELECT GET_LOCK(?, ?)", params);
    if (!r) return r.error();  // the session's destructor releases what was taken
    if (r->rows.empty() || r->rows[0].is_null(0) || r->rows[0].integer(0) != 1)
      return Error::unavailable("registration_busy", "another registration for this player is in progress, try again");
  }
  return std::move(*session);
}

}  // namespace tzr::registration
