// A player's play sessions (runs split by the anti-bot session break), top map cells, local
// times with their offset, and the order of a clan's members. Exact values on hand-made battles.
#include "antibot/aggregates.hpp"
#include "antibot/player_activity.hpp"

#include <gtest/gtest.h>

using namespace tzr::antibot;

namespace {

constexpr std::int64_t kT0 = 1759708800;  // 2025-10-06 00:00 UTC

PlayerBattle battle(std::int64_t id, std::int64_t start, std::int64_t end, std::int32_t x = 0, std::int32_t y = 0) {
  PlayerBattle b;
  b.battle_id = id;
  b.start_ts = start;
  b.end_ts = end;
  b.loc_x = x;
  b.loc_y = y;
  return b;
}

}  // namespace

TEST(PlaySessions, AnIdleAboveTheBreakStartsANewSession) {
  // Given out of order: 00:00–00:10, 00:20–00:30 (idle 600 s), then 01:01–01:05 (idle 1860 s > 1800).
  std::vector<PlayerBattle> b{battle(3, kT0 + 3660, kT0 + 3900), battle(1, kT0, kT0 + 600), battle(2, kT0 + 1200, kT0 + 1800)};
  auto s = play_sessions(b, 1800);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].start, kT0);
  EXPECT_EQ(s[0].end, kT0 + 1800);
  EXPECT_EQ(s[0].battles, 2);
  EXPECT_EQ(s[1].start, kT0 + 3660);
  EXPECT_EQ(s[1].battles, 1);
  // Exactly the break is still the same session.
  auto same = play_sessions({battle(1, kT0, kT0 + 600), battle(2, kT0 + 2400, kT0 + 2500)}, 1800);
  EXPECT_EQ(same.size(), 1u);
}

TEST(PlaySessions, OverlapsAndUnknownStartsStayInsideTheSession) {
  // The second battle started before the first ended (two clients); the third has no start time.
  auto s = play_sessions({battle(1, kT0, kT0 + 1000), battle(2, kT0 + 500, kT0 + 900), battle(3, 0, kT0 + 2000)}, 1800);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].start, kT0);
  EXPECT_EQ(s[0].end, kT0 + 2000);
  EXPECT_EQ(s[0].battles, 3);
  EXPECT_TRUE(play_sessions({}, 1800).empty());
}

TEST(TopLocations, MostBattlesThenLatestThenCell) {
  auto cells = top_locations({battle(1, 0, kT0 + 10, 5, 5), battle(2, 0, kT0 + 20, 1, 1), battle(3, 0, kT0 + 30, 5, 5),
                              battle(4, 0, kT0 + 40, 2, 2), battle(5, 0, kT0 + 15, 0, 9)});
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0].x, 5);
  EXPECT_EQ(cells[0].battles, 2);
  EXPECT_EQ(cells[0].last_ts, kT0 + 30);
  EXPECT_EQ(cells[1].x, 2);  // one battle each: latest first
  EXPECT_EQ(cells[2].x, 1);
  EXPECT_EQ(cells[3].y, 9);
}

TEST(IsoLocal, OffsetIsWrittenWithTheLocalTime) {
  auto msk = TimeZone::load("Europe/Moscow");
  ASSERT_TRUE(msk);
  EXPECT_EQ(iso_local(kT0, *msk), "2025-10-06T03:00:00+03:00");
  auto utc = TimeZone::utc();
  EXPECT_EQ(iso_local(kT0 + 59, *utc), "2025-10-06T00:00:59+00:00");
  auto ny = TimeZone::load("America/New_York");
  ASSERT_TRUE(ny);
  EXPECT_EQ(iso_local(kT0, *ny), "2025-10-05T20:00:00-04:00");
}

TEST(ClanMembers, MostBattlesThenLatestThenLogin) {
  std::vector<ClanMember> m{{"b", "B", 3, 1, 100}, {"a", "A", 3, 2, 100}, {"c", "C", 5, 0, 50}, {"d", "D", 3, 3, 200}};
  order_clan_members(m);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].login, "C");
  EXPECT_EQ(m[1].login, "D");
  EXPECT_EQ(m[2].login, "A");
  EXPECT_EQ(m[3].login, "B");
}
