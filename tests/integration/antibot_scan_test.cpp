// tzrhost antibot scan / rebuild over a real battles store (synthetic .tzb logs ingested by the
// battles feature), on SQLite and PostgreSQL: verdicts stored per scored player, the incremental
// state and daily rows rebuilt from every participation and consistent with the battles tables.
#include "support/backends.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>
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

std::int64_t scalar(tzr::storage::Database& db, const std::string& sql) {
  auto r = db.query(sql);
  if (!r || r->rows.empty() || r->rows[0].is_null(0)) return -1;
  return r->rows[0].integer(0);
}

void scan_and_rebuild(const std::string& backend, const std::string& server_url) {
  TempDir dir;
  ScratchDatabase scratch(backend, dir, server_url);
  const std::map<std::string, std::string> env{
      {"TZR_STORAGE__URL", scratch.url()}, {"TZR_SERVER__VAR_DIR", dir.str() + "/var"}, {"TZR_LOG__LEVEL", "warn"}};
  // 2025-10-01 + 4 days of play; the scan's window ends after the last battle.
  ASSERT_EQ(run({"battles", "synth", "--players", "60", "--days", "4", "--seed", "3", "--out", dir.str() + "/logs"}).code, 0);
  auto ingest = run({"ingest", "--quiet", dir.str() + "/logs"}, env);
  ASSERT_EQ(ingest.code, 0) << ingest.err;
  auto& db = scratch.db();
  const auto players = scalar(db, "SELECT COUNT(DISTINCT login_key) FROM battle_participants");
  ASSERT_GT(players, 20);

  const std::string until = std::to_string(1759276800 + 5 * 86400);
  auto scan = run({"antibot", "scan", "--days", "7", "--until", until, "--top", "5"}, env);
  ASSERT_EQ(scan.code, 0) << scan.err << scan.out;
  EXPECT_NE(scan.out.find(std::to_string(players) + " players"), std::string::npos) << scan.out;
  EXPECT_NE(scan.err.find("training the detector"), std::string::npos);
  const auto scored = scalar(db, "SELECT COUNT(*) FROM antibot_scores");
  EXPECT_GT(scored, 10);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM antibot_scores WHERE score < 0 OR score > 1"), 0);
  // Only players with at least 10 participations in the window are scored.
  EXPECT_EQ(scored, scalar(db, "SELECT COUNT(*) FROM (SELECT login_key FROM battle_participants p JOIN battles b"
                               " ON b.battle_id = p.battle_id WHERE b.ts < " + until +
                               " GROUP BY login_key HAVING COUNT(*) >= 10) e"));

  auto lines = run({"antibot", "scan", "--days", "7", "--until", until, "--json", "--quiet"}, env);
  ASSERT_EQ(lines.code, 0) << lines.err;
  std::istringstream in(lines.out);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const auto o = boost::json::parse(line).as_object();
    EXPECT_TRUE(o.contains("ml_detection"));
    EXPECT_TRUE(o.contains("reasons"));
    ++n;
  }
  EXPECT_EQ(n, scored);

  // A saved model scores the same window the same way; another window length is refused.
  const std::string model = dir.str() + "/model.json";
  auto train = run({"antibot", "train", "--days", "7", "--until", until, "--out", model, "--quiet"}, env);
  ASSERT_EQ(train.code, 0) << train.err;
  EXPECT_NE(train.out.find("7-day window"), std::string::npos) << train.out;
  auto with_model = run({"antibot", "scan", "--days", "7", "--until", until, "--model", model, "--json", "--quiet"}, env);
  ASSERT_EQ(with_model.code, 0) << with_model.err;
  // Same cohort, same seed: the same verdicts (the JSON round trip may move a last bit).
  std::istringstream fresh(lines.out), saved(with_model.out);
  std::string a, b;
  int compared = 0;
  while (std::getline(fresh, a) && std::getline(saved, b)) {
    const auto x = boost::json::parse(a).as_object(), y = boost::json::parse(b).as_object();
    EXPECT_EQ(x.at("login"), y.at("login"));
    EXPECT_EQ(x.at("is_bot"), y.at("is_bot"));
    EXPECT_EQ(x.at("method"), y.at("method"));
    EXPECT_NEAR(x.at("score").as_double(), y.at("score").as_double(), 1e-12);
    ++compared;
  }
  EXPECT_EQ(compared, scored);
  auto mismatch = run({"antibot", "scan", "--days", "30", "--until", until, "--model", model}, env);
  EXPECT_EQ(mismatch.code, 1);
  EXPECT_NE(mismatch.err.find("7-day window"), std::string::npos) << mismatch.err;
  EXPECT_EQ(run({"antibot", "scan", "--model", dir.str() + "/missing.json", "--days", "7"}, env).code, 1);

  auto rebuild = run({"antibot", "rebuild"}, env);
  ASSERT_EQ(rebuild.code, 0) << rebuild.err;
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM antibot_player_state"), players);
  EXPECT_EQ(scalar(db, "SELECT SUM(battles) FROM antibot_player_state"),
            scalar(db, "SELECT COUNT(*) FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id"
                       " WHERE b.ts IS NOT NULL"));
  EXPECT_EQ(scalar(db, "SELECT SUM(battles) FROM antibot_player_days"),
            scalar(db, "SELECT SUM(battles) FROM antibot_player_state"));
  EXPECT_EQ(scalar(db, "SELECT SUM(kills_monsters) FROM antibot_player_days"),
            scalar(db, "SELECT SUM(p.kills_monsters) FROM battle_participants p JOIN battles b"
                       " ON b.battle_id = p.battle_id WHERE b.ts IS NOT NULL"));
  // Running it again replaces, never adds.
  ASSERT_EQ(run({"antibot", "rebuild", "--quiet"}, env).code, 0);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM antibot_player_state"), players);
}

}  // namespace

TEST(AntibotScan, ScoresAndRebuildsOnSqlite) { scan_and_rebuild("sqlite", ""); }

TEST(AntibotScan, ScoresAndRebuildsOnPostgres) {
  TZR_REQUIRE_SERVER_URL(url, "TZR_TEST_POSTGRES_URL");
  scan_and_rebuild("postgres", url);
}

TEST(AntibotScan, ScoresAndRebuildsOnMysql) {
  TZR_REQUIRE_SERVER_URL(url, "TZR_TEST_MYSQL_URL");
  scan_and_rebuild("mysql", url);
}
