// The reads of the aggregate analytics (antibot/aggregates.hpp) on SQLite, PostgreSQL and MySQL
// with hand-made rows and exact expected values: the SQL is written once for all three.
#include "antibot/aggregates.hpp"
#include "battles/migrations.hpp"
#include "storage/migrations.hpp"
#include "support/backends.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

using namespace tzr;
using namespace tzr::test;
using storage::Value;

namespace {

constexpr std::int64_t kT = 1759708800;  // 2025-10-06 00:00 UTC, a Monday

void battle(storage::Database& db, std::int64_t id, std::int64_t ts, int x, int y, int players, int monsters, int pvp, int pve) {
  const Value p[] = {Value{id}, Value{ts}, Value{ts - 60}, Value{std::int64_t{x}}, Value{std::int64_t{y}},
                     Value{std::int64_t{players}}, Value{std::int64_t{monsters}}, Value{std::int64_t{pvp}},
                     Value{std::int64_t{pve}}};
  auto r = db.query("INSERT INTO battles (battle_id, ts, start_ts, turns, battle_type, loc_x, loc_y, map_id, players_cnt,"
                    " monsters_cnt, has_pvp, has_monsters, duplicated, complete, content_sha256, canonical_sha256, size_bytes,"
                    " parser_version, data, ingested_at) VALUES (?,?,?,5,'A',?,?,'m',?,?,?,?,0,1,'c','c',1,1,'{}',0)",
                    p);
  ASSERT_TRUE(r) << r.error().message;
}

void participant(storage::Database& db, std::int64_t battle_id, const std::string& login, std::optional<std::string> clan,
                 int side, int survived, int km, int kp, double rank, std::int64_t pve) {
  std::string key = login;
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const Value p[] = {Value{battle_id}, Value{login}, Value{key}, clan ? Value{*clan} : storage::null(), Value{std::int64_t{side}},
                     Value{rank}, Value{pve}, Value{std::int64_t{survived}}, Value{std::int64_t{km}}, Value{std::int64_t{kp}}};
  auto r = db.query("INSERT INTO battle_participants (battle_id, login, login_key, clan, side, profession, level, gender,"
                    " rank_points, pve_points, survived, kills_monsters, kills_players, damage_monsters, damage_players,"
                    " healing, intervened_turn, ts) VALUES (?,?,?,?,?,1,10,0,?,?,?,?,?,0,0,0,NULL,NULL)",
                    p);
  ASSERT_TRUE(r) << r.error().message;
}

void exec(storage::Database& db, const std::string& sql, std::vector<Value> params) {
  auto r = db.query(sql, params);
  ASSERT_TRUE(r) << r.error().message;
}


class AntibotAggregatesBackends : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(AntibotAggregatesBackends, EveryReadGivesTheSameExactNumbers) {
  std::string server;
  if (GetParam() != "sqlite") {
    const char* env = GetParam() == "postgres" ? "TZR_TEST_POSTGRES_URL" : "TZR_TEST_MYSQL_URL";
    TZR_REQUIRE_SERVER_URL(url, env);
    server = url;
  }
  TempDir dir;
  ScratchDatabase scratch(GetParam(), dir, server);
  auto& db = scratch.db();
  auto migrated = storage::migrate(db, battles::migrations());
  ASSERT_TRUE(migrated) << migrated.error().message;
  battle(db, 1, kT + 100, 1, 1, 2, 3, 1, 1);  // mixed
  battle(db, 2, kT + 1000, 1, 1, 1, 2, 0, 1);
  battle(db, 3, kT + 86400 + 50, 2, 2, 2, 0, 1, 0);
  battle(db, 4, kT - 10, 1, 1, 1, 9, 0, 1);  // before the window
  participant(db, 1, "Anna", "Alpha", 1, 1, 2, 1, 10.5, 100);
  participant(db, 1, "Bob", "Beta", 2, 0, 1, 0, 5, 50);
  participant(db, 2, "Anna", "Alpha", 1, 1, 3, 0, 2, 30);
  participant(db, 3, "Bob", "Beta", 1, 1, 0, 1, 7, 0);
  participant(db, 3, "Cid", std::nullopt, 2, 0, 0, 0, 1, 0);
  participant(db, 4, "Anna", "Alpha", 1, 1, 9, 9, 99, 999);
  const std::string m = "INSERT INTO battle_monsters (battle_id, kind, spec, side, count, min_level, max_level) VALUES (?,?,?,2,?,1,3)";
  exec(db, m, {Value{std::int64_t{1}}, Value{"rat"}, Value{""}, Value{std::int64_t{3}}});
  exec(db, m, {Value{std::int64_t{2}}, Value{"rat_spec"}, Value{"red"}, Value{std::int64_t{1}}});
  exec(db, m, {Value{std::int64_t{2}}, Value{"rat"}, Value{""}, Value{std::int64_t{1}}});
  exec(db, m, {Value{std::int64_t{4}}, Value{"stich"}, Value{""}, Value{std::int64_t{9}}});
  const std::string l = "INSERT INTO battle_loot (battle_id, login, battle_ts, kind, item_name, qty) VALUES (?,?,?,?,?,?)";
  exec(db, l, {Value{std::int64_t{1}}, Value{"Anna"}, Value{kT + 100}, Value{"resource"}, Value{"Metals"}, Value{std::int64_t{5}}});
  exec(db, l, {Value{std::int64_t{1}}, Value{"Bob"}, Value{kT + 100}, Value{"resource"}, Value{"Metals"}, Value{std::int64_t{2}}});
  exec(db, l, {Value{std::int64_t{2}}, Value{"Anna"}, Value{kT + 1000}, Value{"resource"}, Value{"Gems"}, Value{std::int64_t{1}}});
  exec(db, l, {Value{std::int64_t{2}}, Value{"Anna"}, Value{kT + 1000}, Value{"monster_part"}, Value{"Rat Skin"}, Value{std::int64_t{4}}});
  exec(db, l, {Value{std::int64_t{3}}, Value{"Bob"}, Value{kT + 86450}, Value{"resource"}, Value{"Metals"}, Value{std::int64_t{7}}});
  const antibot::TimeWindow w{kT, kT + 7 * 86400};

