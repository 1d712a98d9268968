// The PvP and PvE Elo ladders (antibot/ratings.hpp) and the churn estimate (antibot/churn.hpp) on
// small hand-made cases whose numbers are worked out in the comments.
#include "antibot/churn.hpp"
#include "antibot/ratings.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace tzr::antibot;

namespace {

RatedPlayer player(const std::string& login, std::int64_t side, bool survived) {
  std::string key = login;
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return {key, login, side, survived};
}

const PlayerRating& find(const Ladder& l, const std::string& key) {
  for (const auto& p : l.players)
    if (p.login_key == key) return p;
  throw std::runtime_error("no player " + key);
}

PlayerBattle ended(std::int64_t ts) {
  PlayerBattle b;
  b.end_ts = ts;
  return b;
}

constexpr std::int64_t kDay = 86400;

}  // namespace

TEST(EloExpectedScore, IsTheLogisticOfTheDifference) {
  EXPECT_DOUBLE_EQ(expected_score(1000, 1000), 0.5);
  EXPECT_NEAR(expected_score(1200, 1000), 1 / (1 + std::pow(10, -0.5)), 1e-12);  // 0.7597
  EXPECT_NEAR(expected_score(1000, 1400), 1.0 / 11, 1e-12);
  EXPECT_NEAR(expected_score(1100, 1000) + expected_score(1000, 1100), 1.0, 1e-12);
}

TEST(PvpElo, OneOnOneWinnerTakesHalfOfK) {
  // Equal ratings: E = 0.5, so the side that stands gains 32 · 0.5 = 16 and the other loses 16.
  // Given out of order: battle 1 (ts 100) is rated before battle 2 (ts 200).
  std::vector<RatedBattle> battles{{2, 200, {player("Anna", 1, false), player("Bob", 2, true)}, {}},
                                   {1, 100, {player("Anna", 1, true), player("Bob", 2, false)}, {}}};
  const auto l = rate_pvp(battles);
  EXPECT_EQ(l.battles_rated, 2);
  // Battle 2: Anna 1016 vs Bob 984, E_Anna = 1 / (1 + 10^(−32/400)) = 0.545909; Anna lost:
  // 1016 − 32 · 0.545909 = 998.531; Bob 984 + 32 · (1 − 0.454091) = 1001.469.
  const double e = 1 / (1 + std::pow(10, -32.0 / 400));
  const auto& anna = find(l, "anna");
  const auto& bob = find(l, "bob");
  EXPECT_NEAR(anna.elo, 1016 - 32 * e, 1e-9);
  EXPECT_NEAR(bob.elo, 984 + 32 * e, 1e-9);  // Bob expected 1 − e and scored 1
  EXPECT_NEAR(anna.elo, 998.531, 1e-3);
  EXPECT_EQ(anna.wins, 1);
  EXPECT_EQ(anna.losses, 1);
  EXPECT_EQ(anna.battles, 2);
  EXPECT_DOUBLE_EQ(anna.peak, 1016);
  ASSERT_EQ(anna.history.size(), 2u);
  EXPECT_DOUBLE_EQ(anna.history[0], 1016);
  EXPECT_EQ(anna.last_ts, 200);
  EXPECT_EQ(l.players.front().login_key, "bob");  // highest first
}

TEST(PvpElo, TeamsPlayAgainstTheOpposingSidesMeanAndDrawsMoveNothing) {
  // Anna and Cid (side 1, Cid died but Anna stood) beat Bob: each of them gains 16 against Bob's
  // 1000; Bob loses 16 against their mean 1000.
  std::vector<RatedBattle> battles{{1, 100, {player("Anna", 1, true), player("Cid", 1, false), player("Bob", 2, false)}, {}},
                                   // both sides stand: each scores ½ against its expectation
                                   {2, 200, {player("Anna", 1, true), player("Bob", 2, true)}, {}}};
  const auto l = rate_pvp(battles);
  const double e = 1 / (1 + std::pow(10, -32.0 / 400));
  EXPECT_NEAR(find(l, "cid").elo, 1016, 1e-9);
  EXPECT_EQ(find(l, "cid").wins, 1);  // the side's result is the player's result
  EXPECT_NEAR(find(l, "anna").elo, 1016 + 32 * (0.5 - e), 1e-9);
  EXPECT_NEAR(find(l, "bob").elo, 984 + 32 * (0.5 - (1 - e)), 1e-9);
  EXPECT_EQ(find(l, "anna").draws, 1);
  EXPECT_EQ(find(l, "bob").draws, 1);
  EXPECT_EQ(find(l, "bob").losses, 1);
}

