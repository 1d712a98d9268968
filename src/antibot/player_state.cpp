#include "antibot/player_state.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace tzr::antibot {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Doubles are stored as their shortest round-trip text in a JSON string: Boost.JSON 1.81 parses
// numbers to within an ulp only, and a state read back, updated and written at every ingest batch
// would drift from the rebuild's. Version 1 states (plain numbers) are still read.
boost::json::value exact(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return boost::json::string(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

double exact_of(const boost::json::value& v) {
  if (!v.is_string()) return v.to_number<double>();
  const auto& text = v.get_string();
  double x = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), x);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) throw std::invalid_argument("number");
  return x;
}

}  // namespace

std::int64_t utc_day(std::int64_t ts) { return floor_div(ts, 86400); }

void PlayerDay::add(const PlayerDay& o) {
  battles += o.battles;
  pvp += o.pvp;
  survived += o.survived;
  kills_monsters += o.kills_monsters;
  kills_players += o.kills_players;
  loot += o.loot;
  idle_n += o.idle_n;
  hours_mask |= o.hours_mask;
  idle_sum += o.idle_sum;
}

void apply_battle(PlayerState& state, PlayerDay& d, const PlayerBattle& b, const FeatureOptions& breaks) {
  const bool first = state.battles == 0;
  const std::int64_t idle = (b.start_ts != 0 && b.start_ts <= b.end_ts ? b.start_ts : b.end_ts) - state.last_end;
  state.apply(b, breaks);
  ++d.battles;
  d.pvp += b.pvp;
  d.survived += b.survived;
  d.kills_monsters += b.kills_monsters;
  d.kills_players += b.kills_players;
  d.loot += b.loot;
  d.hours_mask |= std::int64_t{1} << ((b.end_ts - utc_day(b.end_ts) * 86400) / 3600);
  if (!first && idle >= 0 && idle <= breaks.session_break_s) {
    ++d.idle_n;
    d.idle_sum += static_cast<double>(idle);
  }
}

