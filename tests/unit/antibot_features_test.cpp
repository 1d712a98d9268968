// Feature definitions on hand-made histories, with values worked out by hand: idle time from the
// next start, duplicates removed and counted, overlaps and same-second ends, sessions, marathons,
// hours, and NaN (not a default) where a statistic is undefined, 0 where it is 0.
#include "antibot/features.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace tzr::antibot;

namespace {

constexpr std::int64_t T0 = 1759276800;  // 2025-10-01T00:00:00Z

PlayerBattle battle(std::int64_t id, std::int64_t start, std::int64_t end, std::int32_t loc, int km) {
  PlayerBattle b;
  b.battle_id = id;
  b.start_ts = T0 + start;
  b.end_ts = T0 + end;
  b.loc_x = b.loc_y = loc;
  b.kills_monsters = km;
  b.survived = true;
  return b;
}

FeatureOptions week() { return {.window_end = T0 + 7 * 86400, .window_days = 7}; }

}  // namespace

TEST(AntibotFeatures, HandMadeHistoryExactValues) {
  std::vector<PlayerBattle> h;
  h.push_back(battle(1, 3600, 3660, 1, 10));
  h.back().loot = 2;
  h.push_back(battle(2, 3670, 3730, 1, 12));  // idle 10 s
  h.push_back(battle(3, 3750, 3800, 2, 0));   // idle 20 s
  h.back().pvp = true;
  h.back().survived = false;
  h.back().kills_players = 1;
  auto copy = h.back();
  copy.battle_id = 4;  // the same record under a new id: an ingest duplicate
  h.push_back(copy);
  h.push_back(battle(5, 3790, 3800, 2, 5));   // started before battle 3 ended, ends in its second
  h.push_back(battle(6, 7800, 7900, 1, 3));   // idle 4000 s: a new session
  h.push_back(battle(7, 86400 + 36000, 86400 + 36060, 1, 7));
  h.back().loot = 4;
  h.push_back(battle(8, -100, -10, 3, 1));                  // before the window
  h.push_back(battle(9, 7 * 86400 - 50, 7 * 86400, 3, 1));  // ends at the (exclusive) window end
  std::swap(h[0], h[5]);                                     // input order does not matter

  const auto f = compute_features(h, week());
  EXPECT_EQ(f.battles, 6);
  EXPECT_EQ(f.duplicates_removed, 1);
  EXPECT_EQ(f.active_days, 2);
  EXPECT_DOUBLE_EQ(f.active_day_ratio, 2.0 / 7);
  EXPECT_EQ(f.battles_per_active_day, 3);
  EXPECT_DOUBLE_EQ(f.pvp_ratio, 1.0 / 6);
  EXPECT_DOUBLE_EQ(f.survival_rate, 5.0 / 6);
  EXPECT_DOUBLE_EQ(f.kills_monsters_avg, 37.0 / 6);
  EXPECT_DOUBLE_EQ(f.kills_players_avg, 1.0 / 6);
  EXPECT_EQ(f.loot_per_battle, 1);
  EXPECT_EQ(f.locations, 2);
  EXPECT_DOUBLE_EQ(f.location_entropy, 0.9182958340544896);
  EXPECT_EQ(f.idle_count, 2);
  EXPECT_EQ(f.idle_median_s, 15);
  EXPECT_EQ(f.idle_mean_s, 15);
  EXPECT_DOUBLE_EQ(f.idle_cv, 1.0 / 3);
  EXPECT_EQ(f.idle_mode_share, 0.5);
  EXPECT_DOUBLE_EQ(f.overlap_ratio, 0.2);
  EXPECT_DOUBLE_EQ(f.same_second_ratio, 0.2);
  EXPECT_DOUBLE_EQ(f.max_gap_hours, 114560.0 / 3600);
  EXPECT_EQ(f.sessions, 3);
  EXPECT_DOUBLE_EQ(f.session_hours_mean, 360.0 / 3 / 3600);
  EXPECT_DOUBLE_EQ(f.session_hours_max, 200.0 / 3600);
  EXPECT_DOUBLE_EQ(f.session_battles_cv, std::sqrt(2.0) / 2);
  EXPECT_DOUBLE_EQ(f.session_start_mad_hours, 4200.0 / 3600);  // starts at 01:00, 02:10, 10:00
  EXPECT_EQ(f.daily_hours_mean, 1.5);  // day 1: hours 1 and 2; day 2: hour 10
  EXPECT_EQ(f.active_hours, 3);
  EXPECT_EQ(f.hour_spread, 2);  // hours 1–2 hold 5 of 6 battles
  EXPECT_EQ(f.marathon_count, 0);
}

