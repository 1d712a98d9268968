// `tzrhost battles synth` and `tzrhost ingest` as a user runs them: idempotent re-runs, a SIGKILL in
// the middle, hostile input files, and the same on PostgreSQL and MariaDB.
#include "storage/database.hpp"
#include "support/backends.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

using namespace tzr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  std::string out, err;
};

Run run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, std::move(env));
  auto out = p.read_all(120s);
  auto code = p.wait(120s);
  return {code.value_or(-1), out, p.stderr_text()};
}

std::map<std::string, std::string> env_for(const TempDir& dir, const std::string& url) {
  return {{"TZR_STORAGE__URL", url}, {"TZR_SERVER__VAR_DIR", dir.str() + "/var"}, {"TZR_LOG__LEVEL", "warn"}};
}

std::int64_t scalar(tzr::storage::Database& db, const std::string& sql) {
  auto r = db.query(sql);
  if (!r || r->rows.empty()) return -1;
  return r->rows[0].integer(0);
}

std::int64_t synth(const TempDir& dir, const std::string& out, int players, int days, int seed) {
  auto r = run({"battles", "synth", "--players", std::to_string(players), "--days", std::to_string(days), "--seed", std::to_string(seed),
                "--out", dir.str() + "/" + out});
  EXPECT_EQ(r.code, 0) << r.err;
  std::int64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir.str() + "/" + out)) n += e.is_regular_file();
  return n;
}

void check_exactly_once(tzr::storage::Database& db, std::int64_t files) {
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM battles"), files);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM (SELECT battle_id FROM battle_ingest_log WHERE status = 'stored'"
                       " GROUP BY battle_id HAVING COUNT(*) > 1) d"),
            0);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM battle_ingest_log WHERE status = 'stored'"), files);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM (SELECT battle_id, login FROM battle_participants GROUP BY battle_id, login HAVING COUNT(*) > 1) d"), 0);
}

void ingest_twice(const std::string& backend, const std::string& server_url) {
  TempDir dir;
  ScratchDatabase scratch(backend, dir, server_url);
  const auto files = synth(dir, "corpus", 30, 2, 7);
  ASSERT_GT(files, 100);
  auto first = run({"ingest", "--quiet", dir.str() + "/corpus"}, env_for(dir, scratch.url()));
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("stored " + std::to_string(files)), std::string::npos) << first.out;
  auto second = run({"ingest", dir.str() + "/corpus"}, env_for(dir, scratch.url()));
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_NE(second.out.find("duplicate " + std::to_string(files)), std::string::npos) << second.out;
  EXPECT_NE(second.err.find("ingest: "), std::string::npos) << "plain progress lines when stderr is not a terminal";
  check_exactly_once(scratch.db(), files);
  EXPECT_GT(scalar(scratch.db(), "SELECT COUNT(*) FROM battle_loot WHERE battle_ts IS NOT NULL"), 0);
}

}  // namespace

TEST(BattlesIngest, SameFolderTwiceGivesNoDuplicatesSqlite) { ingest_twice("sqlite", ""); }

TEST(BattlesIngest, SameFolderTwiceGivesNoDuplicatesPostgres) {
  TZR_REQUIRE_SERVER_URL(url, "TZR_TEST_POSTGRES_URL");
  ingest_twice("postgres", url);
}

TEST(BattlesIngest, SameFolderTwiceGivesNoDuplicatesMysql) {
  TZR_REQUIRE_SERVER_URL(url, "TZR_TEST_MYSQL_URL");
  ingest_twice("mysql", url);
}

TEST(BattlesIngest, SigkillMidwayThenAgainStoresEveryBattleOnce) {
  TempDir dir;
  const auto files = synth(dir, "corpus", 120, 3, 11);
  ASSERT_GT(files, 1500);
  const std::string url = "sqlite://" + dir.str() + "/tzr.db";
  auto env = env_for(dir, url);
  env["TZR_BATTLES__INGEST_BATCH"] = "40";
  {
    std::vector<std::string> argv{tzrhost_bin(), "ingest", "--quiet", dir.str() + "/corpus"};
    ChildProcess p(argv, env);
    auto db = tzr::storage::open_database(url);
    // Kill it once some batches are committed and before the end.
    bool killed = false;
    for (int i = 0; i < 2000 && !killed; ++i) {
      std::this_thread::sleep_for(5ms);
      if (!db) db = tzr::storage::open_database(url);
      if (!db) continue;
      const auto n = scalar(**db, "SELECT COUNT(*) FROM battles");
      if (n > 0 && n < files) {
        p.signal(SIGKILL);
        killed = true;
      }
      if (n >= files) break;
    }
    ASSERT_TRUE(killed) << "the ingest finished before it could be killed";
    EXPECT_EQ(p.wait(10s), 128 + SIGKILL);
  }
  auto again = run({"ingest", "--quiet", dir.str() + "/corpus"}, env);
  ASSERT_EQ(again.code, 0) << again.err;
  auto db = tzr::storage::open_database(url);
  ASSERT_TRUE(db);
  check_exactly_once(**db, files);
  // Every battle's raw log is indexed once, in pack files under var/raw/packs.
  EXPECT_EQ(scalar(**db, "SELECT COUNT(*) FROM battle_raw"), files);
  EXPECT_EQ(scalar(**db, "SELECT COUNT(*) FROM battles b WHERE NOT EXISTS (SELECT 1 FROM battle_raw r WHERE r.content_sha256 = b.content_sha256)"), 0);
  std::int64_t packs = 0;
  for (const auto& e : fs::directory_iterator(dir.str() + "/var/raw/packs")) packs += e.path().extension() == ".pack";
  EXPECT_GE(packs, 2) << "one pack per writer process";
}