  auto players = antibot::read_player_totals(db, w, 1);
  ASSERT_TRUE(players) << players.error().message;
  antibot::rank_players(*players, antibot::PlayerMetric::battles_count);
  ASSERT_EQ(players->size(), 3u);
  const auto& anna = (*players)[0];
  EXPECT_EQ(anna.login, "Anna");
  EXPECT_EQ(anna.battles, 2);
  EXPECT_EQ(anna.wins, 2);
  EXPECT_EQ(anna.kills_monsters, 5);
  EXPECT_EQ(anna.kills_players, 1);
  EXPECT_DOUBLE_EQ(anna.rank_points_sum, 12.5);
  EXPECT_EQ(anna.pve_points_sum, 130);
  EXPECT_EQ(anna.pvp_battles, 1);
  EXPECT_EQ((*players)[1].login_key, "bob");
  EXPECT_EQ((*players)[1].pvp_battles, 2);
  EXPECT_EQ((*players)[2].login_key, "cid");
  EXPECT_EQ(antibot::read_player_totals(db, w, 2)->size(), 2u);

  auto slots = antibot::read_time_slots(db, w);
  ASSERT_TRUE(slots) << slots.error().message;
  std::sort(slots->begin(), slots->end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  ASSERT_EQ(slots->size(), 3u);
  EXPECT_EQ((*slots)[0].start, kT);
  EXPECT_EQ((*slots)[0].mixed, 1);
  EXPECT_EQ((*slots)[1].start, kT + 900);
  EXPECT_EQ((*slots)[1].pve, 1);
  EXPECT_EQ((*slots)[1].pvp, 0);
  EXPECT_EQ((*slots)[2].start, kT + 86400);
  EXPECT_EQ((*slots)[2].pvp, 1);

  auto clans = antibot::read_location_clans(db, w);
  ASSERT_TRUE(clans) << clans.error().message;
  auto locs = antibot::read_location_battles(db, w);
  ASSERT_TRUE(locs) << locs.error().message;
  const auto control = antibot::clan_control(*clans, *locs);
  ASSERT_EQ(control.size(), 2u);
  EXPECT_EQ(control[0].dominant.clan, "Alpha");
  EXPECT_EQ(control[0].dominant.participations, 2);
  EXPECT_EQ(control[0].battles, 2);
  ASSERT_TRUE(control[0].runner_up);
  EXPECT_EQ(control[0].runner_up->clan, "Beta");
  EXPECT_EQ(control[1].loc_x, 2);
  EXPECT_EQ(control[1].participations, 2);
  EXPECT_EQ(control[1].clan_participations, 1);

  auto wars = antibot::read_clan_wars(db, w);
  ASSERT_TRUE(wars) << wars.error().message;
  ASSERT_EQ(wars->size(), 1u);
  EXPECT_EQ((*wars)[0].clan1, "Alpha");
  EXPECT_EQ((*wars)[0].clan2, "Beta");
  EXPECT_EQ((*wars)[0].battles, 1);
  EXPECT_EQ((*wars)[0].last_ts, kT + 100);

  auto days = antibot::read_resource_days(db, kT / 86400, 7);
  ASSERT_TRUE(days) << days.error().message;
  const auto filled = antibot::zero_filled(*days, kT / 86400, 7);
  ASSERT_EQ(filled.size(), 14u);  // Gems, Metals × 7 days
  EXPECT_EQ(filled[0].qty, 1);
  EXPECT_EQ(filled[7].resource, "Metals");
  EXPECT_EQ(filled[7].qty, 7);
  EXPECT_EQ(filled[8].qty, 7);
  EXPECT_EQ(filled[9].qty, 0);

  auto breakdown = antibot::read_monster_breakdown(db, w, std::nullopt);
  ASSERT_TRUE(breakdown) << breakdown.error().message;
  ASSERT_EQ(breakdown->size(), 2u);
  EXPECT_EQ((*breakdown)[0].kind, "rat");
  EXPECT_EQ((*breakdown)[0].count, 4);
  EXPECT_EQ((*breakdown)[0].battles, 2);
  EXPECT_EQ((*breakdown)[1].spec, "red");
  EXPECT_TRUE(antibot::read_monster_breakdown(db, w, std::pair<std::int64_t, std::int64_t>{2, 2})->empty());
  EXPECT_EQ(antibot::read_monster_breakdown(db, w, std::pair<std::int64_t, std::int64_t>{1, 1})->size(), 2u);

  auto rat = antibot::read_monster_stats(db, w, "rat");
  ASSERT_TRUE(rat) << rat.error().message;
  ASSERT_TRUE(*rat);
  EXPECT_EQ((*rat)->battles, 2);
  EXPECT_EQ((*rat)->total_count, 5);
  EXPECT_EQ((*rat)->participations, 3);
  EXPECT_EQ((*rat)->survived, 2);
  EXPECT_EQ((*rat)->variants.size(), 2u);
  auto stich = antibot::read_monster_stats(db, w, "stich");  // known, but not in the window
  ASSERT_TRUE(stich && *stich);
  EXPECT_EQ((*stich)->battles, 0);
  EXPECT_EQ((*stich)->participations, 0);
  auto dragon = antibot::read_monster_stats(db, w, "dragon");
  ASSERT_TRUE(dragon);
  EXPECT_FALSE(*dragon);

  auto stats = antibot::read_global_stats(db, w);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->battles, 3);
  EXPECT_EQ(stats->pvp, 2);
  EXPECT_EQ(stats->pve, 2);
  EXPECT_EQ(stats->mixed, 1);
  EXPECT_EQ(stats->active_days, 2);
  EXPECT_EQ(stats->players_sum, 5);
  EXPECT_EQ(stats->monsters_sum, 5);
  EXPECT_EQ(stats->participations, 5);
  EXPECT_EQ(stats->unique_players, 3);
  EXPECT_EQ(stats->unique_clans, 2);
  EXPECT_EQ(stats->unique_resources, 2);
  EXPECT_EQ(stats->resource_quantity, 15);
  EXPECT_EQ(stats->resource_battles, 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, AntibotAggregatesBackends, ::testing::Values("sqlite", "postgres", "mysql"));
