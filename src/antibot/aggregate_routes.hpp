#pragma once
// The aggregate analytics routes of the battles service (antibot-analytics.md §7.3 players/top,
// §7.4, §7.5; docs/api.md "Aggregate analytics"): top players by a whitelisted metric, the global
// activity heatmap and peak hours in a display zone, clan control, clan wars and a clan's members, resource inflow
// and its anomalies, monster breakdown and one monster kind, and the global stats. Read only and
// open like the other analytics reads. Lists answer {ok, period_days, generated_at, items, …}.
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "storage/database.hpp"

#include <string>

namespace tzr::antibot {

// default_tz: antibot.timezone, the zone of the time-of-day routes when the request has no tz.
void add_aggregate_routes(net::Router& router, storage::Database& db, BlockingPool& blocking, std::string default_tz);

}  // namespace tzr::antibot
