// The pure parts of the aggregate analytics (antibot-analytics.md §7.3–§7.5): the metric
// whitelist and ranking, the 24×7 heatmap and peak hours from 15-minute slots in a zone, clan
// control with its tie rule, clan-war pairs, zero-filled resource days and their leave-one-out
// z-scores (D18), monster ordering. Exact values on hand-made rows.
#include "antibot/aggregates.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

using namespace tzr::antibot;

namespace {

constexpr std::int64_t kMonday = 1759708800;  // 2025-10-06 00:00 UTC, a Monday

PlayerTotals player(std::string key, std::int64_t battles, std::int64_t wins, std::int64_t km, double rank_sum) {
  PlayerTotals p;
  p.login_key = key;
  p.login = key;
  p.battles = battles;
  p.wins = wins;
  p.kills_monsters = km;
  p.rank_points_sum = rank_sum;
  return p;
}

std::size_t cell(int iso_weekday, int hour) { return static_cast<std::size_t>((iso_weekday - 1) * 24 + hour); }

}  // namespace

TEST(AntibotAggregates, MetricWhitelistIsClosed) {
  for (auto name : player_metric_names()) {
    auto m = parse_player_metric(name);
    ASSERT_TRUE(m) << name;
    EXPECT_EQ(player_metric_name(*m), name);
  }
  EXPECT_FALSE(parse_player_metric("kpm"));
  EXPECT_FALSE(parse_player_metric(""));
  EXPECT_FALSE(parse_player_metric("Battles_Count"));
  for (const char* required : {"battles_count", "wins", "kills_monsters", "kills_players", "rank_points_avg",
                               "pve_points_avg", "survival_rate"})
    EXPECT_TRUE(parse_player_metric(required)) << required;
}

TEST(AntibotAggregates, MetricValuesAndRankingWithTies) {
  auto a = player("anna", 20, 15, 40, 200.0);
  a.pve_points_sum = 1000;
  a.kills_players = 4;
  a.pvp_battles = 3;
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::battles_count), 20);
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::wins), 15);
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::losses), 5);
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::survival_rate), 0.75);
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::kills_monsters_avg), 2.0);
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::kills_players_avg), 0.2);
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::rank_points_avg), 10.0);
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::pve_points_avg), 50.0);
  EXPECT_DOUBLE_EQ(metric_value(a, PlayerMetric::pvp_battles), 3);

  std::vector<PlayerTotals> ps{player("zed", 10, 10, 5, 0), player("bob", 40, 10, 9, 0), a, player("amy", 12, 9, 50, 0)};
  rank_players(ps, PlayerMetric::wins);  // 15, then three at 10 by login key
  ASSERT_EQ(ps.size(), 4u);
  EXPECT_EQ(ps[0].login_key, "anna");
  EXPECT_EQ(ps[1].login_key, "bob");
  EXPECT_EQ(ps[2].login_key, "zed");
  EXPECT_EQ(ps[3].login_key, "amy");
  rank_players(ps, PlayerMetric::survival_rate);  // 1.0, 0.75 (9/12 and 15/20 tie), 0.25
  EXPECT_EQ(ps[0].login_key, "zed");
  EXPECT_EQ(ps[1].login_key, "amy");
  EXPECT_EQ(ps[2].login_key, "anna");
  EXPECT_EQ(ps[3].login_key, "bob");
}

TEST(AntibotAggregates, HeatmapCountsEveryBattleOnceInTheZone) {
  auto msk = TimeZone::load("Europe/Moscow");
  auto kolkata = TimeZone::load("Asia/Kolkata");
  auto utc = TimeZone::utc();
  ASSERT_TRUE(msk && kolkata && utc);
  const std::vector<TimeSlot> slots{
      {kMonday, 3, 1, 2, 0},                    // Monday 00:00 UTC
      {kMonday - 3600, 2, 0, 2, 0},             // Sunday 23:00 UTC
      {kMonday + 18 * 3600 + 1800, 4, 4, 0, 0},  // Monday 18:30 UTC = Tuesday 00:00 in Kolkata (+5:30)
      {kMonday + 18 * 3600 + 900, 1, 0, 1, 0},   // Monday 18:15 UTC = Monday 23:45 in Kolkata
  };
  const auto u = activity_cells(slots, *utc);
  EXPECT_EQ(u[cell(1, 0)], 3);
  EXPECT_EQ(u[cell(7, 23)], 2);
  EXPECT_EQ(u[cell(1, 18)], 5);
  const auto m = activity_cells(slots, *msk);
  EXPECT_EQ(m[cell(1, 3)], 3);
  EXPECT_EQ(m[cell(1, 2)], 2);  // Sunday 23:00 UTC is Monday 02:00 in Moscow
  EXPECT_EQ(m[cell(1, 21)], 5);
  const auto k = activity_cells(slots, *kolkata);
  EXPECT_EQ(k[cell(2, 0)], 4);
  EXPECT_EQ(k[cell(1, 23)], 1);
  for (const auto* c : {&u, &m, &k}) EXPECT_EQ(std::accumulate(c->begin(), c->end(), std::int64_t{0}), 10);
}