TEST(PvpElo, ThreeSidesAverageOverTheOpponentsAndOneSidedBattlesAreSkipped) {
  // Side 1 and 3 stand, side 2 fell; all at 1000. Side 1: (1 − ½) vs 2 and (½ − ½) vs 3 → mean ¼,
  // 32 · ¼ = +8, outcome ¾ = a win. Side 2: (0 − ½) twice → −16.
  std::vector<RatedBattle> battles{
      {1, 100, {player("A", 1, true), player("B", 2, false), player("C", 3, true)}, {}},
      {2, 150, {player("A", 1, true), player("D", 1, false)}, {}},  // one side: not rated
      {3, 160, {player("A", 1, true), player("$rat1", 2, false)}, {}},  // a '$' login is not a human
  };
  const auto l = rate_pvp(battles);
  EXPECT_EQ(l.battles_rated, 1);
  EXPECT_EQ(l.battles_skipped, 2);
  EXPECT_NEAR(find(l, "a").elo, 1008, 1e-9);
  EXPECT_EQ(find(l, "a").wins, 1);
  EXPECT_NEAR(find(l, "b").elo, 984, 1e-9);
  EXPECT_NEAR(find(l, "c").elo, 1008, 1e-9);
  EXPECT_EQ(find(l, "a").battles, 1);
  EXPECT_EQ(l.players.size(), 3u);  // D played only the skipped battle
}

TEST(PvpElo, HistoryKeepsTheLastPoints) {
  std::vector<RatedBattle> battles;
  for (int i = 0; i < 5; ++i) battles.push_back({i, 100 + i, {player("A", 1, true), player("B", 2, false)}, {}});
  EloOptions o;
  o.history_points = 3;
  const auto l = rate_pvp(battles, o);
  const auto& a = find(l, "a");
  ASSERT_EQ(a.history.size(), 3u);
  EXPECT_DOUBLE_EQ(a.history.back(), a.elo);
  EXPECT_LT(a.history[0], a.history[1]);
  EXPECT_EQ(a.wins, 5);
}

TEST(PveElo, TheEncounterIsTheMonstersMeanPlusTheirNumberPerHuman) {
  // 1 human vs 1 rat, both 1000: survived, +16; the rat scores 1 − 1 against E 0.5: 16 · (0.5 − 1) = −8.
  std::vector<RatedBattle> battles{{1, 100, {player("Anna", 1, true)}, {{"rat", 2, 1}}}};
  auto l = rate_pve(battles);
  EXPECT_NEAR(find(l, "anna").elo, 1016, 1e-9);
  ASSERT_EQ(l.monsters.size(), 1u);
  EXPECT_NEAR(l.monsters[0].elo, 992, 1e-9);
  EXPECT_EQ(l.monsters[0].battles, 1);
  // Then Bob alone vs 1 rat (992) and 1 wolf (1000): mean 996 + 400·log10(2 per human) = 1116.41;
  // E = 1 / (1 + 10^(116.41/400)); Bob died: −32 · E.
  battles.push_back({2, 200, {player("Bob", 1, false)}, {{"rat", 2, 1}, {"wolf", 2, 1}}});
  l = rate_pve(battles);
  const double enc = 996 + 400 * std::log10(2.0);
  const double e = expected_score(1000, enc);
  EXPECT_NEAR(find(l, "bob").elo, 1000 - 32 * e, 1e-9);
  EXPECT_EQ(find(l, "bob").losses, 1);
  // The monsters won: each kind gains 16 · (E − 0); the wolf now leads (1000 + 16E > 992 + 16E).
  ASSERT_EQ(l.monsters.size(), 2u);
  EXPECT_EQ(l.monsters[0].kind, "wolf");
  EXPECT_NEAR(l.monsters[0].elo, 1000 + 16 * e, 1e-9);
  EXPECT_NEAR(l.monsters[1].elo, 992 + 16 * e, 1e-9);
}

TEST(PveElo, TenMonstersAgainstOneIsFourHundredPointsHarder) {
  std::vector<RatedBattle> battles{{1, 100, {player("Anna", 1, true)}, {{"rat", 2, 10}}},
                                   // two humans vs two rats: one each, the plain mean
                                   {2, 100, {player("Bob", 1, true), player("Cid", 1, false)}, {{"wolf", 2, 2}}},
                                   // monsters on the humans' side are allies, not opponents: skipped
                                   {3, 300, {player("Dan", 1, true)}, {{"dog", 1, 3}}}};
  const auto l = rate_pve(battles);
  EXPECT_NEAR(find(l, "anna").elo, 1000 + 32 * (1 - 1.0 / 11), 1e-9);  // E = 1/11 against 1400
  EXPECT_NEAR(find(l, "bob").elo, 1016, 1e-9);
  EXPECT_NEAR(find(l, "cid").elo, 984, 1e-9);
  // wolf: mean over the two humans of (E − S) = (0.5 − 1 + 0.5 − 0) / 2 = 0 → unchanged.
  bool wolf = false;
  for (const auto& m : l.monsters)
    if (m.kind == "wolf") {
      wolf = true;
      EXPECT_NEAR(m.elo, 1000, 1e-9);
    }
  EXPECT_TRUE(wolf);
  EXPECT_EQ(l.battles_rated, 2);
  EXPECT_EQ(l.battles_skipped, 1);
}

