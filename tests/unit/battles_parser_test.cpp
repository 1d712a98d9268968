// Golden and negative tests of the .tzb parser against shared/fixtures/battles (battles.md §8).
#include "battles/gzip.hpp"
#include "battles/model_json.hpp"
#include "battles/parser.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace tzr::battles;
namespace json = boost::json;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(TZR_SHARED_DIR) + "/fixtures/battles/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ParseOutcome parse_fixture(const std::string& name) {
  ParseOptions o;
  o.storage_key = name;
  return parse_battle_log(fixture(name), o);
}

const Participant& who(const ParseOutcome& out, const std::string& login) {
  for (const auto& p : out.log.participants)
    if (p.login == login) return p;
  throw std::runtime_error("no participant " + login);
}

}  // namespace

TEST(BattlesParser, SyntheticSmallEqualsTheReferenceOutput) {
  const auto out = parse_fixture("synthetic_small.tzb");
  ASSERT_TRUE(out.ok()) << out.error << ": " << out.message;
  const json::value expected = json::parse(fixture("synthetic_small.expected.json"));
  const json::value actual = compat_json(out);
  EXPECT_EQ(actual, expected) << "actual:   " << json::serialize(actual) << "\nexpected: " << json::serialize(expected);
  EXPECT_EQ(out.parser_version, kParserVersion);
}

// Facts the reference's output does not carry; our corrected model adds them (battles.md §7.2).
TEST(BattlesParser, SyntheticSmallCorrectedModel) {
  const auto out = parse_fixture("synthetic_small.tzb");
  const auto& b = out.log.battle;
  EXPECT_EQ(b.id, 3999001);
  EXPECT_EQ(b.map_id, "m_4C64EC1C7912A293");
  EXPECT_EQ(b.map_rows.size(), 4u);
  EXPECT_FALSE(b.duplicated);
  EXPECT_TRUE(b.has_pvp) << "humans stand on sides 1 and 3";
  EXPECT_TRUE(b.has_monsters);
  // Beta's heal of Alpha (0:-52): dropped by the reference, counted here.
  EXPECT_EQ(who(out, "Beta").healing, 52);
  EXPECT_EQ(who(out, "Alpha").healing, 0);
  // Beta dies by a t=7 event (the reference only saw the HP="0" snapshot).
  EXPECT_EQ(who(out, "Beta").deaths, 1);
  EXPECT_FALSE(who(out, "Beta").survived);
  EXPECT_TRUE(who(out, "Гамма").escaped);
  EXPECT_TRUE(who(out, "Гамма").intervened);
  // DoT ticks of every code are kept (the reference drops A): Alpha's 0:A7 on $rat12_77.
  EXPECT_EQ(who(out, "Alpha").damage_monsters.status.at("A"), 7);
  // One event per action.
  EXPECT_EQ(out.log.events.size(), 31u);
  EXPECT_EQ(out.source.size_bytes, 3151);
  EXPECT_EQ(out.source.sha256, "7e58745b069e5588a50de3d920fe077a912d8ffcca38c4fd0d8f80b2ac77ca54");
}

TEST(BattlesParser, DuplicatedLogEqualsSmallAfterDedupe) {
  const auto small = parse_fixture("synthetic_small.tzb");
  auto dup = parse_fixture("synthetic_duplicated.tzb");
  ASSERT_TRUE(dup.ok()) << dup.error;
  EXPECT_TRUE(dup.log.battle.duplicated);
  EXPECT_TRUE(dup.log.battle.duplicate_identical);
  EXPECT_EQ(dup.source.size_bytes, 6287);
  // Equal apart from size, digests, storage key and the duplicate flags (battles.md §8 item 3).
  json::object a = compat_json(small), b = compat_json(dup);
  for (auto* o : {&a, &b}) {
    auto& battle = o->at("battle").as_object();
    battle.erase("size_bytes");
    battle.erase("sha256");
    battle.erase("storage_key");
  }
  EXPECT_EQ(a, b);
  dup.log.battle.duplicated = dup.log.battle.duplicate_identical = false;
  EXPECT_EQ(dup.log, small.log);
  // Not the reference production path's doubled figures (4 monster kills, 4 monsters).
  EXPECT_EQ(dup.log.monsters_cnt(), 3);
  EXPECT_EQ(who(dup, "Alpha").kills_monsters, 2);
}

