#pragma once
// The rating and churn routes of the battles service (antibot-analytics.md §7.4; docs/decisions.md
// "Ratings and churn"): GET /analytics/pvp/elo and /analytics/pve/elo (the window's Elo ladders,
// ratings.hpp) and GET /analytics/predictions/churn (churn.hpp), whose rows carry the bot
// detector's verdict and the playstyle when those models are installed. Read only.
#include "antibot/http.hpp"
#include "antibot/playstyle_routes.hpp"
#include "net/router.hpp"

namespace tzr::antibot {

void add_rating_routes(net::Router& router, storage::Database& db, BlockingPool& blocking, AntibotHttp& antibot,
                       PlaystyleModelSource playstyle);

}  // namespace tzr::antibot
