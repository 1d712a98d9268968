#pragma once
// The simulated shops on the wire and on the control API:
//   SH handler (after LOGIN): the listing of the shop the bot stands in, with category faults.
//   GET  /sim/shops                 {"generation":n,"shops":[{"code","items"}]}
//   GET  /sim/shops/{code}/items    [{"id","category","name","type","price_cents","count","owner","grouped"}]
//   POST /sim/shops/advance         the world one step on; the changes (ids, cents, counts)
//   GET  /sim/shops/changes         the changes of the last step
//   POST /sim/shops/fault           {"category":"a","from_page":1,"mode":"drop|error|silent|ok","times":-1}
//                                   ("ok" clears every fault)
#include "game/sim/shop_world.hpp"
#include "game/sim/sim_state.hpp"
#include "net/router.hpp"

#include <memory>

namespace tzr::game::sim {

// Installs the SH handler on state. The world must outlive the state's use of it (shared).
void install_shop_handlers(SimState& state, std::shared_ptr<SimShops> shops);

// shops must outlive the router.
void add_shop_control_routes(net::Router& router, SimShops& shops);

// The bot logins of the simulated shops, appended to extra (which may LOGIN unregistered).
std::vector<std::string> with_shop_bots(std::vector<std::string> extra);

// SimSession var a handler sets to have the connection closed without a reply.
inline constexpr const char* kCloseConnectionVar = "sim.close";

}  // namespace tzr::game::sim
