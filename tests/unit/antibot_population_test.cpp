// The §12 population: the archetype mix, determinism under a seed, and the properties each
// archetype is meant to have (bots never sleep or keep a schedule, H3 battles are shared, H6
// carries duplicates, nothing leaves the window).
#include "antibot/population.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace tzr::antibot;

namespace {

const Population& small() {
  static const Population pop = generate_population({.players = 200, .days = 7, .seed = 11});
  return pop;
}

}  // namespace

TEST(AntibotPopulation, MixFollowsTheShares) {
  std::map<std::string_view, int> count;
  for (const auto& p : small().players) ++count[archetype_code(p.archetype)];
  EXPECT_EQ(small().players.size(), 200u);
  EXPECT_EQ(count["B1"] + count["B2"] + count["B3"] + count["B4"] + count["B5"], 20);
  EXPECT_EQ(count["H1"], 63);  // 35 % of 180
  EXPECT_EQ(count["H2"], 36);
  EXPECT_EQ(count["B1"], 5);
  EXPECT_EQ(count["B3"], 4);
  EXPECT_TRUE(archetype_is_bot(Archetype::B3));
  EXPECT_FALSE(archetype_is_bot(Archetype::H6));
  EXPECT_EQ(archetype_difficulty(Archetype::H2), "trap");
}

TEST(AntibotPopulation, SameSeedSameHistoriesOtherSeedOthers) {
  const auto again = generate_population({.players = 200, .days = 7, .seed = 11});
  const auto other = generate_population({.players = 200, .days = 7, .seed = 12});
  std::size_t same = 0, differ = 0;
  for (std::size_t i = 0; i < again.players.size(); ++i) {
    const auto& a = small().players[i].battles;
    const auto& b = again.players[i].battles;
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      ASSERT_EQ(a[k].battle_id, b[k].battle_id);
      ASSERT_EQ(a[k].end_ts, b[k].end_ts);
      ASSERT_EQ(a[k].kills_monsters, b[k].kills_monsters);
    }
    (small().players[i].archetype == other.players[i].archetype && a.size() == other.players[i].battles.size() ? same
                                                                                                               : differ)++;
  }
  EXPECT_GT(differ, same);
}

TEST(AntibotPopulation, ArchetypesHaveTheirShape) {
  const auto& pop = small();
  const FeatureOptions window{.window_end = pop.window_end(), .window_days = pop.options.days};
  std::map<std::int64_t, int> holders;
  for (const auto& p : pop.players) {
    for (const auto& b : p.battles) {
      ASSERT_GE(b.end_ts, pop.options.start_unix);
      ASSERT_LT(b.end_ts, pop.window_end());
      ASSERT_LE(b.start_ts, b.end_ts);
      ++holders[b.battle_id];
    }
    const auto f = compute_features(p.battles, window);
    switch (p.archetype) {
      case Archetype::B1:
        EXPECT_GE(f.daily_hours_mean, 20) << p.login;
        EXPECT_LE(f.idle_median_s, 3) << p.login;
        break;
      case Archetype::B2:
        EXPECT_LT(f.session_start_mad_hours, 0.1) << p.login;
        EXPECT_EQ(f.active_days, 7) << p.login;
        break;
      case Archetype::B4: EXPECT_GT(f.overlap_ratio, 0.1) << p.login; break;
      case Archetype::B5: EXPECT_EQ(f.idle_median_s, 3) << p.login; break;
      case Archetype::H6: EXPECT_GT(f.duplicates_removed, 0) << p.login; break;
      case Archetype::H1:
      case Archetype::H2:
      case Archetype::H4: EXPECT_EQ(f.overlap_ratio > 0, false) << p.login; break;
      default: break;
    }
  }
  // Shared H3 battles: one battle row held by two players.
  int shared = 0;
  for (const auto& [id, n] : holders) shared += n == 2;
  EXPECT_GT(shared, 20);
}