void PlayerState::apply(const PlayerBattle& in, const FeatureOptions& breaks) {
  PlayerBattle b = in;
  if (b.start_ts == 0 || b.start_ts > b.end_ts) b.start_ts = b.end_ts;
  const auto day = floor_div(b.end_ts, 86400);
  const auto iso_weekday = ((day + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday (ISO 4)
  ++week_hours[static_cast<std::size_t>(iso_weekday * 24 + (b.end_ts - day * 86400) / 3600)];
  pvp += b.pvp;
  kills_monsters += b.kills_monsters;
  kills_players += b.kills_players;
  survived += b.survived;
  loot += b.loot;
  const std::pair place{b.loc_x, b.loc_y};
  const auto at = std::lower_bound(locations.begin(), locations.end(), place);
  if (at == locations.end() || *at != place) {
    if (locations.size() < kMaxLocations) {
      locations.insert(at, place);
    } else {
      locations_overflow = true;
      if (at != locations.end()) {  // smaller than the largest kept: keep it instead
        const auto index = at - locations.begin();
        locations.pop_back();
        locations.insert(locations.begin() + index, place);
      }
    }
  }

  if (battles == 0) {
    battles = 1;
    first_end = last_end = b.end_ts;
    session_first = run_first = b.start_ts;
    session_battles = run_battles = 1;
    return;
  }
  ++battles;
  first_end = std::min(first_end, b.end_ts);
  if (b.end_ts < last_end) ++late;
  if (b.end_ts == last_end) ++same_second;
  const std::int64_t idle = b.start_ts - last_end;
  if (idle < 0) {
    ++overlaps;
  } else if (idle <= breaks.session_break_s) {
    idle_n += 1;
    const double d = static_cast<double>(idle) - idle_mean;
    idle_mean += d / idle_n;
    idle_m2 += d * (static_cast<double>(idle) - idle_mean);
  }
  if (idle > breaks.natural_break_s) {
    const auto duration = last_end - run_first;
    if (duration >= breaks.marathon_s) {
      ++marathons;
      marathon_battles += run_battles;
      longest_marathon_hours = std::max(longest_marathon_hours, static_cast<double>(duration) / 3600);
    }
    run_first = b.start_ts;
    run_battles = 0;
  }
  if (idle > breaks.session_break_s) {
    const double hours = static_cast<double>(last_end - session_first) / 3600;
    ++sessions_closed;
    session_hours_sum += hours;
    session_hours_max = std::max(session_hours_max, hours);
    session_first = b.start_ts;
    session_battles = 0;
  }
  ++run_battles;
  ++session_battles;
  last_end = std::max(last_end, b.end_ts);
}

std::int64_t PlayerState::marathon_count(const FeatureOptions& breaks) const {
  return marathons + (battles > 0 && last_end - run_first >= breaks.marathon_s ? 1 : 0);
}

double PlayerState::idle_cv() const {
  if (idle_n <= 0 || idle_mean <= 0) return std::numeric_limits<double>::quiet_NaN();
  return std::sqrt(idle_m2 / idle_n) / idle_mean;
}

boost::json::value to_json(const PlayerState& s) {
  boost::json::array hours(s.week_hours.begin(), s.week_hours.end());
  boost::json::array places;
  for (const auto& [x, y] : s.locations) places.push_back(boost::json::array{x, y});
  return {{"v", 2},
          {"battles", s.battles}, {"first_end", s.first_end}, {"last_end", s.last_end}, {"late", s.late},
          {"idle", boost::json::array{exact(s.idle_n), exact(s.idle_mean), exact(s.idle_m2)}},
          {"overlaps", s.overlaps}, {"same_second", s.same_second},
          {"session", boost::json::array{s.sessions_closed, s.session_first, s.session_battles}},
          {"session_hours", boost::json::array{exact(s.session_hours_sum), exact(s.session_hours_max)}},
          {"marathon", boost::json::array{s.marathons, s.marathon_battles, s.run_first, s.run_battles}},
          {"longest_marathon_hours", exact(s.longest_marathon_hours)},
          {"week_hours", std::move(hours)}, {"locations", std::move(places)},
          {"locations_overflow", s.locations_overflow},
          {"totals", boost::json::array{s.pvp, s.kills_monsters, s.kills_players, s.survived, s.loot}}};
}

Result<PlayerState> player_state_from_json(const boost::json::value& json) {
  PlayerState s;
  try {
    const auto& o = json.as_object();
    if (const int v = o.at("v").to_number<int>(); v != 1 && v != 2) throw std::invalid_argument("version");
    auto i64 = [&](const char* k) { return o.at(k).to_number<std::int64_t>(); };
    s.battles = i64("battles");
    s.first_end = i64("first_end");
    s.last_end = i64("last_end");
    s.late = i64("late");
    const auto& idle = o.at("idle").as_array();
    s.idle_n = exact_of(idle.at(0));
    s.idle_mean = exact_of(idle.at(1));
    s.idle_m2 = exact_of(idle.at(2));
    s.overlaps = i64("overlaps");
    s.same_second = i64("same_second");
    const auto& session = o.at("session").as_array();
    s.sessions_closed = session.at(0).to_number<std::int64_t>();
    s.session_first = session.at(1).to_number<std::int64_t>();
    s.session_battles = session.at(2).to_number<std::int64_t>();
    s.session_hours_sum = exact_of(o.at("session_hours").as_array().at(0));
    s.session_hours_max = exact_of(o.at("session_hours").as_array().at(1));
    const auto& m = o.at("marathon").as_array();
    s.marathons = m.at(0).to_number<std::int64_t>();
    s.marathon_battles = m.at(1).to_number<std::int64_t>();
    s.run_first = m.at(2).to_number<std::int64_t>();
    s.run_battles = m.at(3).to_number<std::int64_t>();
    s.longest_marathon_hours = exact_of(o.at("longest_marathon_hours"));
    const auto& hours = o.at("week_hours").as_array();
    if (hours.size() != s.week_hours.size()) throw std::invalid_argument("week_hours");
    for (std::size_t i = 0; i < hours.size(); ++i) s.week_hours[i] = hours[i].to_number<std::int64_t>();
    const auto& places = o.at("locations").as_array();
    if (places.size() > PlayerState::kMaxLocations) throw std::invalid_argument("locations");
    for (const auto& p : places)
      s.locations.push_back({p.as_array().at(0).to_number<std::int32_t>(), p.as_array().at(1).to_number<std::int32_t>()});
    std::sort(s.locations.begin(), s.locations.end());
    s.locations_overflow = o.at("locations_overflow").as_bool();
    const auto& t = o.at("totals").as_array();
    s.pvp = t.at(0).to_number<std::int64_t>();
    s.kills_monsters = t.at(1).to_number<std::int64_t>();
    s.kills_players = t.at(2).to_number<std::int64_t>();
    s.survived = t.at(3).to_number<std::int64_t>();
    s.loot = t.at(4).to_number<std::int64_t>();
  } catch (const std::exception&) {
    return Error::make(ErrorKind::bad_request, "bad_player_state", "a stored player state is malformed");
  }
  return s;
}

}  // namespace tzr::antibot