TEST(BattlesIngest, HostileFilesAreRecordedAsFailedWithAReason) {
  TempDir dir;
  const fs::path in = dir / "in";
  fs::create_directories(in / "sub");
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(in / name, std::ios::binary) << bytes;
  };
  write("empty.tzb", "");
  write("malformed.tzb", "<BLOOK><BATTLE t2=\"1\"><USER login=\"A\" battleid=\"5\" side=\"1\"></BATTLE><<<<");
  write("mock.tzb", "<?xml version=\"1.0\"?><battle><index>3999002</index></battle>");
  std::string deep = "<BLOOK><BATTLE t2=\"1\">";
  for (int i = 0; i < 100000; ++i) deep += "<x>";
  write("deep.tzb", deep);
  write("entities.tzb", "<!DOCTYPE b [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><BLOOK><BATTLE t2=\"1\">"
                        "<USER login=\"&b;\" side=\"1\"/><O id=\"&#0;\" txt=\"&xxe;\" count=\"1\" bx=\"1\" by=\"1\"/></BATTLE></BLOOK>");
  write("sub/bad.tzb.gz", std::string("\x1f\x8b\x08\x00garbage", 12));
  write("invalid-utf8.tzb", "<BLOOK><BATTLE t2=\"1\"><USER login=\"\xff\xfe\" battleid=\"9\" side=\"1\"/></BATTLE></BLOOK>");
  {
    std::ofstream big(in / "huge.tzb", std::ios::binary);
    big.seekp(200LL * 1024 * 1024 - 1);
    big.put('\n');  // a sparse 200 MB file: refused by size, never read
  }
  write("ignored.txt", "not a log");
  const std::string url = "sqlite://" + dir.str() + "/tzr.db";
  auto r = run({"ingest", "--quiet", in.string()}, env_for(dir, url));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("failed 8"), std::string::npos) << r.out;
  auto db = tzr::storage::open_database(url);
  ASSERT_TRUE(db);
  EXPECT_EQ(scalar(**db, "SELECT COUNT(*) FROM battles"), 0);
  auto reasons = (*db)->query("SELECT name, error_code FROM battle_ingest_log WHERE status = 'failed' ORDER BY name");
  ASSERT_TRUE(reasons);
  std::map<std::string, std::string> by_file;
  for (const auto& row : reasons->rows) by_file[fs::path(row.text(0)).filename().string()] = row.text(1);
  EXPECT_EQ(by_file["empty.tzb"], "empty_input");
  EXPECT_EQ(by_file["malformed.tzb"], "malformed_xml");
  EXPECT_EQ(by_file["mock.tzb"], "not_a_battle_log");
  EXPECT_EQ(by_file["deep.tzb"], "malformed_xml");
  EXPECT_EQ(by_file["entities.tzb"], "no_battle_id");
  EXPECT_EQ(by_file["bad.tzb.gz"], "gzip_invalid");
  EXPECT_EQ(by_file["invalid-utf8.tzb"], "invalid_utf8");
  EXPECT_EQ(by_file["huge.tzb"], "too_large");
  EXPECT_EQ(by_file.count("ignored.txt"), 0u);
  // Nothing was written outside the database and the raw store.
  std::set<std::string> top;
  for (const auto& e : fs::directory_iterator(dir.path())) top.insert(e.path().filename().string());
  for (const auto& name : top) EXPECT_TRUE(name == "in" || name == "var" || name.rfind("tzr.db", 0) == 0) << name;
  for (const auto& e : fs::recursive_directory_iterator(dir / "var"))
    if (e.is_regular_file()) {
      EXPECT_NE(e.path().string().find("/var/raw/"), std::string::npos) << e.path();
    }
}
