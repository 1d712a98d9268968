#pragma once
// `tzrhost game-sim`: the game-server simulator and its control API, until SIGINT/SIGTERM.
#include <cstdint>
#include <string>
#include <vector>

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

// Prints "tzrhost: game-sim listening on tcp://ADDR:PORT" and
// "tzrhost: game-sim-control listening on http://ADDR:PORT" once both ports are bound.
int cmd_game_sim(const GameSimOptions& options);

}  // namespace tzr::app
