#pragma once
// The registration use case, one implementation behind every entry point (orchestrator,
// facade, site bridge): Telegram checks → per-user lock → limit and uniqueness → ADDUSER once →
// link row only after the game said OK → outbox event.
#include "core/blocking.hpp"
#include "gamedb/game_db.hpp"
#include "registration/game_db_locks.hpp"
#include "registration/keyed_mutex.hpp"
#include "registration/outbox.hpp"
#include "registration/ports.hpp"
#include "registration/validation.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <string>

namespace tzr::registration {

struct RegistrationPolicy {
  int max_accounts_per_telegram = 5;
  std::string adduser_email = "test@test.ru";
  // Game error code → API code; "login_taken" becomes 409, anything else listed 403, unlisted 502.
  std::map<std::string, std::string> game_error_codes{{"USER_EXISTS", "login_taken"}, {"LOGIN_EXISTS", "login_taken"}};
};

// Stable outcomes (Error.code → HTTP by ErrorKind):
//   not_in_telegram_group 403, limit_exceeded 403, login_taken 409, game_server_error 502,
//   game_server_unreachable 502, game_server_timeout 504, db_unavailable 503.
class RegisterPlayer {
 public:
  // db_locks: named locks across processes (MySQL game DB); nullptr inside one process only.
  RegisterPlayer(const gamedb::PlayerDirectory& players, GameAccounts& game, TelegramGate& telegram, BlockingPool& blocking,
                 EventOutbox& outbox, RegistrationPolicy policy, GameDbLocks* db_locks = nullptr);

  // By value: a coroutine must own its arguments (callers may pass temporaries).
  boost::asio::awaitable<Status> run(RegistrationRequest request);

 private:
  boost::asio::awaitable<Status> run_locked(const RegistrationRequest& request);

  const gamedb::PlayerDirectory& players_;
  GameAccounts& game_;
  TelegramGate& telegram_;
  BlockingPool& blocking_;
  EventOutbox& outbox_;
  RegistrationPolicy policy_;
  GameDbLocks* db_locks_;
  KeyedMutex locks_;
};

}  // namespace tzr::registration