TEST(AntibotFeatures, MarathonAndFixedDelayKeepZeroes) {
  // 200 battles of 60 s with exactly 10 s idle (3.886 h without a natural break), a 301 s
  // pause, then 10 more: one marathon of 200 battles; the idle CV of the first run is exactly 0.
  std::vector<PlayerBattle> h;
  std::int64_t t = 0;
  for (int i = 0; i < 210; ++i) {
    if (i == 200) t += 301 - 10;
    h.push_back(battle(i + 1, t, t + 60, 1 + i % 3, 14));
    t += 70;
  }
  const auto f = compute_features(h, week());
  EXPECT_EQ(f.marathon_count, 1);
  EXPECT_DOUBLE_EQ(f.longest_marathon_hours, (200 * 60 + 199 * 10) / 3600.0);
  EXPECT_EQ(f.marathon_battles, 200);
  EXPECT_EQ(f.idle_count, 209);
  EXPECT_EQ(f.idle_median_s, 10);
  EXPECT_DOUBLE_EQ(f.idle_mode_share, 208.0 / 209);
  EXPECT_EQ(f.sessions, 1);
  EXPECT_TRUE(std::isnan(f.session_battles_cv));  // one session: undefined, not 1
  EXPECT_EQ(f.overlap_ratio, 0);
  EXPECT_EQ(f.same_second_ratio, 0);

  h.resize(198);  // 66 battles in each of the 3 places
  const auto steady = compute_features(h, week());
  EXPECT_EQ(steady.idle_cv, 0);  // the reference turned this 0 into 1 (D8)
  EXPECT_EQ(steady.idle_mode_share, 1);
  EXPECT_EQ(steady.location_entropy, std::log2(3.0));
}

TEST(AntibotFeatures, UndefinedStatisticsAreNaN) {
  const auto none = compute_features({}, week());
  EXPECT_EQ(none.battles, 0);
  EXPECT_TRUE(std::isnan(none.survival_rate));
  EXPECT_TRUE(std::isnan(none.idle_median_s));

  const auto one = compute_features({battle(1, 100, 160, 1, 3)}, week());
  EXPECT_EQ(one.battles, 1);
  EXPECT_EQ(one.sessions, 1);
  EXPECT_EQ(one.location_entropy, 0);
  EXPECT_FALSE(std::signbit(one.location_entropy));
  EXPECT_EQ(one.idle_count, 0);
  for (double v : {one.idle_median_s, one.idle_cv, one.idle_mode_share, one.overlap_ratio, one.same_second_ratio,
                   one.max_gap_hours, one.session_battles_cv, one.session_start_mad_hours})
    EXPECT_TRUE(std::isnan(v));
  EXPECT_EQ(one.hour_spread, 1);

  // A missing start time counts as the end time (idle then equals the end-to-end gap).
  auto a = battle(1, 100, 160, 1, 3), b = battle(2, 0, 200, 1, 3);
  b.start_ts = 0;
  const auto f = compute_features({a, b}, week());
  EXPECT_EQ(f.idle_median_s, 40);
}

TEST(AntibotFeatures, SameStartTimeEverydayHasNoSpread) {
  std::vector<PlayerBattle> h;
  for (int day = 0; day < 5; ++day)
    for (int i = 0; i < 3; ++i) {
      const std::int64_t s = day * 86400 + 9 * 3600 + i * 63;
      h.push_back(battle(day * 10 + i + 1, s, s + 60, 1, 5));
    }
  const auto f = compute_features(h, week());
  EXPECT_EQ(f.sessions, 5);
  EXPECT_EQ(f.session_start_mad_hours, 0);
  EXPECT_EQ(f.session_battles_cv, 0);
  EXPECT_EQ(f.idle_median_s, 3);
  EXPECT_EQ(f.daily_hours_mean, 1);
}

TEST(AntibotFeatures, SchemaNamesAreUniqueAndHashed) {
  std::set<std::string_view> names(feature_names().begin(), feature_names().end());
  EXPECT_EQ(names.size(), kFeatureCount);
  EXPECT_EQ(feature_schema_hash(), feature_schema_hash());
  PlayerFeatures f;
  f.battles = 7;
  f.marathon_battles = 3;
  const auto row = to_array(f);
  EXPECT_EQ(row.front(), 7);
  EXPECT_EQ(row.back(), 3);
}
