#include "antibot/player_activity.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <tuple>

namespace tzr::antibot {

std::vector<PlaySession> play_sessions(std::vector<PlayerBattle> battles, std::int64_t session_break_s) {
  for (auto& b : battles)
    if (b.start_ts == 0 || b.start_ts > b.end_ts) b.start_ts = b.end_ts;
  std::sort(battles.begin(), battles.end(), [](const PlayerBattle& a, const PlayerBattle& b) {
    return std::tie(a.end_ts, a.start_ts, a.battle_id) < std::tie(b.end_ts, b.start_ts, b.battle_id);
  });
  std::vector<PlaySession> out;
  for (const auto& b : battles) {
    if (out.empty() || b.start_ts - out.back().end > session_break_s) {
      out.push_back({b.start_ts, b.end_ts, 1});
      continue;
    }
    auto& s = out.back();
    s.start = std::min(s.start, b.start_ts);  // an overlapping battle may have started earlier
    s.end = std::max(s.end, b.end_ts);
    s.battles += 1;
  }
  return out;
}

std::vector<LocationUse> top_locations(const std::vector<PlayerBattle>& battles) {
  std::map<std::pair<std::int32_t, std::int32_t>, LocationUse> cells;
  for (const auto& b : battles) {
    auto& c = cells[{b.loc_x, b.loc_y}];
    c.x = b.loc_x;
    c.y = b.loc_y;
    c.battles += 1;
    c.last_ts = std::max(c.last_ts, b.end_ts);
  }
  std::vector<LocationUse> out;
  out.reserve(cells.size());
  for (auto& [_, c] : cells) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const LocationUse& a, const LocationUse& b) {
    if (a.battles != b.battles) return a.battles > b.battles;
    if (a.last_ts != b.last_ts) return a.last_ts > b.last_ts;
    return std::tie(a.x, a.y) < std::tie(b.x, b.y);
  });
  return out;
}

std::string iso_local(std::int64_t utc_seconds, const TimeZone& zone) {
  const std::int32_t offset = zone.offset_at(utc_seconds);
  const std::time_t local = static_cast<std::time_t>(utc_seconds + offset);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char date[24];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  const std::int32_t a = offset < 0 ? -offset : offset;
  char out[40];
  std::snprintf(out, sizeof out, "%s%c%02d:%02d", date, offset < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
  return out;
}

}  // namespace tzr::antibot
