// The 20 reference parser outputs (shared/fixtures/battles/reference_parsed, battles.md §2.6):
// their schema, their invariants, and that compat_json writes each of them back unchanged.
#include "battles/model_json.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace tzr::battles;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> reference_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(std::string(TZR_SHARED_DIR) + "/fixtures/battles/reference_parsed"))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

json::value load(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

std::map<std::string, std::int64_t> loot_multiset(const Loot& l) {
  std::map<std::string, std::int64_t> m;
  for (const auto* list : {&l.resources, &l.monster_parts, &l.other})
    for (const auto& x : *list) m[x.name] += x.qty;
  return m;
}

}  // namespace

TEST(BattlesReferenceFiles, SchemaInvariantsAndRoundTrip) {
  const auto files = reference_files();
  ASSERT_EQ(files.size(), 20u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    json::value original = load(f);
    auto read = from_compat_json(original);
    ASSERT_TRUE(read) << read.error().message;
    const auto& out = *read;
    const auto& b = original.at("battle").as_object();
    // §2.6 invariants.
    EXPECT_EQ(b.at("players_cnt").as_int64(), out.log.players_cnt());
    EXPECT_EQ(b.at("monsters_cnt").as_int64(), out.log.monsters_cnt());
    EXPECT_EQ(b.at("entities_cnt").as_int64(), out.log.players_cnt() + out.log.monsters_cnt());
    std::map<std::string, std::int64_t> personal;
    for (const auto& p : out.log.participants)
      for (const auto& [k, v] : loot_multiset(p.loot)) personal[k] += v;
    EXPECT_EQ(personal, loot_multiset(out.log.loot_total));
    std::int64_t kills = 0;
    for (const auto& p : out.log.participants) kills += p.kills_monsters;
    EXPECT_EQ(kills, out.log.monsters_cnt());
    const auto& mp = original.as_object().contains("map_patch") ? original.at("map_patch") : b.at("map_patch");
    if (!mp.as_object().empty()) {
      EXPECT_EQ(std::string(mp.at("i").as_string()).substr(2), std::string(mp.at("cs").as_string()).substr(9));
    }
    if (b.at("id").as_int64() != 0) {
      const auto span = *out.log.battle.ts - *out.log.battle.start_ts;
      EXPECT_GE(span, 96);
      EXPECT_LE(span, 383);
    } else {
      EXPECT_TRUE(out.log.participants.empty());
    }
    // Round trip: our compat view writes the same document (map_patch moved into battle, §8).
    json::value normalised = original;
    auto& no = normalised.as_object();
    if (no.contains("map_patch")) {
      no.at("battle").as_object()["map_patch"] = no.at("map_patch");
      no.erase("map_patch");
    }
    EXPECT_EQ(json::value(compat_json(out)), normalised) << json::serialize(compat_json(out));
  }
}

TEST(BattlesReferenceFiles, FileNameIsNotTheBattleId) {
  auto v = load(std::string(TZR_SHARED_DIR) + "/fixtures/battles/reference_parsed/2182368123.tzb.json");
  auto read = from_compat_json(v);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->log.battle.id, 2182368);
}
