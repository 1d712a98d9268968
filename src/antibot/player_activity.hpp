#pragma once
// A player's play sessions and most used map cells in a window (the player page's "sessions" and
// "locations" panels). A session is a run of battles in which no idle — a battle's start minus
// the latest end before it — exceeds the anti-bot session break (FeatureOptions::session_break_s),
// the same rule the detector's session features use.
#include "antibot/analytics.hpp"
#include "antibot/features.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tzr::antibot {

struct PlaySession {
  std::int64_t start = 0, end = 0;  // first battle's start, latest end (UTC seconds)
  std::int64_t battles = 0;
};
// battles in any order; sessions oldest first. A start of 0 or after the end counts as the end.
std::vector<PlaySession> play_sessions(std::vector<PlayerBattle> battles, std::int64_t session_break_s);

struct LocationUse {
  std::int32_t x = 0, y = 0;
  std::int64_t battles = 0, last_ts = 0;
};
// Every cell played, most battles first, then the latest seen, then (x, y).
std::vector<LocationUse> top_locations(const std::vector<PlayerBattle>& battles);

// "2025-10-02T21:10:20+03:00": the instant in the zone's local time with its offset.
std::string iso_local(std::int64_t utc_seconds, const TimeZone& zone);

}  // namespace tzr::antibot
