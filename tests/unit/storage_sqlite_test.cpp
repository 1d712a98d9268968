// SQLite-specific behaviour of the storage layer (files, WAL, the single writer, busy retries),
// plus the backend-independent pieces: Row accessors, URL dispatch and redaction.
// The cross-backend contract is tested in tests/integration/storage_backends_test.cpp.
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

namespace tzr::storage {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<Database> open_ok(const std::string& url, OpenOptions options = {}) {
  auto db = open_database(url, options);
  if (!db) ADD_FAILURE() << "open_database failed: " << db.error().code << ": " << db.error().message;
  return db ? std::move(*db) : nullptr;
}

std::int64_t count(Database& db, const std::string& table) {
  return db.query("SELECT COUNT(*) FROM " + table).value().rows.at(0).integer(0);
}

class SqliteStorageTest : public ::testing::Test {
 protected:
  test::TempDir tmp;
  std::string url() const { return "sqlite://" + (tmp / "db" / "tzr.db").string(); }
};

TEST_F(SqliteStorageTest, AbsolutePathCreatesParentFolders) {
  const auto path = tmp / "a" / "b" / "c.db";
  auto db = open_ok("sqlite://" + path.string());  // sqlite:///abs/path
  ASSERT_TRUE(db);
  EXPECT_EQ(db->dialect(), Dialect::sqlite);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(db->ping());
}

TEST_F(SqliteStorageTest, RelativePathIsRelativeToTheWorkingDirectory) {
  const auto before = std::filesystem::current_path();
  std::filesystem::current_path(tmp.path());
  auto db = open_database("sqlite://var/sub/tzr.db");
  std::filesystem::current_path(before);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_TRUE(std::filesystem::exists(tmp / "var" / "sub" / "tzr.db"));
}

TEST_F(SqliteStorageTest, UsesWalAndForeignKeys) {
  auto db = open_ok(url());
  ASSERT_TRUE(db);
  EXPECT_EQ(db->query("PRAGMA journal_mode").value().rows.at(0).text(0), "wal");
  EXPECT_EQ(db->query("PRAGMA foreign_keys").value().rows.at(0).integer(0), 1);
  ASSERT_TRUE(db->query("CREATE TABLE parent (id INTEGER PRIMARY KEY)"));
  ASSERT_TRUE(db->query("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))"));
  auto orphan = db->query("INSERT INTO child (id, parent_id) VALUES (1, 42)");
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, kDbError);
}

TEST_F(SqliteStorageTest, InMemoryDatabaseIsSharedByEveryQueryAndThread) {
  auto db = open_ok("sqlite::memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->query("CREATE TABLE t (k INTEGER PRIMARY KEY)"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const Value k[] = {Value{std::int64_t{t * 100 + i}}};
        EXPECT_TRUE(db->query("INSERT INTO t (k) VALUES (?)", k));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(count(*db, "t"), 100);
  ASSERT_TRUE(db->transaction([](Session& s) -> Status {
    if (auto r = s.query("DELETE FROM t WHERE k < 100"); !r) return r.error();
    return {};
  }));
  EXPECT_EQ(count(*db, "t"), 75);
}

TEST_F(SqliteStorageTest, ReadersAreNotBlockedByAnOpenWriteTransaction) {
  auto db = open_ok(url());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->query("CREATE TABLE t (k INTEGER)"));
  std::int64_t seen_during = -1;
  ASSERT_TRUE(db->transaction([&](Session& s) -> Status {
    if (auto r = s.query("INSERT INTO t (k) VALUES (1)"); !r) return r.error();
    // Another thread reads while the write is uncommitted: WAL lets it see the last commit.
    std::thread reader([&] { seen_during = count(*db, "t"); });
    reader.join();
    return {};
  }));
  EXPECT_EQ(seen_during, 0);
  EXPECT_EQ(count(*db, "t"), 1);
}

