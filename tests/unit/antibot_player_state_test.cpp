// The incremental per-player state agrees with the batch features on the same (duplicate-free)
// history, keeps the 24×7 histogram in ISO weekdays, bounds the location set, and survives a JSON
// round trip.
#include "antibot/player_state.hpp"
#include "antibot/population.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <numeric>

using namespace tzr::antibot;

TEST(AntibotPlayerState, IncrementalMatchesBatchFeatures) {
  const auto pop = generate_population({.players = 60, .days = 7, .seed = 3});
  const FeatureOptions window{.window_end = pop.window_end(), .window_days = 7};
  int checked = 0;
  for (const auto& p : pop.players) {
    if (p.archetype == Archetype::H6 || p.battles.size() < 2) continue;  // H6: the batch side removes duplicates
    // Ingest order: by end, then start, then id (the batch side sorts the same way).
    auto history = p.battles;
    std::sort(history.begin(), history.end(), [](const PlayerBattle& a, const PlayerBattle& b) {
      return std::tie(a.end_ts, a.start_ts, a.battle_id) < std::tie(b.end_ts, b.start_ts, b.battle_id);
    });
    PlayerState s;
    for (const auto& b : history) s.apply(b, window);
    const auto f = compute_features(p.battles, window);
    ASSERT_EQ(static_cast<double>(s.battles), f.battles) << p.login;
    EXPECT_EQ(s.late, 0);
    EXPECT_EQ(static_cast<double>(s.idle_n), f.idle_count) << p.login;
    EXPECT_NEAR(s.idle_mean, f.idle_mean_s, 1e-9 * std::max(1.0, f.idle_mean_s)) << p.login;
    EXPECT_NEAR(s.idle_cv(), f.idle_cv, 1e-9) << p.login;
    EXPECT_EQ(static_cast<double>(s.sessions()), f.sessions) << p.login;
    EXPECT_EQ(static_cast<double>(s.marathon_count(window)), f.marathon_count) << p.login;
    EXPECT_DOUBLE_EQ(static_cast<double>(s.overlaps) / (f.battles - 1), f.overlap_ratio) << p.login;
    EXPECT_DOUBLE_EQ(static_cast<double>(s.survived) / f.battles, f.survival_rate);
    EXPECT_EQ(static_cast<double>(s.locations.size()), f.locations);
    EXPECT_EQ(std::accumulate(s.week_hours.begin(), s.week_hours.end(), std::int64_t{0}), s.battles);
    ++checked;
  }
  EXPECT_GT(checked, 40);
}

TEST(AntibotPlayerState, WeekHoursLocationsAndJson) {
  PlayerState s;
  const FeatureOptions breaks;
  PlayerBattle b;
  b.end_ts = b.start_ts = 1759276800 + 5 * 3600;  // Wednesday 2025-10-01 05:00 UTC: ISO weekday 3
  b.start_ts -= 60;
  b.survived = true;
  s.apply(b, breaks);
  EXPECT_EQ(s.week_hours[2 * 24 + 5], 1);
  for (int i = 0; i < 300; ++i) {
    b.loc_x = i;
    b.end_ts += 100;
    b.start_ts += 100;
    s.apply(b, breaks);
  }
  EXPECT_EQ(s.locations.size(), PlayerState::kMaxLocations);
  EXPECT_TRUE(s.locations_overflow);
  b.end_ts -= 1000;  // arrives late
  b.start_ts -= 1000;
  s.apply(b, breaks);
  EXPECT_EQ(s.late, 1);

  auto back = player_state_from_json(to_json(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(boost::json::serialize(to_json(*back)), boost::json::serialize(to_json(s)));
  EXPECT_EQ(player_state_from_json(boost::json::value(3)).error().code, "bad_player_state");
}
