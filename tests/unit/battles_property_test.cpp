// Properties of the parser over random valid logs from the synthetic generator: attribute order,
// the BLOOK wrapper and line layout do not change the result; the full model serialises to JSON
// and reads back equal; the model's own invariants hold.
#include "battles/model_json.hpp"
#include "battles/parser.hpp"
#include "battles/synth.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>

using namespace tzr::battles;

namespace {

std::vector<SynthBattle> corpus(SynthOptions o) {
  std::vector<SynthBattle> out;
  synthesize(o, [&out](SynthBattle&& b) {
    out.push_back(std::move(b));
    return true;
  });
  return out;
}

std::map<std::string, std::int64_t> multiset(const Loot& l) {
  std::map<std::string, std::int64_t> m;
  for (const auto* list : {&l.resources, &l.monster_parts, &l.other})
    for (const auto& x : *list) m[x.name] += x.qty;
  return m;
}

}  // namespace

TEST(BattlesProperty, RandomLogsParseReserialiseReparseEqual) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    SynthOptions o;
    o.players = 12;
    o.seed = seed;
    o.max_battles = 40;
    const auto plain = corpus(o);
    o.shuffle_attributes = true;
    const auto shuffled = corpus(o);
    o.shuffle_attributes = false;
    o.wrap = false;
    const auto bare = corpus(o);
    ASSERT_EQ(plain.size(), 40u);
    ASSERT_EQ(shuffled.size(), plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " battle " + std::to_string(plain[i].id));
      const auto a = parse_battle_log(plain[i].text);
      ASSERT_TRUE(a.ok()) << a.error << ": " << a.message << "\n" << plain[i].text;
      EXPECT_EQ(a.log.battle.id, plain[i].id);
      EXPECT_EQ(a.log.battle.ts, plain[i].ts);
      EXPECT_NE(shuffled[i].text, plain[i].text);
      const auto b = parse_battle_log(shuffled[i].text);
      EXPECT_EQ(a.log, b.log) << "attribute order changed the result";
      const auto c = parse_battle_log(bare[i].text);
      EXPECT_EQ(a.log, c.log) << "the BLOOK wrapper changed the result";
      // One line: the parser does not depend on line breaks.
      std::string one_line = plain[i].text;
      std::replace(one_line.begin(), one_line.end(), '\n', ' ');
      EXPECT_EQ(a.log, parse_battle_log(one_line).log);
      // Re-serialise the full model and read it back.
      const std::string text = boost::json::serialize(model_json(a));
      auto back = from_model_json(boost::json::parse(text));
      ASSERT_TRUE(back) << back.error().message;
      EXPECT_EQ(back->log, a.log);
      EXPECT_EQ(back->source, a.source);
      // Invariants.
      std::map<std::string, std::int64_t> personal;
      for (const auto& p : a.log.participants)
        for (const auto& [k, v] : multiset(p.loot)) personal[k] += v;
      EXPECT_EQ(personal, multiset(a.log.loot_total));
      EXPECT_EQ(a.log.battle.has_monsters, a.log.monsters_cnt() > 0);
      std::size_t t5 = 0;
      for (const auto& e : a.log.events) t5 += e.t == 5;
      EXPECT_GT(t5, 0u);
    }
  }
}

TEST(BattlesProperty, SynthIsDeterministicAndSpreadOverTheDays) {
  SynthOptions o;
  o.players = 20;
  o.days = 3;
  o.seed = 42;
  const auto a = corpus(o), b = corpus(o);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GT(a.size(), 100u);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].text, b[i].text);
  EXPECT_GE(a.back().ts - a.front().ts, 86400);
  int pvp = 0, pve = 0;
  for (const auto& x : a) {
    const auto out = parse_battle_log(x.text);
    pvp += out.log.battle.has_pvp;
    pve += out.log.battle.has_monsters;
  }
  EXPECT_GT(pvp, 0);
  EXPECT_GT(pve, pvp);
  EXPECT_EQ(shard_path(3999001), "79/3999001.tzb");
}