TEST(AntibotAggregates, PeakHoursCountMixedBattlesOnce) {
  auto utc = TimeZone::utc();
  auto msk = TimeZone::load("Europe/Moscow");
  ASSERT_TRUE(utc && msk);
  // 14:00 UTC: 5 battles, 3 PvP, 3 with monsters, 2 of them both, so 1 is neither.
  const std::vector<TimeSlot> slots{{kMonday + 14 * 3600, 3, 2, 2, 1, }, {kMonday + 14 * 3600 + 2700, 2, 1, 1, 1}};
  const auto h = peak_hours(slots, *utc);
  EXPECT_EQ(h[14].total, 5);
  EXPECT_EQ(h[14].pvp, 3);
  EXPECT_EQ(h[14].pve, 3);
  EXPECT_EQ(h[14].mixed, 2);
  EXPECT_EQ(h[14].other, 1);
  EXPECT_EQ(h[14].total, h[14].pvp + h[14].pve - h[14].mixed + h[14].other);
  EXPECT_EQ(h[13].total, 0);
  EXPECT_EQ(peak_hours(slots, *msk)[17].total, 5);
}

TEST(AntibotAggregates, ClanControlBreaksTiesByNameAndNamesTheRunnerUp) {
  const std::vector<LocationClanRow> rows{
      {1, 1, "Beta", 3}, {1, 1, "Alpha", 3}, {1, 1, "Gamma", 1}, {1, 1, "", 4},
      {2, 2, "", 6},                                  // nobody in a clan: no control
      {3, 3, "Zulu", 5},
  };
  const std::vector<LocationBattles> battles{{1, 1, 6}, {2, 2, 3}, {3, 3, 2}};
  const auto c = clan_control(rows, battles);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].loc_x, 3);
  EXPECT_EQ(c[0].dominant.clan, "Zulu");
  EXPECT_DOUBLE_EQ(c[0].dominant.share, 1.0);
  EXPECT_FALSE(c[0].runner_up);
  EXPECT_EQ(c[0].battles, 2);
  EXPECT_EQ(c[1].loc_x, 1);
  EXPECT_EQ(c[1].battles, 6);
  EXPECT_EQ(c[1].participations, 11);
  EXPECT_EQ(c[1].clan_participations, 7);
  EXPECT_EQ(c[1].clans, 3);
  EXPECT_EQ(c[1].dominant.clan, "Alpha");
  EXPECT_EQ(c[1].dominant.participations, 3);
  EXPECT_DOUBLE_EQ(c[1].dominant.share, 3.0 / 7.0);
  ASSERT_TRUE(c[1].runner_up);
  EXPECT_EQ(c[1].runner_up->clan, "Beta");
  EXPECT_DOUBLE_EQ(c[1].runner_up->share, 3.0 / 7.0);
}

TEST(AntibotAggregates, ClanWarsKeepOnePairOrderMostBattlesFirst) {
  const auto wars = order_clan_wars({{"b", "a", 2, 10}, {"a", "b", 2, 10}, {"c", "a", 5, 20}, {"a", "c", 5, 20},
                                     {"b", "c", 2, 30}, {"c", "b", 2, 30}});
  ASSERT_EQ(wars.size(), 3u);
  EXPECT_EQ(wars[0].clan1, "a");
  EXPECT_EQ(wars[0].clan2, "c");
  EXPECT_EQ(wars[0].battles, 5);
  EXPECT_EQ(wars[1].clan1, "a");
  EXPECT_EQ(wars[1].clan2, "b");
  EXPECT_EQ(wars[2].clan1, "b");
  EXPECT_EQ(wars[2].clan2, "c");
}

