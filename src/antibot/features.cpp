#include "antibot/features.hpp"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>
#include <unordered_map>

namespace tzr::antibot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kDay = 86400;
constexpr int kSchemaVersion = 1;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct Welford {
  double n = 0, mean = 0, m2 = 0;
  void add(double x) {
    n += 1;
    const double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  double sd() const { return n > 0 ? std::sqrt(m2 / n) : kNaN; }
  double cv() const { return n > 0 && mean > 0 ? sd() / mean : kNaN; }
};

double median(std::vector<double> v) {
  if (v.empty()) return kNaN;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (v.size() % 2 == 1) return *mid;
  return (*mid + *std::max_element(v.begin(), mid)) / 2;
}

// A§3.1: the smallest circular run of consecutive hours holding at least 80 % of the battles.
double hour_spread(const std::array<std::int64_t, 24>& freq, std::int64_t total) {
  if (total == 0) return kNaN;
  int best = 24;
  for (int start = 0; start < 24; ++start) {
    std::int64_t sum = 0;
    for (int len = 1; len <= 24; ++len) {
      sum += freq[static_cast<std::size_t>((start + len - 1) % 24)];
      if (static_cast<double>(sum) >= 0.8 * static_cast<double>(total)) {
        best = std::min(best, len);
        break;
      }
    }
  }
  return best;
}

// Median circular distance (hours) of times of day from the medoid start: 0 when most sessions
// start at the same minute, whatever a few outliers do.
double circular_mad_hours(const std::vector<double>& hours) {
  if (hours.size() < 3) return kNaN;
  double best = 12;
  std::vector<double> distances(hours.size());
  for (double centre : hours) {
    for (std::size_t j = 0; j < hours.size(); ++j) {
      const double d = std::fabs(hours[j] - centre);
      distances[j] = std::min(d, 24 - d);
    }
    best = std::min(best, median(distances));
  }
  return best;
}

bool same_record(const PlayerBattle& a, const PlayerBattle& b) {
  return a.start_ts == b.start_ts && a.end_ts == b.end_ts && a.loc_x == b.loc_x && a.loc_y == b.loc_y &&
         a.pvp == b.pvp && a.survived == b.survived && a.kills_monsters == b.kills_monsters &&
         a.kills_players == b.kills_players && a.loot == b.loot;
}

}  // namespace

const std::array<std::string_view, kFeatureCount>& feature_names() {
  static const std::array<std::string_view, kFeatureCount> names{
      "battles", "duplicates_removed", "active_days", "active_day_ratio", "battles_per_active_day",
      "pvp_ratio", "survival_rate", "kills_monsters_avg", "kills_players_avg", "loot_per_battle",
      "locations", "location_entropy", "idle_count", "idle_median_s", "idle_mean_s", "idle_cv",
      "idle_mode_share", "overlap_ratio", "same_second_ratio", "max_gap_hours", "sessions",
      "session_hours_mean", "session_hours_max", "session_battles_cv", "session_start_mad_hours",
      "daily_hours_mean", "active_hours", "hour_spread", "marathon_count", "longest_marathon_hours",
      "marathon_battles"};
  return names;
}

std::array<double, kFeatureCount> to_array(const PlayerFeatures& f) {
  std::array<double, kFeatureCount> out{};
  std::memcpy(out.data(), &f, sizeof f);
  return out;
}

std::uint64_t feature_schema_hash() {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  mix("antibot-features-v" + std::to_string(kSchemaVersion));
  for (auto name : feature_names()) mix(name);
  return h;
}

