#pragma once
// Password reset (registration.md §2.6 `/recover`, §8.3): a Telegram user sets a new password on
// the game accounts linked to them — one NEWPAS per login, each reply checked. The Telegram gate
// applies as for registration, and a per-user rate limit bounds how often it can be asked.
#include "core/blocking.hpp"
#include "gamedb/game_db.hpp"
#include "gateway/rate_limit.hpp"
#include "registration/keyed_mutex.hpp"
#include "registration/ports.hpp"
#include "registration/validation.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tzr::game {
class GameClient;
}

namespace tzr::registration {

// Setting an account's password on the game server (NEWPAS). Errors are GameClient's codes.
class GamePasswords {
 public:
  virtual ~GamePasswords() = default;
  virtual boost::asio::awaitable<Result<game::GameReply>> set_password(std::string login, std::string password) = 0;
};

class SocketGamePasswords final : public GamePasswords {
 public:
  explicit SocketGamePasswords(game::GameClient& client) : client_(client) {}
  boost::asio::awaitable<Result<game::GameReply>> set_password(std::string login, std::string password) override;

 private:
  game::GameClient& client_;
};

struct PasswordResetRequest {
  std::int64_t telegram_id = 0;
  std::string password;                         // the new one; same rule as registration
  std::optional<std::string> login;             // one login, else every login of the user
  std::optional<TelegramProof> telegram_proof;  // body "telegram_auth" / "telegram_init_data"
};

using PasswordResetValidation = std::variant<PasswordResetRequest, ValidationFailure>;
PasswordResetValidation validate_password_reset(const boost::json::object& body);

struct ResetResult {
  Status status;                      // an error unless every login was changed
  std::vector<std::string> changed;   // logins whose password the game confirmed (also on partial failure)
  std::int64_t retry_after_ms = 0;    // with rate_limited
};

struct PasswordResetPolicy {
  gateway::RateRule per_telegram{3, 2};  // per minute, burst
};

// Stable outcomes (Error.code → HTTP by ErrorKind): rate_limited 429, the Telegram gate's codes
// (403/503), login_not_found 404 (the login is not the caller's, or the caller has none: other
// users' logins are never confirmed), db_unavailable 503, game_server_unreachable 502,
// game_server_timeout 504, game_server_error 502 (refused or abnormal reply), and
// password_reset_incomplete 502 when some logins changed and others did not (fields: login →
// reason).
class ResetPassword {
 public:
  ResetPassword(const gamedb::PlayerDirectory& players, GamePasswords& game, TelegramGate& telegram, BlockingPool& blocking,
                gateway::RateLimiter& limiter, PasswordResetPolicy policy = {});

  boost::asio::awaitable<ResetResult> run(PasswordResetRequest request);

 private:
  boost::asio::awaitable<ResetResult> run_locked(PasswordResetRequest request);

  const gamedb::PlayerDirectory& players_;
  GamePasswords& game_;
  TelegramGate& telegram_;
  BlockingPool& blocking_;
  gateway::RateLimiter& limiter_;
  PasswordResetPolicy policy_;
  KeyedMutex locks_;  // one reset per Telegram user at a time: no mix of two new passwords
};

}  // namespace tzr::registration
