// The HP damage grammar (battles.md §1.10): the table of §8 item 6 and every case of the shared
// conformance file battle_hp_grammar.json, plus what one hit adds inside a parsed battle.
#include "battles/hp_grammar.hpp"
#include "battles/model_json.hpp"
#include "battles/parser.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/conformance.hpp"

using namespace tzr::battles;

namespace {

struct Row {
  const char* hp;
  std::int64_t armor, normal, crit;
  const char* status;
  std::int64_t status_amount, total, kill;
};

// battles.md §8 item 6, column by column.
const Row kSpecTable[] = {
    {"60", 0, 60, 0, "", 0, 60, 60},          {"0:60", 0, 60, 0, "", 0, 60, 60},
    {"1:46", 0, 0, 46, "", 0, 46, 46},        {"2:31", 31, 0, 0, "", 0, 31, 31},
    {"0:-52", 0, -52, 0, "", 0, -52, 52},     {"0:A7", 0, 0, 0, "A", 7, 7, 7},
    {"0:18:N4", 0, 18, 0, "N", 4, 22, 22},    {"0:29:\xD0\xA1" "5", 0, 0, 0, "", 0, 0, 5},
    {"invalid", 0, 0, 0, "", 0, 0, 0},        {"", 0, 0, 0, "", 0, 0, 0},
    {"0:A-15", 0, 0, 0, "A", 15, 15, 15},     {"0:O25", 0, 0, 0, "O", 25, 25, 25},
    {"0:29:H5", 0, 29, 0, "H", 5, 34, 34},    {"5:10:H3", 5, 10, 0, "H", 3, 13, 13},
    {"3:40", 0, 40, 0, "", 0, 40, 40},        {"-52", 0, 52, 0, "", 0, 52, 52},
    {"1:-20", 0, 0, -20, "", 0, -20, 20},
};

// A one-hit battle as the conformance file describes it.
std::string one_hit_battle(const std::string& hp) {
  return "<BLOOK><BATTLE t2=\"100\" turn=\"1\" note=\"1,2,50\">"
         "<USER login=\"Hero\" level=\"1\" side=\"1\" battleid=\"77\" HP=\"100\" maxHP=\"100\"/>"
         "<USER login=\"$rat1\" level=\"3\" side=\"2\" HP=\"10\" maxHP=\"10\"/></BATTLE>"
         "<TURN turn=\"1\"><USER login=\"Hero\"><a sf=\"3\" t=\"5\" type=\"3\" login=\"$rat1\" xy=\"1,1\" HP=\"" + hp +
         "\"/><a sf=\"3\" t=\"20\" code=\"7\" login=\"$rat1\"/></USER><USER login=\"$rat1\"><a sf=\"3\" t=\"7\"/></USER></TURN></BLOOK>";
}

// Cases that rely on Python int() leniencies: battles.md §1.10 makes them malformed here.
bool informative(const boost::json::object& c, const std::string& hp) {
  for (const auto& n : tzr::test::conformance("battle_hp_grammar.json").at("big_integer_cases").at("names").as_array())
    if (n.as_string() == c.at("name").as_string()) return true;
  for (unsigned char ch : hp) {
    if (ch == ' ' || ch == '+' || ch == '_' || ch == '\n' || ch == '\t') return true;
  }
  // Non-ASCII digits (Arabic-Indic U+0660..U+0669 are D9 A0..D9 A9 in UTF-8).
  return hp.find("\xD9") != std::string::npos;
}

std::int64_t as_int(const boost::json::value& v) { return v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(v.as_uint64()); }

}  // namespace

TEST(BattlesHpGrammar, SpecTableOfSection8) {
  for (const auto& row : kSpecTable) {
    SCOPED_TRACE(row.hp);
    const HpHit h = parse_hp(row.hp);
    EXPECT_EQ(h.armor_piercing, row.armor);
    EXPECT_EQ(h.normal, row.normal);
    EXPECT_EQ(h.critical, row.crit);
    EXPECT_EQ(h.status_code, row.status);
    EXPECT_EQ(h.status_amount, row.status_amount);
    EXPECT_EQ(h.total, row.total);
    EXPECT_EQ(h.kill_damage, row.kill);
  }
}

TEST(BattlesHpGrammar, HealsAreTypedNegatives) {
  EXPECT_EQ(parse_hp("0:-52").heal(), 52);
  EXPECT_EQ(parse_hp("1:-20").heal(), 20);
  EXPECT_EQ(parse_hp("-52").heal(), 0);  // the reference counts a bare negative as damage
  EXPECT_EQ(parse_hp("0:60").heal(), 0);
}

TEST(BattlesHpGrammar, ConformanceFile) {
  const auto& doc = tzr::test::conformance("battle_hp_grammar.json");
  int checked = 0, skipped = 0;
  for (const auto& cv : doc.at("cases").as_array()) {
    const auto& c = cv.as_object();
    const std::string hp(c.at("hp").as_string());
    SCOPED_TRACE(std::string(c.at("name").as_string()) + " HP=" + hp);
    if (informative(c, hp)) {
      ++skipped;
      const HpHit h = parse_hp(hp);  // malformed here: nothing counted
      EXPECT_EQ(h.form, HpForm::malformed);
      continue;
    }
    ++checked;
    const auto& d = c.at("detailed").as_object();
    const HpHit h = parse_hp(hp);
    EXPECT_EQ(h.category(), d.at("category").as_string());
    EXPECT_EQ(h.armor_piercing, as_int(d.at("armor_piercing")));
    EXPECT_EQ(h.normal, as_int(d.at("normal_damage")));
    EXPECT_EQ(h.critical, as_int(d.at("critical_damage")));
    EXPECT_EQ(h.status_code, d.at("status_code").is_null() ? "" : std::string(d.at("status_code").as_string()));
    EXPECT_EQ(h.status_amount, as_int(d.at("status_damage")));
    EXPECT_EQ(h.total, as_int(d.at("total_damage")));
    EXPECT_EQ(h.kill_damage, as_int(c.at("kill_damage")));

    const auto& in_battle = c.at("in_battle");
    if (in_battle.is_null()) continue;
    const auto& ib = in_battle.as_object();
    auto parsed = parse_battle_log(one_hit_battle(hp));
    ASSERT_TRUE(parsed.ok()) << parsed.error << " " << parsed.message;
    const auto compat = compat_json(parsed);
    const auto& hero = compat.at("participants").as_array().at(0).as_object();
    EXPECT_EQ(hero.at("damage_total").at("monsters"), ib.at("damage_total_monsters"));
    EXPECT_EQ(hero.at("kills").at("monsters").as_int64(), as_int(ib.at("kills_monsters")));
  }
  EXPECT_GE(checked, 60);
  EXPECT_LE(skipped, 12);
}
