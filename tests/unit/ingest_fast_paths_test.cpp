// The shortcuts of the ingest path keep their results: SQLite's prepared-statement cache (reused,
// rebound, survives errors and schema changes), the reused deflate state, JSON scalars written
// directly, and a parse given the content digest.
#include "battles/gzip.hpp"
#include "battles/parser.hpp"
#include "battles/synth.hpp"
#include "core/json.hpp"
#include "crypto/hash.hpp"
#include "storage/database.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace {

using tzr::storage::Value;

std::vector<Value> row(std::int64_t id, std::string name) { return {Value{id}, Value{std::move(name)}}; }

TEST(SqliteStatementCache, ReusedStatementsAreRebound_SurviveErrors_AndSeeSchemaChanges) {
  tzr::test::TempDir dir;
  auto db = std::move(*tzr::storage::open_database("sqlite://" + dir.str() + "/c.db"));
  ASSERT_TRUE(db->transaction([](tzr::storage::Session& s) { return s.execute_script("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);"); }));
  const std::string insert = "INSERT INTO t (id, name) VALUES (?, ?)";
  auto st = db->transaction([&](tzr::storage::Session& s) -> tzr::Status {
    for (std::int64_t i = 1; i <= 50; ++i)  // cached from the second run on, bound afresh each time
      if (auto r = s.query(insert, row(i, "n" + std::to_string(i))); !r) return r.error();
    auto dup = s.query(insert, row(7, "again"));  // a failed run of the cached statement …
    EXPECT_FALSE(dup);
    return s.query(insert, row(51, "after")) ? tzr::Status{} : tzr::Status{tzr::Error::internal("insert after error")};  // … leaves it usable
  });
  ASSERT_TRUE(st) << st.error().message;
  auto all = db->query("SELECT count(*), sum(id), max(name) FROM t WHERE name <> 'again'");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->rows[0].integer(0), 51);
  EXPECT_EQ(all->rows[0].integer(1), 51 * 52 / 2);
  // A column added after the statement was cached: the cached SELECT sees the new schema.
  const std::string select = "SELECT * FROM t WHERE id = ?";
  auto read = [&] {
    tzr::storage::QueryResult out;
    EXPECT_TRUE(db->transaction([&](tzr::storage::Session& s) -> tzr::Status {
      auto r = s.query(select, std::vector<Value>{Value{std::int64_t{3}}});
      if (!r) return r.error();
      out = std::move(*r);
      return {};
    }));
    return out;
  };
  EXPECT_EQ(read().columns.size(), 2u);
  EXPECT_EQ(read().columns.size(), 2u);
  ASSERT_TRUE(db->transaction([](tzr::storage::Session& s) { return s.execute_script("ALTER TABLE t ADD COLUMN extra INTEGER;"); }));
  const auto after = read();
  EXPECT_EQ(after.columns.size(), 3u);
  ASSERT_EQ(after.rows.size(), 1u);
  EXPECT_EQ(after.rows[0].text(1), "n3");
}

TEST(GzipReuse, EverySizeAndLevelRoundTripsInAnyOrder) {
  std::vector<std::string> inputs = {"", "x", std::string(300, 'a'), std::string(5000, 'b')};
  std::string big;
  for (int i = 0; big.size() < 200'000; ++i) big += "<a t=\"5\" HP=\"0:" + std::to_string(i * 7919 % 1000) + "\"/>\n";
  inputs.push_back(big);
  for (int round = 0; round < 3; ++round)
    for (int level : {1, 6, 1})
      for (const auto& in : inputs) {
        const auto z = tzr::battles::gzip(in, level);
        ASSERT_TRUE(tzr::battles::looks_gzip(z));
        auto back = tzr::battles::gunzip(z, 1u << 20);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, in) << "size " << in.size() << " level " << level;
      }
}

TEST(JsonSerialize, ScalarsAndStringsAsBoostWritesThem) {
  boost::json::object o;
  o["plain"] = "abc";
  o["quote\"key"] = "a\"b\\c\n\x01";
  o["utf8"] = "Ёж ✓";
  o["i"] = -42;
  o["u"] = std::uint64_t{18446744073709551615ull};
  o["t"] = true;
  o["f"] = false;
  o["n"] = nullptr;
  o["arr"] = boost::json::array{1, "x", nullptr, boost::json::object{{"k", "v"}}};
  const boost::json::value v = o;
  EXPECT_EQ(tzr::json::serialize(v), boost::json::serialize(v));
}

TEST(ParseWithKnownDigest, GivesTheSameOutcome) {
  tzr::battles::SynthOptions so;
  so.players = 20;
  so.days = 1;
  so.max_battles = 5;
  std::vector<std::string> logs;
  tzr::battles::synthesize(so, [&](tzr::battles::SynthBattle&& b) {
    logs.push_back(std::move(b.text));
    return true;
  });
  ASSERT_FALSE(logs.empty());
  for (const auto& text : logs) {
    tzr::battles::ParseOptions po;
    po.keep_events = false;
    const auto plain = tzr::battles::parse_battle_log(text, po);
    po.content_sha256 = tzr::crypto::sha256_hex(text);
    const auto given = tzr::battles::parse_battle_log(text, po);
    EXPECT_EQ(given.source, plain.source);
    EXPECT_EQ(given.log, plain.log);
    EXPECT_EQ(given.error, plain.error);
  }
}

}  // namespace