PlayerFeatures compute_features(std::vector<PlayerBattle> history, const FeatureOptions& options) {
  PlayerFeatures f;
  const std::int64_t window_start = options.window_end - std::int64_t{options.window_days} * kDay;
  for (auto& b : history)
    if (b.start_ts == 0 || b.start_ts > b.end_ts) b.start_ts = b.end_ts;
  std::erase_if(history, [&](const PlayerBattle& b) { return b.end_ts < window_start || b.end_ts >= options.window_end; });
  std::sort(history.begin(), history.end(), [](const PlayerBattle& a, const PlayerBattle& b) {
    return std::tie(a.end_ts, a.start_ts, a.battle_id) < std::tie(b.end_ts, b.start_ts, b.battle_id);
  });
  // Exact repeats of a record under another battle id are ingest artefacts, not play.
  std::vector<PlayerBattle> kept;
  kept.reserve(history.size());
  for (const auto& b : history) {
    bool repeat = false;
    for (auto it = kept.rbegin(); it != kept.rend() && it->end_ts == b.end_ts; ++it)
      if (same_record(*it, b)) {
        repeat = true;
        break;
      }
    if (repeat)
      f.duplicates_removed += 1;
    else
      kept.push_back(b);
  }
  const auto n = kept.size();
  f.battles = static_cast<double>(n);
  if (n == 0) {
    for (double* p : {&f.pvp_ratio, &f.survival_rate, &f.kills_monsters_avg, &f.kills_players_avg, &f.loot_per_battle,
                      &f.battles_per_active_day, &f.location_entropy, &f.idle_median_s, &f.idle_mean_s, &f.idle_cv,
                      &f.idle_mode_share, &f.overlap_ratio, &f.same_second_ratio, &f.max_gap_hours,
                      &f.session_hours_mean, &f.session_hours_max, &f.session_battles_cv, &f.session_start_mad_hours,
                      &f.daily_hours_mean, &f.hour_spread})
      *p = kNaN;
    return f;
  }
  const double nd = static_cast<double>(n);

  // Game statistics and places.
  std::map<std::pair<std::int32_t, std::int32_t>, std::int64_t> places;
  double pvp = 0, survived = 0, km = 0, kp = 0, loot = 0;
  for (const auto& b : kept) {
    pvp += b.pvp;
    survived += b.survived;
    km += b.kills_monsters;
    kp += b.kills_players;
    loot += static_cast<double>(b.loot);
    ++places[{b.loc_x, b.loc_y}];
  }
  f.pvp_ratio = pvp / nd;
  f.survival_rate = survived / nd;
  f.kills_monsters_avg = km / nd;
  f.kills_players_avg = kp / nd;
  f.loot_per_battle = loot / nd;
  f.locations = static_cast<double>(places.size());
  for (const auto& [place, count] : places) {
    const double p = static_cast<double>(count) / nd;
    f.location_entropy -= p * std::log2(p);
  }
  f.location_entropy += 0.0;  // −0 → 0 for a single place

  // Days and hours (UTC, by battle end).
  std::map<std::int64_t, std::bitset<24>> day_hours;
  std::array<std::int64_t, 24> hour_freq{};
  for (const auto& b : kept) {
    const auto day = floor_div(b.end_ts, kDay);
    const auto hour = static_cast<std::size_t>((b.end_ts - day * kDay) / 3600);
    day_hours[day].set(hour);
    ++hour_freq[hour];
  }
  f.active_days = static_cast<double>(day_hours.size());
  f.active_day_ratio = f.active_days / options.window_days;
  f.battles_per_active_day = nd / f.active_days;
  double hours_sum = 0;
  std::bitset<24> all_hours;
  for (const auto& [day, hours] : day_hours) {
    hours_sum += static_cast<double>(hours.count());
    all_hours |= hours;
  }
  f.daily_hours_mean = hours_sum / f.active_days;
  f.active_hours = static_cast<double>(all_hours.count());
  f.hour_spread = hour_spread(hour_freq, static_cast<std::int64_t>(n));

  // Idle times, sessions and marathons in one pass; "previous end" is the latest end so far,
  // so a battle that started before it is an overlap (two clients), not a negative idle.
  Welford idle_stats;
  std::vector<double> idles;
  std::unordered_map<std::int64_t, std::int64_t> idle_seconds;
  double overlaps = 0, same_second = 0, max_gap = 0;
  std::vector<double> session_hours, session_battles, session_starts;
  std::int64_t session_first = kept[0].start_ts, latest_end = kept[0].end_ts;
  double session_count = 1;
  std::int64_t run_first = kept[0].start_ts;
  double run_battles = 1;
  auto close_run = [&](std::int64_t run_end) {
    const auto duration = run_end - run_first;
    if (duration >= options.marathon_s) {
      f.marathon_count += 1;
      f.longest_marathon_hours = std::max(f.longest_marathon_hours, static_cast<double>(duration) / 3600);
      f.marathon_battles += run_battles;
    }
  };
  auto close_session = [&] {
    session_hours.push_back(static_cast<double>(latest_end - session_first) / 3600);
    session_battles.push_back(session_count);
    session_starts.push_back(static_cast<double>(session_first - floor_div(session_first, kDay) * kDay) / 3600);
  };
  for (std::size_t i = 1; i < n; ++i) {
    const auto& b = kept[i];
    if (b.end_ts == kept[i - 1].end_ts) same_second += 1;
    max_gap = std::max(max_gap, static_cast<double>(b.end_ts - kept[i - 1].end_ts));
    const std::int64_t idle = b.start_ts - latest_end;
    if (idle < 0) {
      overlaps += 1;
    } else if (idle <= options.session_break_s) {
      idle_stats.add(static_cast<double>(idle));
      idles.push_back(static_cast<double>(idle));
      ++idle_seconds[idle];
    }
    if (idle > options.natural_break_s) {
      close_run(latest_end);
      run_first = b.start_ts;
      run_battles = 0;
    }
    if (idle > options.session_break_s) {
      close_session();
      session_first = b.start_ts;
      session_count = 0;
    }
    run_battles += 1;
    session_count += 1;
    latest_end = std::max(latest_end, b.end_ts);
  }
  close_run(latest_end);
  close_session();

  const double pairs = nd - 1;
  f.overlap_ratio = pairs > 0 ? overlaps / pairs : kNaN;
  f.same_second_ratio = pairs > 0 ? same_second / pairs : kNaN;
  f.max_gap_hours = pairs > 0 ? max_gap / 3600 : kNaN;
  f.idle_count = static_cast<double>(idles.size());
  f.idle_median_s = median(idles);
  f.idle_mean_s = idle_stats.n > 0 ? idle_stats.mean : kNaN;
  f.idle_cv = idle_stats.cv();
  if (idles.empty()) {
    f.idle_mode_share = kNaN;
  } else {
    std::int64_t top = 0;
    for (const auto& [seconds, count] : idle_seconds) top = std::max(top, count);
    f.idle_mode_share = static_cast<double>(top) / static_cast<double>(idles.size());
  }

  f.sessions = static_cast<double>(session_hours.size());
  Welford hours_stats, battles_stats;
  for (double h : session_hours) hours_stats.add(h);
  for (double c : session_battles) battles_stats.add(c);
  f.session_hours_mean = hours_stats.mean;
  f.session_hours_max = *std::max_element(session_hours.begin(), session_hours.end());
  f.session_battles_cv = session_hours.size() >= 2 ? battles_stats.cv() : kNaN;
  f.session_start_mad_hours = circular_mad_hours(session_starts);
  return f;
}

}  // namespace tzr::antibot