TEST(Churn, ScoreIsTheLargerOfTheDropAndTheSilence) {
  const std::int64_t end = 1'000 * kDay;
  const ChurnOptions o{.window_end = end, .window_days = 10, .min_battles = 3};
  // 4 battles in the first half, 2 in the second, the last a day before the end:
  // drop = 1 − 2/4 = 0.5, inactivity = 1 / 5 = 0.2 → 0.5, medium.
  PlayerHistory slowing{"s", "S", {ended(end - 9 * kDay), ended(end - 8 * kDay), ended(end - 7 * kDay), ended(end - 6 * kDay),
                                   ended(end - 3 * kDay), ended(end - kDay), ended(end - 20 * kDay) /* outside */}};
  auto e = estimate_churn(slowing, o);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->battles, 6);
  EXPECT_EQ(e->first_half, 4);
  EXPECT_EQ(e->second_half, 2);
  EXPECT_DOUBLE_EQ(e->activity_drop, 0.5);
  EXPECT_DOUBLE_EQ(e->inactivity, 0.2);
  EXPECT_DOUBLE_EQ(e->churn_score, 0.5);
  EXPECT_DOUBLE_EQ(e->days_since_last_battle, 1);
  EXPECT_EQ(e->risk, ChurnRisk::medium);
  // Growing activity is no churn (the reference's 1 − 4/1 = −3): drop 0, silence of 12 h → 0.1.
  PlayerHistory growing{"g", "G", {ended(end - 8 * kDay), ended(end - 4 * kDay), ended(end - 3 * kDay), ended(end - 2 * kDay),
                                   ended(end - kDay / 2)}};
  e = estimate_churn(growing, o);
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(e->activity_drop, 0);
  EXPECT_DOUBLE_EQ(e->churn_score, 0.1);
  EXPECT_EQ(e->risk, ChurnRisk::low);
  // Gone for six days: the silence alone is beyond half the window → 1, high.
  PlayerHistory gone{"x", "X", {ended(end - 9 * kDay), ended(end - 8 * kDay), ended(end - 6 * kDay)}};
  e = estimate_churn(gone, o);
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(e->inactivity, 1);
  EXPECT_DOUBLE_EQ(e->churn_score, 1);
  EXPECT_EQ(e->risk, ChurnRisk::high);
  // A newcomer of the second half: no first-half baseline, so no drop.
  PlayerHistory fresh{"n", "N", {ended(end - 2 * kDay), ended(end - kDay), ended(end - 1)}};
  e = estimate_churn(fresh, o);
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(e->activity_drop, 0);
  EXPECT_LT(e->churn_score, 0.01);
  // Under min_battles: no estimate.
  EXPECT_FALSE(estimate_churn(PlayerHistory{"f", "F", {ended(end - kDay), ended(end - 2 * kDay)}}, o));
}

TEST(Churn, RiskBandsOrderAndHistogram) {
  EXPECT_EQ(churn_risk_of(0.7), ChurnRisk::high);
  EXPECT_EQ(churn_risk_of(0.6999), ChurnRisk::medium);
  EXPECT_EQ(churn_risk_of(0.4), ChurnRisk::medium);
  EXPECT_EQ(churn_risk_of(0.3999), ChurnRisk::low);
  EXPECT_EQ(parse_churn_risk("high"), ChurnRisk::high);
  EXPECT_FALSE(parse_churn_risk("HIGH"));
  EXPECT_FALSE(parse_churn_order("score"));

  std::vector<ChurnEstimate> rows(3);
  rows[0].login_key = "b", rows[0].churn_score = 0.5, rows[0].battles = 9;
  rows[1].login_key = "a", rows[1].churn_score = 0.5, rows[1].battles = 3;
  rows[2].login_key = "c", rows[2].churn_score = 1.0, rows[2].battles = 5;
  order_churn(rows, ChurnOrder::risk);
  EXPECT_EQ(rows[0].login_key, "c");
  EXPECT_EQ(rows[1].login_key, "a");  // equal scores by login
  order_churn(rows, ChurnOrder::activity);
  EXPECT_EQ(rows[0].login_key, "b");
  EXPECT_EQ(rows[2].login_key, "a");
  const auto bins = churn_histogram(rows);
  EXPECT_EQ(bins[5], 2);
  EXPECT_EQ(bins[9], 1);  // 1.0 falls in the last bin
  std::int64_t sum = 0;
  for (auto n : bins) sum += n;
  EXPECT_EQ(sum, 3);
}
