#pragma once
// What the registration use case needs from the outside, as interfaces it can be tested with.
#include "core/error.hpp"
#include "game/protocol.hpp"
#include "registration/validation.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace tzr::registration {

// Telegram group membership and verified identity. With no bot token configured the checks are
// off (AllowAllTelegram). Errors: not_in_telegram_group (403), telegram_auth_required /
// telegram_auth_invalid (403), telegram_unavailable (503, when the policy fails closed).
class TelegramGate {
 public:
  virtual ~TelegramGate() = default;
  // By value: a coroutine must own its arguments.
  virtual boost::asio::awaitable<Status> admit(std::int64_t telegram_id, std::optional<TelegramProof> proof) = 0;
};

class AllowAllTelegram final : public TelegramGate {
 public:
  boost::asio::awaitable<Status> admit(std::int64_t, std::optional<TelegramProof>) override { co_return Status{}; }
};

// Account creation on the game server (ADDUSER). The error codes are GameClient's
// (game_unreachable, game_timeout, game_no_response, game_protocol_error).
class GameAccounts {
 public:
  virtual ~GameAccounts() = default;
  virtual boost::asio::awaitable<Result<game::GameReply>> add_user(game::AddUser account) = 0;
};

}  // namespace tzr::registration