TEST(AntibotAggregates, ResourceDaysAreZeroFilled) {
  const auto filled = zero_filled({{101, "Metals", 5}, {103, "Metals", 7}, {101, "Gems", 2}, {99, "Gems", 50}, {101, "Metals", 1}},
                                  100, 4);
  ASSERT_EQ(filled.size(), 8u);  // Gems then Metals, days 100..103 each; day 99 is outside
  EXPECT_EQ(filled[0].resource, "Gems");
  EXPECT_EQ(filled[0].day, 100);
  EXPECT_EQ(filled[0].qty, 0);
  EXPECT_EQ(filled[1].qty, 2);
  EXPECT_EQ(filled[4].resource, "Metals");
  EXPECT_EQ(filled[5].qty, 6);
  EXPECT_EQ(filled[6].qty, 0);
  EXPECT_EQ(filled[7].qty, 7);
}

TEST(AntibotAggregates, LeaveOneOutZScoresFindTheSpikeTheReferenceCouldNot) {
  // Four days 10, 12, 8, 40: the self-inclusive z of the spike is at most (n−1)/√n = 1.5 < 2, so the
  // reference never flags it; against the other three days (mean 10, sd 2) it is z = 15.
  const auto points = score_resource_days({{0, "Metals", 10}, {1, "Metals", 12}, {2, "Metals", 8}, {3, "Metals", 40}}, 2.0);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_DOUBLE_EQ(points[3].baseline_mean, 10.0);
  EXPECT_DOUBLE_EQ(points[3].baseline_sd, 2.0);
  ASSERT_TRUE(points[3].z);
  EXPECT_DOUBLE_EQ(*points[3].z, 15.0);
  EXPECT_TRUE(points[3].is_anomaly);
  // Day 0 against 12, 8, 40: mean 20, sd √304.
  ASSERT_TRUE(points[0].z);
  EXPECT_DOUBLE_EQ(points[0].baseline_mean, 20.0);
  EXPECT_NEAR(*points[0].z, -10.0 / std::sqrt(304.0), 1e-12);
  EXPECT_FALSE(points[0].is_anomaly);
  // The threshold is a parameter.
  EXPECT_FALSE(score_resource_days({{0, "M", 10}, {1, "M", 12}, {2, "M", 8}, {3, "M", 40}}, 20.0)[3].is_anomaly);
}

TEST(AntibotAggregates, ConstantBaselinesAndShortSeries) {
  // A day of inflow after silent days: the baseline is all zeros (sd 0), so no z, but an anomaly.
  const auto p = score_resource_days({{0, "Gems", 0}, {1, "Gems", 0}, {2, "Gems", 0}, {3, "Gems", 9}}, 2.0);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_FALSE(p[3].z);
  EXPECT_TRUE(p[3].is_anomaly);
  EXPECT_DOUBLE_EQ(p[3].baseline_sd, 0.0);
  ASSERT_TRUE(p[0].z);  // 0 against 0, 0, 9
  EXPECT_NEAR(*p[0].z, -3.0 / std::sqrt(27.0), 1e-12);
  // Flat series: no anomaly anywhere.
  for (const auto& x : score_resource_days({{0, "V", 4}, {1, "V", 4}, {2, "V", 4}}, 2.0)) {
    EXPECT_FALSE(x.z);
    EXPECT_FALSE(x.is_anomaly);
  }
  // Two days leave one other day: no sample sd, no points.
  EXPECT_TRUE(score_resource_days({{0, "V", 1}, {1, "V", 5}}, 2.0).empty());

  auto ordered = p;
  order_by_unusualness(ordered);
  EXPECT_EQ(ordered[0].day, 3);  // the constant-baseline anomaly first, then |z| descending
  for (std::size_t i = 2; i < ordered.size(); ++i) EXPECT_GE(std::fabs(*ordered[i - 1].z), std::fabs(*ordered[i].z));
}

TEST(AntibotAggregates, MonstersMostFirstThenByName) {
  std::vector<MonsterRow> rows{{"rat", "", 5, 2}, {"stich", "", 9, 3}, {"rat_spec", "red", 5, 1}, {"bee", "", 5, 5}};
  order_monsters(rows);
  EXPECT_EQ(rows[0].kind, "stich");
  EXPECT_EQ(rows[1].kind, "bee");
  EXPECT_EQ(rows[2].kind, "rat");
  EXPECT_EQ(rows[3].kind, "rat_spec");
}