TEST_F(SqliteStorageTest, WriterLockedByAnotherConnectionIsRetriedUntilReleased) {
  auto db = open_ok(url(), OpenOptions{.pool_size = 2, .busy_timeout_ms = 50});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->query("CREATE TABLE t (k INTEGER)"));

  // Another process's writer, simulated with a raw connection holding the write lock.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((tmp / "db" / "tzr.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  // While the lock is held, a single attempt fails as retryable.
  Status once = db->transaction([](Session& s) -> Status {
    if (auto r = s.query("INSERT INTO t (k) VALUES (0)"); !r) return r.error();
    return {};
  }, TransactionOptions{.max_attempts = 1});
  ASSERT_FALSE(once);
  EXPECT_EQ(once.error().code, kRetryable);
  EXPECT_EQ(once.error().kind, ErrorKind::unavailable);

  std::thread release([&] {
    std::this_thread::sleep_for(250ms);
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  const auto started = std::chrono::steady_clock::now();
  Status st = db->transaction([&](Session& s) -> Status {
    if (auto r = s.query("INSERT INTO t (k) VALUES (1)"); !r) return r.error();
    return {};
  }, TransactionOptions{.max_attempts = 50});
  const auto waited = std::chrono::steady_clock::now() - started;
  release.join();
  sqlite3_close(other);
  ASSERT_TRUE(st) << st.error().message;
  // BEGIN IMMEDIATE failed (busy) until the other writer committed, then a retry got through.
  EXPECT_GE(waited, 200ms);
  EXPECT_EQ(count(*db, "t"), 1);
}

TEST_F(SqliteStorageTest, UsingTheDatabaseInsideItsOwnTransactionFailsInsteadOfDeadlocking) {
  auto db = open_ok(url());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->query("CREATE TABLE t (k INTEGER)"));
  Status st = db->transaction([&](Session&) -> Status {
    auto r = db->query("INSERT INTO t (k) VALUES (1)");
    if (!r) return r.error();
    return {};
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, kDbError);
}

TEST_F(SqliteStorageTest, QueryRunsExactlyOneStatement) {
  auto db = open_ok(url());
  ASSERT_TRUE(db);
  auto two = db->query("CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER)");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, kDbError);
  EXPECT_TRUE(db->query("SELECT 1; -- a trailing comment is fine"));
  EXPECT_TRUE(db->query("SELECT 1;  "));
  ASSERT_TRUE(db->transaction([](Session& s) { return s.execute_script("CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER);"); }));
  EXPECT_EQ(count(*db, "b"), 0);
}

TEST_F(SqliteStorageTest, StrayBeginThroughQueryDoesNotPoisonThePool) {
  auto db = open_ok(url(), OpenOptions{.pool_size = 1});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->query("CREATE TABLE t (k INTEGER)"));
  auto begin = db->query("BEGIN");
  ASSERT_FALSE(begin);
  EXPECT_EQ(begin.error().code, kDbError);
  EXPECT_TRUE(db->transaction([](Session& s) -> Status {
    if (auto r = s.query("INSERT INTO t (k) VALUES (1)"); !r) return r.error();
    return {};
  }));
  EXPECT_EQ(count(*db, "t"), 1);
}

TEST_F(SqliteStorageTest, AffectedRowsCountsOnlyTheLastStatementsChanges) {
  auto db = open_ok(url());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->query("CREATE TABLE t (k INTEGER)"));
  EXPECT_EQ(db->query("INSERT INTO t (k) VALUES (1), (2), (3)").value().affected_rows, 3);
  EXPECT_EQ(db->query("UPDATE t SET k = k + 1 WHERE k >= 2").value().affected_rows, 2);
  EXPECT_EQ(db->query("CREATE TABLE u (k INTEGER)").value().affected_rows, 0);
  EXPECT_EQ(db->query("SELECT * FROM t").value().affected_rows, 0);
}

TEST_F(SqliteStorageTest, MigrationsOnAFreshFile) {
  auto db = open_ok(url());
  ASSERT_TRUE(db);
  const std::vector<Migration> list = {
      {1, "create_t", "CREATE TABLE t (k INTEGER)", "", ""},
      {2, "seed_t", "INSERT INTO t (k) VALUES (7)", "", ""},
  };
  auto first = migrate(*db, list);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->applied, (std::vector<int>{1, 2}));
  EXPECT_EQ(first->current_version, 2);
  auto again = migrate(*db, list);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(count(*db, "t"), 1);

  auto dup = migrate(*db, {{3, "a", "SELECT 1", "", ""}, {3, "b", "SELECT 1", "", ""}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, "db_migration_invalid");
  auto older_binary = migrate(*db, {list[0]});
  ASSERT_FALSE(older_binary);
  EXPECT_EQ(older_binary.error().code, "db_unknown_migration");
  EXPECT_NE(older_binary.error().message.find("version 2"), std::string::npos);
}

