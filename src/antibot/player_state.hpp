#pragma once
// Incremental per-player state (antibot-analytics.md §11.4): updated in O(1) per battle, in end
// time order, at ingest or by a rebuild over the battles store. It keeps what a later scorer or
// report needs without re-reading the history: last end, idle-time Welford statistics, the open
// session and marathon run, a 24×7 UTC histogram, a bounded location set, PvP/PvE counts, kills,
// survival, loot.
#include "antibot/features.hpp"
#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace tzr::antibot {

struct PlayerState {
  static constexpr std::size_t kMaxLocations = 256;

  std::int64_t battles = 0, first_end = 0, last_end = 0;  // the earliest and the latest end so far
  std::int64_t late = 0;  // battles that arrived ending before last_end (a rebuild reorders them)
  // In-session idle times (start − latest previous end, 0 ≤ idle ≤ session break), Welford.
  double idle_n = 0, idle_mean = 0, idle_m2 = 0;
  std::int64_t overlaps = 0, same_second = 0;
  // Closed sessions, and the open one.
  std::int64_t sessions_closed = 0, session_first = 0, session_battles = 0;
  double session_hours_sum = 0, session_hours_max = 0;
  // Closed marathons, and the open run without a natural break.
  std::int64_t marathons = 0, marathon_battles = 0, run_first = 0, run_battles = 0;
  double longest_marathon_hours = 0;
  std::array<std::int64_t, 168> week_hours{};  // (ISO weekday − 1) × 24 + UTC hour
  // Sorted; past kMaxLocations the smallest ones are kept, so the set does not depend on the order.
  std::vector<std::pair<std::int32_t, std::int32_t>> locations;
  bool locations_overflow = false;
  std::int64_t pvp = 0, kills_monsters = 0, kills_players = 0, survived = 0, loot = 0;

  void apply(const PlayerBattle& b, const FeatureOptions& breaks);
  std::int64_t sessions() const { return sessions_closed + (battles > 0 ? 1 : 0); }
  // Marathons including the open run when it already qualifies.
  std::int64_t marathon_count(const FeatureOptions& breaks) const;
  double idle_cv() const;  // NaN without idles or with a zero mean
};

// One row of antibot_player_days: a player's battles that ended on one UTC day. Every field but
// idle_n / idle_sum (idle times against the state's previous end) is independent of the order
// the battles arrived in.
struct PlayerDay {
  std::int64_t battles = 0, pvp = 0, survived = 0, kills_monsters = 0, kills_players = 0, loot = 0;
  std::int64_t idle_n = 0, hours_mask = 0;  // hours_mask: bit h = a battle ended in UTC hour h
  double idle_sum = 0;
  void add(const PlayerDay& other);
};

std::int64_t utc_day(std::int64_t ts);  // days since 1970-01-01, rounded down

// Applies b to the state and counts it in day (the row of b's UTC day): the one step the ingest
// hook and the rebuild share, so that both write the same rows.
void apply_battle(PlayerState& state, PlayerDay& day, const PlayerBattle& b, const FeatureOptions& breaks);

boost::json::value to_json(const PlayerState& s);
Result<PlayerState> player_state_from_json(const boost::json::value& json);

}  // namespace tzr::antibot
