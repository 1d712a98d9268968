#pragma once
// A game-server simulator on the real socket protocol (NUL-framed XML over TCP), for demos and
// tests: accounts in memory, every received message recorded, fault modes globally or per
// connection. Deterministic given its seed. Runs on its own thread; the control API
// (sim_control.hpp) and tests reach its state through state().
#include "core/error.hpp"
#include "game/sim/shop_world.hpp"
#include "game/sim/sim_state.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tzr::game::sim {

struct SimOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 5190;  // 0: the OS picks one
  FaultSetting fault;         // the start-up fault mode (reset() comes back to it)
  std::uint64_t seed = 1;
  std::string greeting;                  // sent (with its NUL) on every new connection when not empty
  std::vector<std::string> bot_logins;   // may LOGIN without an ADDUSER
  std::size_t max_message_bytes = 1 << 20;  // a client sending more without a NUL is cut off
};

class GameSim {
 public:
  // The standard handlers (ADDUSER, NEWPAS, LOGIN, GETME, N) are installed; add more through
  // state().set_handler before or after start().
  explicit GameSim(SimOptions options);
  ~GameSim();  // stop()
  GameSim(const GameSim&) = delete;
  GameSim& operator=(const GameSim&) = delete;

  // Binds now (a taken port fails here, with code "listen_failed") and serves on a thread.
  Result<std::uint16_t> start();
  // Closes every connection and joins the thread. Idempotent.
  void stop();

  const std::string& address() const;
  std::uint16_t port() const;  // the bound port once started
  SimState& state();
  SimShops& shops();  // the simulated shops (SH), see shop_control.hpp

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tzr::game::sim