TEST(BattlesParser, GzipInputGivesTheSameResult) {
  const std::string raw = fixture("synthetic_small.tzb");
  const auto plain = parse_battle_log(raw);
  const auto zipped = parse_battle_log(gzip(raw));
  ASSERT_TRUE(zipped.ok()) << zipped.error;
  EXPECT_TRUE(zipped.source.compressed);
  EXPECT_EQ(zipped.log, plain.log);
  EXPECT_EQ(zipped.source.canonical_sha256, plain.source.canonical_sha256);
  auto round = gunzip(gzip(raw), 1 << 20);
  ASSERT_TRUE(round);
  EXPECT_EQ(*round, raw);
}

TEST(BattlesParser, NegativeCases) {
  auto empty = parse_battle_log("");
  EXPECT_EQ(empty.error, "empty_input");
  EXPECT_EQ(empty.log.battle.id, 0);
  EXPECT_TRUE(empty.log.participants.empty());
  EXPECT_EQ(empty.source.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  auto mock = parse_fixture("mock_generator_style.tzb");
  EXPECT_EQ(mock.error, "not_a_battle_log");
  EXPECT_EQ(mock.log.battle.id, 0);
  EXPECT_TRUE(mock.log.participants.empty());
  const auto mock_json = compat_json(mock);
  EXPECT_TRUE(mock_json.at("battle").at("ts").is_null());
  EXPECT_TRUE(mock_json.at("battle").at("map_patch").as_object().empty());

  EXPECT_EQ(parse_battle_log("\x1f\x8b garbage").error, "gzip_invalid");
  EXPECT_EQ(parse_battle_log("<BLOOK><BATTLE t2=\"1\"><USER login=\"\xff\"/></BATTLE></BLOOK>").error, "invalid_utf8");
  EXPECT_EQ(parse_battle_log("<BLOOK><BATTLE t2=\"1\"><USER login=\"A\" side=\"1\"/></BATTLE></BLOOK>").error, "no_battle_id");
  ParseOptions small_limit;
  small_limit.max_text_bytes = 100;
  EXPECT_EQ(parse_battle_log(fixture("synthetic_small.tzb"), small_limit).error, "too_large");
  EXPECT_EQ(parse_battle_log(gzip(fixture("synthetic_small.tzb")), small_limit).error, "too_large");
}

TEST(BattlesParser, TruncatedInputGivesAPartialResultAndAnError) {
  const std::string raw = fixture("synthetic_small.tzb");
  const auto cut = raw.substr(0, raw.find("<TURN turn=\"3\">") + 40);
  auto out = parse_battle_log(cut);
  EXPECT_EQ(out.error, "malformed_xml");
  EXPECT_NE(out.message.find("truncated"), std::string::npos) << out.message;
  EXPECT_EQ(out.log.battle.id, 3999001);
  EXPECT_EQ(out.log.participants.size(), 3u);
  EXPECT_EQ(who(out, "Гамма").kills_monsters, 1);  // turn 2 was complete
  // Every prefix parses without a crash.
  for (std::size_t n = 0; n < raw.size(); n += 7) (void)parse_battle_log(raw.substr(0, n));
}

TEST(BattlesParser, NulAnd1FBytesAndWrapperVariantsAreIgnored) {
  const std::string raw = fixture("synthetic_small.tzb");
  std::string noisy;
  for (char c : raw) {
    noisy += c;
    if (c == '>') noisy += std::string("\0\x1f", 2);
  }
  const auto a = parse_battle_log(raw), b = parse_battle_log(noisy);
  ASSERT_TRUE(b.ok()) << b.error << " " << b.message;
  EXPECT_EQ(a.log, b.log);
  // Without the BLOOK wrapper (the deduped form): the same battle.
  std::string bare = raw.substr(7, raw.size() - 7 - 8);
  const auto c = parse_battle_log(bare);
  ASSERT_TRUE(c.ok()) << c.error << " " << c.message;
  EXPECT_EQ(a.log, c.log);
  EXPECT_EQ(a.source.canonical_sha256, c.source.canonical_sha256);
}

TEST(BattlesParser, HostileXml) {
  // Entities are not expanded beyond the predefined five; a DOCTYPE defines nothing.
  const std::string lol = "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;\">]>"
                          "<BLOOK><BATTLE t2=\"5\"><USER login=\"&b;\" battleid=\"9\" side=\"1\"/></BATTLE></BLOOK>";
  auto out = parse_battle_log(lol);
  EXPECT_EQ(out.log.battle.id, 9);
  ASSERT_EQ(out.log.participants.size(), 1u);
  EXPECT_LT(out.log.participants[0].login.size(), 8u);
  // Deep nesting: no recursion, no crash.
  std::string deep = "<BLOOK><BATTLE t2=\"5\">";
  for (int i = 0; i < 200000; ++i) deep += "<x>";
  auto d = parse_battle_log(deep);
  EXPECT_FALSE(d.ok());
}
