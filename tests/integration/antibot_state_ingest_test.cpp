// The antibot state kept at ingest, through the built binary on SQLite and PostgreSQL:
// `tzrhost ingest` of a synthetic corpus fills antibot_player_state / antibot_player_days in the
// batches' transactions; in order (one batch) they are exactly what `tzrhost antibot
// rebuild-state` writes, in many batches of unknown order the order-independent parts are; a
// re-ingest of the same folder changes nothing; antibot.state_at_ingest=false leaves them empty.
#include "storage/database.hpp"
#include "support/backends.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

using namespace tzr::test;
using namespace std::chrono_literals;

namespace {

struct Run {
  int code;
  std::string out, err;
};

Run run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, std::move(env));
  auto out = p.read_all(180s);
  auto code = p.wait(180s);
  return {code.value_or(-1), out, p.stderr_text()};
}

std::vector<std::string> rows(tzr::storage::Database& db, const std::string& sql) {
  auto r = db.query(sql);
  EXPECT_TRUE(r) << r.error().message;
  std::vector<std::string> out;
  if (!r) return out;
  for (const auto& row : r->rows) {
    std::string line;
    for (std::size_t i = 0; i < row.values.size(); ++i) line += (i ? "|" : "") + row.text(i);
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> state_rows(tzr::storage::Database& db, bool with_updated_at = false) {
  return rows(db, std::string("SELECT login_key, login, battles, last_end, state") + (with_updated_at ? ", updated_at" : "") +
                      " FROM antibot_player_state ORDER BY login_key");
}

// The parts of a state that do not depend on the order the battles arrived in.
std::vector<std::string> order_independent_states(tzr::storage::Database& db) {
  auto r = db.query("SELECT login_key, battles, last_end, state FROM antibot_player_state ORDER BY login_key");
  EXPECT_TRUE(r);
  std::vector<std::string> out;
  for (const auto& row : r->rows) {
    const auto s = boost::json::parse(row.text(3)).as_object();
    std::string line = row.text(0) + "|" + row.text(1) + "|" + row.text(2);
    for (const char* k : {"battles", "first_end", "last_end", "week_hours", "locations", "locations_overflow", "totals"})
      line += "|" + boost::json::serialize(s.at(k));
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> day_rows(tzr::storage::Database& db, bool with_idle) {
  return rows(db, std::string("SELECT login_key, day, battles, pvp, survived, kills_monsters, kills_players, loot, hours_mask") +
                      (with_idle ? ", idle_n, idle_sum" : "") + " FROM antibot_player_days ORDER BY login_key, day");
}

std::int64_t total_late(tzr::storage::Database& db) {
  std::int64_t n = 0;
  auto r = db.query("SELECT state FROM antibot_player_state");
  for (const auto& row : r->rows) n += boost::json::parse(row.text(0)).as_object().at("late").to_number<std::int64_t>();
  return n;
}

void state_at_ingest(const std::string& backend, const std::string& server_url) {
  TempDir dir;
  ASSERT_EQ(run({"battles", "synth", "--players", "60", "--days", "3", "--seed", "5", "--out", dir.str() + "/logs"}).code, 0);
  {
    SCOPED_TRACE("in order: the whole corpus in one batch");
    ScratchDatabase scratch(backend, dir, server_url);
    auto env = std::map<std::string, std::string>{{"TZR_STORAGE__URL", scratch.url()},
                                                  {"TZR_SERVER__VAR_DIR", dir.str() + "/var1"},
                                                  {"TZR_LOG__LEVEL", "warn"},
                                                  {"TZR_BATTLES__INGEST_BATCH", "100000"}};
    auto ingest = run({"ingest", "--quiet", dir.str() + "/logs"}, env);
    ASSERT_EQ(ingest.code, 0) << ingest.err;
    auto& db = scratch.db();
    const auto states = state_rows(db, true);
    const auto days = day_rows(db, true);
    ASSERT_GT(states.size(), 20u);
    EXPECT_EQ(total_late(db), 0);
    EXPECT_EQ(rows(db, "SELECT SUM(battles) FROM antibot_player_state"),
              rows(db, "SELECT COUNT(*) FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id WHERE b.ts IS NOT NULL"));

    auto again = run({"ingest", "--quiet", dir.str() + "/logs"}, env);
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_NE(again.out.find("stored 0,"), std::string::npos) << again.out;
    EXPECT_EQ(state_rows(db, true), states);  // not even rewritten
    EXPECT_EQ(day_rows(db, true), days);

    auto rebuild = run({"antibot", "rebuild-state"}, env);
    ASSERT_EQ(rebuild.code, 0) << rebuild.err;
    EXPECT_NE(rebuild.err.find("players written"), std::string::npos) << rebuild.err;
    EXPECT_NE(rebuild.out.find("rebuilt the state of " + std::to_string(states.size()) + " players"), std::string::npos)
        << rebuild.out;
    auto ingested = states;
    for (auto& line : ingested) line.erase(line.rfind('|'));  // updated_at
    EXPECT_EQ(state_rows(db), ingested);
    EXPECT_EQ(day_rows(db, true), days);
  }
  {
    SCOPED_TRACE("many batches in directory order");
    ScratchDatabase scratch(backend, dir, server_url);
    auto env = std::map<std::string, std::string>{{"TZR_STORAGE__URL", scratch.url()},
                                                  {"TZR_SERVER__VAR_DIR", dir.str() + "/var2"},
                                                  {"TZR_LOG__LEVEL", "warn"},
                                                  {"TZR_BATTLES__INGEST_BATCH", "23"}};
    auto ingest = run({"ingest", "--quiet", dir.str() + "/logs"}, env);
    ASSERT_EQ(ingest.code, 0) << ingest.err;
    auto& db = scratch.db();
    const auto states = order_independent_states(db);
    const auto days = day_rows(db, false);
    ASSERT_GT(states.size(), 20u);
    ASSERT_EQ(run({"ingest", "--quiet", dir.str() + "/logs"}, env).code, 0);
    EXPECT_EQ(order_independent_states(db), states);
    ASSERT_EQ(run({"antibot", "rebuild-state", "--quiet"}, env).code, 0);
    EXPECT_EQ(order_independent_states(db), states);
    EXPECT_EQ(day_rows(db, false), days);
    EXPECT_EQ(total_late(db), 0);
  }
}

}  // namespace

TEST(AntibotStateIngest, IngestKeepsTheRebuildsStateOnSqlite) { state_at_ingest("sqlite", ""); }

TEST(AntibotStateIngest, IngestKeepsTheRebuildsStateOnPostgres) {
  TZR_REQUIRE_SERVER_URL(url, "TZR_TEST_POSTGRES_URL");
  state_at_ingest("postgres", url);
}

TEST(AntibotStateIngest, IngestKeepsTheRebuildsStateOnMysql) {
  TZR_REQUIRE_SERVER_URL(url, "TZR_TEST_MYSQL_URL");
  state_at_ingest("mysql", url);
}

TEST(AntibotStateIngest, OffByConfigLeavesTheTablesToTheRebuild) {
  TempDir dir;
  ASSERT_EQ(run({"battles", "synth", "--players", "20", "--days", "1", "--seed", "2", "--out", dir.str() + "/logs"}).code, 0);
  ScratchDatabase scratch("sqlite", dir);
  const std::map<std::string, std::string> env{{"TZR_STORAGE__URL", scratch.url()},
                                               {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
                                               {"TZR_LOG__LEVEL", "warn"},
                                               {"TZR_ANTIBOT__STATE_AT_INGEST", "false"}};
  ASSERT_EQ(run({"ingest", "--quiet", dir.str() + "/logs"}, env).code, 0);
  auto& db = scratch.db();
  EXPECT_EQ(rows(db, "SELECT COUNT(*) FROM antibot_player_state"), std::vector<std::string>{"0"});
  ASSERT_EQ(run({"antibot", "rebuild", "--quiet"}, env).code, 0);  // the old name still works
  EXPECT_NE(rows(db, "SELECT COUNT(*) FROM antibot_player_state"), std::vector<std::string>{"0"});
}
