#pragma once
// GET /api/analytics/player/{login}/sessions and /api/analytics/player/{login}/locations on the
// battles service (read only, open like the other analytics reads): a player's play sessions in
// the window, with local times in the asked zone (tz, as the player heatmap), and the map cells
// the player fought in most.
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "storage/database.hpp"

#include <string>

namespace tzr::antibot {

void add_player_activity_routes(net::Router& router, storage::Database& db, BlockingPool& blocking, std::string default_tz);

}  // namespace tzr::antibot
