#pragma once
// One feature module for training, scoring and reporting (antibot-analytics.md §3 with the §11.3
// corrections): idle time = start(next) − end(prev) instead of end-to-end gaps, exact duplicates
// removed as a data-quality count, same-second ends and overlapping battles as concurrency
// signals, explicit windows, robust statistics. A statistic that is undefined (too few samples)
// is NaN — never silently replaced by a default — and every zero stays a zero.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tzr::antibot {

// One participation of a player, as the battles store holds it (UTC epoch seconds).
struct PlayerBattle {
  std::int64_t battle_id = 0;
  std::int64_t start_ts = 0;  // 0: unknown, taken as end_ts
  std::int64_t end_ts = 0;    // BATTLE@t2
  std::int32_t loc_x = 0, loc_y = 0;
  bool pvp = false;           // humans on at least two sides
  bool survived = false;
  std::int32_t kills_monsters = 0, kills_players = 0;
  std::int64_t loot = 0;      // items picked up by this player
  double rank_points = 0;     // the playstyle features (playstyle.hpp) read these four
  std::int64_t pve_points = 0;
  std::int64_t damage_monsters = 0, damage_players = 0;  // HP this player took off monsters / players
};

struct FeatureOptions {
  std::int64_t window_end = 0;   // exclusive; battles with end_ts in [window_end − days·86400, window_end)
  int window_days = 30;          // 7, 30 or 90 in the services
  std::int64_t session_break_s = 1800;  // idle above this starts a new session
  std::int64_t natural_break_s = 300;   // idle above this ends a marathon run
  std::int64_t marathon_s = 3 * 3600;   // a run this long is a marathon
};

// Field order is the feature schema (see feature_names / feature_schema_hash).
struct PlayerFeatures {
  double battles = 0;               // participations in the window after duplicate removal
  double duplicates_removed = 0;    // exact repeats of a record (ingest artefacts, H6)
  double active_days = 0;           // distinct UTC days with a battle end
  double active_day_ratio = 0;      // active_days / window_days
  double battles_per_active_day = 0;
  double pvp_ratio = 0;
  double survival_rate = 0;
  double kills_monsters_avg = 0;    // "PvE KPM": kills per match, not per minute
  double kills_players_avg = 0;     // "PvP KPM"
  double loot_per_battle = 0;
  double locations = 0;             // distinct (x, y)
  double location_entropy = 0;      // Shannon entropy of location use, bits
  double idle_count = 0;            // in-session idle times (0 ≤ idle ≤ session break)
  double idle_median_s = 0;
  double idle_mean_s = 0;
  double idle_cv = 0;               // population sd / mean (Welford)
  double idle_mode_share = 0;       // share of the most common whole-second idle (fixed delays)
  double overlap_ratio = 0;         // battles that start before an earlier one ended (multi-boxing)
  double same_second_ratio = 0;     // consecutive ends in the same second (the legacy "≤ 0.5 s")
  double max_gap_hours = 0;         // legacy end-to-end maximum gap
  double sessions = 0;
  double session_hours_mean = 0;    // first start to last end
  double session_hours_max = 0;
  double session_battles_cv = 0;    // sd / mean of battles per session (≥ 2 sessions)
  double session_start_mad_hours = 0;  // median circular distance of session starts (time of day) from
                                      // the most central start; robust to a few odd days (≥ 3 sessions)
  double daily_hours_mean = 0;      // mean over active days of distinct UTC hours with play
  double active_hours = 0;          // distinct UTC hours of day over the window
  double hour_spread = 0;           // smallest circular run of hours holding ≥ 80 % of battles
  double marathon_count = 0;        // runs ≥ marathon_s with no idle above natural_break_s
  double longest_marathon_hours = 0;
  double marathon_battles = 0;      // battles (not intervals) inside marathons
};

inline constexpr std::size_t kFeatureCount = sizeof(PlayerFeatures) / sizeof(double);
static_assert(kFeatureCount == 31, "update feature_names() with the struct");

const std::array<std::string_view, kFeatureCount>& feature_names();
std::array<double, kFeatureCount> to_array(const PlayerFeatures& f);
// FNV-1a over the schema version and the ordered names: stored with every model.
std::uint64_t feature_schema_hash();

// Pure: the history may be in any order and hold battles outside the window.
PlayerFeatures compute_features(std::vector<PlayerBattle> history, const FeatureOptions& options);

}  // namespace tzr::antibot
