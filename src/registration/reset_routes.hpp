#pragma once
// HTTP entry point of the password reset: the orchestrator's POST /internal/password/reset
// (behind the same bearer token as /internal/register).
#include "core/blocking.hpp"
#include "game/game_client.hpp"
#include "gamedb/game_db.hpp"
#include "gateway/rate_limit.hpp"
#include "net/router.hpp"
#include "registration/ports.hpp"
#include "registration/reset_password.hpp"

namespace tzr::registration {

// Everything here must outlive the router's service.
struct PasswordResetHttp {
  const gamedb::PlayerDirectory& players;
  game::GameClient& game_client;
  TelegramGate& telegram;
  BlockingPool& blocking;  // the game DB's pool
  gateway::RateLimiter& limiter;
  std::size_t json_max_depth = 32;
  PasswordResetPolicy policy{};
};

// Builds the use case (owned by the route) and adds the route.
void add_password_reset_routes(net::Router& router, PasswordResetHttp deps);

// The route over a given use case (tests).
void add_password_reset_route(net::Router& router, std::shared_ptr<ResetPassword> use_case, std::size_t json_max_depth);

}  // namespace tzr::registration
