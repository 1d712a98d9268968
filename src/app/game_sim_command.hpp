#pragma once
// `tzrhost game-sim`: the game-server simulator and its control API, until SIGINT/SIGTERM.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tzr::game::sim {
class GameSim;
}
namespace tzr::net {
struct HttpService;
}

namespace tzr::app {

struct GameSimOptions {
  std::string bind = "127.0.0.1";
  int port = 5190;          // 0: any free port
  int control_port = 5191;  // 0: any free port
  std::string mode = "ok";  // a fault mode name (game/sim/sim_state.hpp)
  int delay_ms = 0;
  std::uint64_t seed = 1;
  std::string greeting;                 // sent on every new connection when not empty
  std::vector<std::string> bot_logins;  // accounts that may LOGIN without an ADDUSER
  std::string battles_dir;              // battle logs served for <POST t="//blook ID"/> (empty: none)
};

// The simulator's control API (fault modes, received frames, accounts, shops) as a service.
std::shared_ptr<net::HttpService> game_sim_control_service(game::sim::GameSim& sim, const std::string& bind, int port);

// Prints "tzrhost: game-sim listening on tcp://ADDR:PORT" and
// "tzrhost: game-sim-control listening on http://ADDR:PORT" once both ports are bound.
int cmd_game_sim(const GameSimOptions& options);

}  // namespace tzr::app