TEST(StorageRow, AccessorsConvertBetweenCompatibleTypes) {
  Row row{{Value{std::int64_t{42}}, Value{2.5}, Value{std::string("17")}, Value{}, Value{Blob{std::string("b\0y", 3)}},
           Value{std::string("3.25")}, Value{4.0}}};
  EXPECT_EQ(row.integer(0), 42);
  EXPECT_EQ(row.real(0), 42.0);
  EXPECT_EQ(row.text(0), "42");
  EXPECT_EQ(row.real(1), 2.5);
  EXPECT_EQ(row.text(1), "2.5");
  EXPECT_EQ(row.integer(2), 17);
  EXPECT_EQ(row.real(5), 3.25);
  EXPECT_EQ(row.integer(6), 4);
  EXPECT_TRUE(row.is_null(3));
  EXPECT_EQ(row.opt_text(3), std::nullopt);
  EXPECT_EQ(row.opt_integer(3), std::nullopt);
  EXPECT_EQ(row.opt_integer(2), 17);
  EXPECT_EQ(row.opt_text(0), "42");
  EXPECT_THROW((void)row.integer(3), ErrorException);
  EXPECT_THROW((void)row.integer(1), ErrorException);  // 2.5 is not an integer
  EXPECT_THROW((void)row.integer(5), ErrorException);
  EXPECT_THROW((void)row.text(3), ErrorException);
  EXPECT_THROW((void)row.integer(99), std::out_of_range);
}

TEST(StorageUrl, DialectNames) {
  EXPECT_EQ(dialect_name(Dialect::sqlite), "sqlite");
  EXPECT_EQ(dialect_name(Dialect::postgres), "postgres");
  EXPECT_EQ(dialect_name(Dialect::mysql), "mysql");
}

TEST(StorageUrl, UnsupportedSchemeIsRejectedWithoutEchoingTheUrl) {
  auto db = open_database("oracle://admin:hunter2@db.example/prod");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "db_invalid_url");
  EXPECT_EQ(db.error().message.find("hunter2"), std::string::npos);
  EXPECT_NE(db.error().message.find("oracle"), std::string::npos);
  EXPECT_FALSE(open_database("sqlite://"));
}

TEST(StorageUrl, RedactUrlHidesPasswords) {
  const std::string pg = redact_url("postgresql://tzr:s3cr%40t@db.internal:5432/tzr?sslmode=require");
  EXPECT_EQ(pg, "postgresql://tzr:***@db.internal:5432/tzr?sslmode=require");
  const std::string my = redact_url("mysql://game:pa55@10.0.0.5:3306/tzserver?socket=/run/mysqld/mysqld.sock");
  EXPECT_EQ(my.find("pa55"), std::string::npos);
  EXPECT_NE(my.find("game:***@10.0.0.5:3306/tzserver"), std::string::npos);
  const std::string query_pw = redact_url("postgres://u@h/db?password=hidden&application_name=x");
  EXPECT_EQ(query_pw.find("hidden"), std::string::npos);
  EXPECT_NE(query_pw.find("application_name=x"), std::string::npos);
  EXPECT_EQ(redact_url("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(redact_url("sqlite://var/tzr.db"), "sqlite://var/tzr.db");
  EXPECT_EQ(redact_url("sqlite::memory:"), "sqlite::memory:");
  const std::string conninfo = redact_url("host=db user=u password=topsecret dbname=x");
  EXPECT_EQ(conninfo.find("topsecret"), std::string::npos);
  EXPECT_NE(conninfo.find("dbname=x"), std::string::npos);
  const std::string odd = redact_url("mysql://u:we ird@h/db");  // not a valid URL
  EXPECT_EQ(odd.find("we ird"), std::string::npos);
}

}  // namespace
}  // namespace tzr::storage
