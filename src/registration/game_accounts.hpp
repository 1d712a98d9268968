#pragma once
#include "game/game_client.hpp"
#include "registration/ports.hpp"

namespace tzr::registration {

// GameAccounts over the game socket: one ADDUSER frame per call.
class SocketGameAccounts final : public GameAccounts {
 public:
  explicit SocketGameAccounts(game::GameClient& client) : client_(client) {}
  boost::asio::awaitable<Result<game::GameReply>> add_user(game::AddUser account) override;

 private:
  game::GameClient& client_;
};

}  // namespace tzr::registration
