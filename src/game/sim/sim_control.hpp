#pragma once
// The simulator's control API (JSON over our HTTP server), for tests and demos:
//   GET  /health
//   GET  /sim/received   [{"conn":1,"tag":"ADDUSER","raw":"<ADDUSER …/>","at_ms":…}, …]
//   GET  /sim/accounts   [{"id":1,"login":"…","password_hash":"…","gender":"1","email":"…"}, …]
//   GET  /sim/sessions   {"<folded login>":{"open":1,"max_open":1,"logins":3}, …}
//   GET  /sim/mode       {"mode":"ok","delay_ms":0,"next_connection":null|{"mode":…,"delay_ms":…}}
//   POST /sim/mode       {"mode":"err","delay_ms":0,"scope":"global"|"next_connection"}
//   POST /sim/reset      forgets accounts and records, restores the start-up mode
#include "game/sim/sim_state.hpp"
#include "net/router.hpp"

namespace tzr::game::sim {

// state must outlive the router.
void add_control_routes(net::Router& router, SimState& state);

}  // namespace tzr::game::sim
