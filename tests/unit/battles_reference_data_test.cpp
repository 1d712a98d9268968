// Reference data: every monster kind the parser names has its names; item ids are stable; maps
// and item names are recorded once at ingest, the first sighting kept.
#include "battles/migrations.hpp"
#include "battles/parser.hpp"
#include "battles/reference_data.hpp"
#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace tzr::battles;

TEST(ReferenceData, EveryParserKindHasEnglishAndRussianNames) {
  std::set<std::string> named;
  for (const auto& k : monster_kind_names()) {
    EXPECT_FALSE(k.name_en.empty()) << k.kind;
    EXPECT_FALSE(k.name_ru.empty()) << k.kind;
    EXPECT_TRUE(named.insert(std::string(k.kind)).second) << "twice: " << k.kind;
  }
  for (const char* login : {"$bmi1", "$rat11", "$stich14_1337", "$scrp2", "$robot3", "$rng1", "$crm7", "$Кровопийца", "$zzz1"})
    EXPECT_TRUE(named.contains(monster_kind(login))) << login;
  EXPECT_EQ(named.size(), 37u);  // battles.md §1.11's 36 kinds and "unknown"
}

TEST(ReferenceData, ItemIdsAreDeterministicPositiveAndDistinct) {
  EXPECT_EQ(item_id_of("Metals"), item_id_of("Metals"));
  EXPECT_GT(item_id_of("Metals"), 0);
  EXPECT_NE(item_id_of("Metals"), item_id_of("Rat Fang"));
  EXPECT_EQ(item_id_of("Metals"), 5347596825087970421);  // sha256("Metals")[0..8] >> 1: the same in every release
}

TEST(ReferenceData, MapsAndItemsAreRecordedOnceWithTheFirstSighting) {
  auto db = tzr::storage::open_database("sqlite::memory:", {.pool_size = 1});
  ASSERT_TRUE(db);
  ASSERT_TRUE(tzr::storage::migrate(**db, migrations()));
  auto kinds = (*db)->query("SELECT name_ru FROM monster_kinds WHERE kind = 'rat'");
  ASSERT_TRUE(kinds);
  ASSERT_EQ(kinds->rows.size(), 1u);
  EXPECT_EQ(kinds->rows[0].text(0), "Крыса");

  auto battle = [](std::int64_t id, std::vector<std::string> rows, std::vector<std::string> items) {
    IngestItem it;
    it.outcome.log.battle.id = id;
    it.outcome.log.battle.ts = 1000 + id;
    it.outcome.log.battle.map_rows = std::move(rows);
    it.outcome.log.battle.map_id = it.outcome.log.battle.map_rows.empty() ? "" : "m_" + it.outcome.log.battle.map_rows[0];
    Participant p;
    p.login = "Alpha";
    for (auto& name : items) p.loot.other.push_back({name, 1});
    it.outcome.log.participants.push_back(p);
    return it;
  };
  const IngestItem a = battle(7, {"AB", "CD"}, {"Metals", "Antidote"}), b = battle(5, {"AB", "XX"}, {"Metals"}),
                   c = battle(9, {}, {"Rat Fang"});
  ASSERT_TRUE((*db)->transaction([&](tzr::storage::Session& s) { return record_reference_data(s, {&a, &b}); }));
  ASSERT_TRUE((*db)->transaction([&](tzr::storage::Session& s) { return record_reference_data(s, {&c, &a}); }));
  auto map = read_map_template(**db, "m_AB");
  ASSERT_TRUE(map);
  ASSERT_TRUE(map->has_value());
  EXPECT_EQ((*map)->first_battle_id, 5);  // the earlier battle of the batch
  EXPECT_EQ((*map)->rows, (std::vector<std::string>{"AB", "XX"}));
  EXPECT_EQ((*map)->first_seen_ts, 1005);
  EXPECT_EQ((*map)->checksum.size(), 64u);
  auto none = read_map_template(**db, "m_ZZ");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto items = list_item_names(**db, 10);
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[0].at("name"), "Antidote");
  EXPECT_EQ((*items)[1].at("name"), "Metals");
  EXPECT_EQ((*items)[1].at("item_id").as_int64(), item_id_of("Metals"));
  EXPECT_EQ((*items)[1].at("kind"), "resource");
  EXPECT_EQ((*items)[2].at("first_battle_id").as_int64(), 9);
}
