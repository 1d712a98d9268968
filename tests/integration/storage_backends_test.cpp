// The storage contract, run unchanged against every backend: SQLite (a temp file), PostgreSQL and
// MySQL/MariaDB (servers from scripts/test-servers: TZR_TEST_POSTGRES_URL / TZR_TEST_MYSQL_URL).
// Each server test gets a database of its own, created and dropped around it, so tests may run
// in parallel against one server.
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "support/backends.hpp"
#include "support/temp_dir.hpp"

#include <boost/url.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <unistd.h>

namespace tzr::storage {
namespace {

Status ok_or(const Result<QueryResult>& r) {
  if (!r) return r.error();
  return {};
}

std::string unique_name() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  char buf[32];
  std::snprintf(buf, sizeof buf, "tzr_t_%d_%08llx", static_cast<int>(getpid()),
                static_cast<unsigned long long>(dist(rd) & 0xffffffffULL));
  return buf;
}

class StorageBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      url_ = "sqlite://" + (tmp_ / "tzr.db").string();
    } else {
      const char* env = GetParam() == "postgres" ? "TZR_TEST_POSTGRES_URL" : "TZR_TEST_MYSQL_URL";
      set_up_server_database(env);
      if (HasFatalFailure() || IsSkipped()) return;
    }
    db_ = open(OpenOptions{});
    ASSERT_TRUE(db_);
  }

  void TearDown() override {
    db_.reset();
    if (admin_ && !db_name_.empty()) {
      const std::string drop = dialect() == Dialect::postgres ? "DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)"
                                                              : "DROP DATABASE IF EXISTS " + db_name_;
      EXPECT_TRUE(admin_->query(drop));
    }
  }

  void set_up_server_database(const char* env) {
    TZR_REQUIRE_SERVER_URL(admin_url, env);
    auto admin = open_database(admin_url, OpenOptions{.pool_size = 1});
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = std::move(*admin);
    db_name_ = unique_name();
    const std::string create = admin_->dialect() == Dialect::mysql
                                   ? "CREATE DATABASE " + db_name_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                                   : "CREATE DATABASE " + db_name_ + " ENCODING 'UTF8'";
    auto created = admin_->query(create);
    ASSERT_TRUE(created) << created.error().message;
    boost::urls::url u = boost::urls::parse_uri(admin_url).value();
    u.set_path("/" + db_name_);
    url_ = std::string(u.buffer());
  }

  std::unique_ptr<Database> open(OpenOptions options) {
    auto db = open_database(url_, options);
    EXPECT_TRUE(db) << db.error().code << ": " << db.error().message;
    return db ? std::move(*db) : nullptr;
  }

  Dialect dialect() const {
    if (GetParam() == "postgres") return Dialect::postgres;
    if (GetParam() == "mysql") return Dialect::mysql;
    return Dialect::sqlite;
  }
  // The one type that differs across the three dialects in these tests.
  std::string blob_type() const {
    switch (dialect()) {
      case Dialect::postgres: return "BYTEA";
      case Dialect::mysql: return "LONGBLOB";
      case Dialect::sqlite: break;
    }
    return "BLOB";
  }

  void exec(const std::string& sql, std::vector<Value> params = {}) {
    auto r = db_->query(sql, params);
    ASSERT_TRUE(r) << sql << ": " << r.error().code << ": " << r.error().message;
  }
  std::int64_t count(const std::string& table) {
    auto r = db_->query("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(r);
    return r ? r->rows.at(0).integer(0) : -1;
  }

  test::TempDir tmp_;
  std::string url_;
  std::string db_name_;
  std::unique_ptr<Database> admin_;
  std::unique_ptr<Database> db_;
};

TEST_P(StorageBackendTest, OpensWithTheRightDialectAndPings) {
  EXPECT_EQ(db_->dialect(), dialect());
  EXPECT_TRUE(db_->ping());
}

TEST_P(StorageBackendTest, TypedRoundTripOfEveryValueKind) {
  exec("CREATE TABLE kinds (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, b " + blob_type() + ")");
  std::string all_bytes;
  for (int c = 0; c < 256; ++c) all_bytes.push_back(static_cast<char>(c));
  const std::string unicode = "héllo — 世界 🎮 \u00a0ü";
  const std::string tricky = "quote ' double \" question ? backslash \\ percent % NUL-free";
  const std::vector<std::vector<Value>> rows = {
      {std::int64_t{1}, std::numeric_limits<std::int64_t>::max(), 0.1, unicode, Blob{all_bytes}},
      {std::int64_t{2}, std::numeric_limits<std::int64_t>::min(), -1e300, std::string(), Blob{}},
      {std::int64_t{3}, null(), null(), null(), null()},
      {std::int64_t{4}, std::int64_t{0}, 1.5, tricky, Blob{std::string("\0\0x\0", 4)}},
  };
  for (const auto& row : rows) {
    auto r = db_->query("INSERT INTO kinds (id, i, r, t, b) VALUES (?, ?, ?, ?, ?)", row);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->affected_rows, 1);
  }
  auto got = db_->query("SELECT id, i, r, t, b FROM kinds ORDER BY id");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->columns, (std::vector<std::string>{"id", "i", "r", "t", "b"}));
  ASSERT_EQ(got->rows.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      EXPECT_EQ(got->rows[i].values[c], rows[i][c]) << "row " << i << " column " << got->columns[c];
    }
  }
  EXPECT_EQ(got->rows[0].text(3), unicode);
  EXPECT_EQ(got->rows[0].real(2), 0.1);

  // Bound parameters select rows by every kind of value, including blobs with NULs.
  const Value by_blob[] = {Value{Blob{std::string("\0\0x\0", 4)}}};
  auto found = db_->query("SELECT id FROM kinds WHERE b = ?", by_blob);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->rows.size(), 1u);
  EXPECT_EQ(found->rows[0].integer(0), 4);

  auto updated = db_->query("UPDATE kinds SET i = i + 1 WHERE id IN (?, ?)", std::vector<Value>{std::int64_t{2}, std::int64_t{4}});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->affected_rows, 2);

  // RETURNING (SQLite 3.35+, PostgreSQL, MariaDB 10.5+) hands back the generated row.
  auto returned = db_->query("INSERT INTO kinds (id, t) VALUES (?, ?) RETURNING id, t", std::vector<Value>{std::int64_t{9}, std::string("r")});
  ASSERT_TRUE(returned) << returned.error().message;
  ASSERT_EQ(returned->rows.size(), 1u);
  EXPECT_EQ(returned->rows[0].integer(0), 9);
  EXPECT_EQ(returned->rows[0].text(1), "r");
  if (dialect() != Dialect::mysql) {
    EXPECT_EQ(returned->affected_rows, 1);
  }
}

TEST_P(StorageBackendTest, QuestionMarksInsideLiteralsAreNotPlaceholders) {
  auto r = db_->query("SELECT '?' AS q, ? AS p -- is this a placeholder?", std::vector<Value>{std::int64_t{5}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rows.at(0).text(0), "?");
  EXPECT_EQ(r->rows.at(0).integer(1), 5);
}

TEST_P(StorageBackendTest, UniqueViolationIsClassifiedWithoutLeakingTheValue) {
  exec("CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(191) NOT NULL UNIQUE)");
  const std::string secret = "secret-dup-value@example.com";
  exec("INSERT INTO users (id, email) VALUES (?, ?)", {std::int64_t{1}, secret});
  auto dup = db_->query("INSERT INTO users (id, email) VALUES (?, ?)", std::vector<Value>{std::int64_t{2}, secret});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, kUniqueViolation);
  EXPECT_EQ(dup.error().kind, ErrorKind::conflict);
  EXPECT_EQ(dup.error().message.find("secret-dup-value"), std::string::npos) << dup.error().message;
  auto dup_pk = db_->query("INSERT INTO users (id, email) VALUES (?, ?)", std::vector<Value>{std::int64_t{1}, std::string("other")});
  ASSERT_FALSE(dup_pk);
  EXPECT_EQ(dup_pk.error().code, kUniqueViolation);
}

TEST_P(StorageBackendTest, OtherFailuresAreDbErrors) {
  auto bad = db_->query("SELEKT nonsense");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, kDbError);
  EXPECT_EQ(bad.error().kind, ErrorKind::internal);
  auto missing = db_->query("SELECT ? + ?", std::vector<Value>{std::int64_t{1}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, kDbError);
  EXPECT_TRUE(db_->ping());  // the pooled connection is still usable
}

TEST_P(StorageBackendTest, TransactionCommits) {
  exec("CREATE TABLE t (k BIGINT)");
  Status st = db_->transaction([](Session& s) -> Status {
    if (auto st1 = ok_or(s.query("INSERT INTO t (k) VALUES (?)", std::vector<Value>{std::int64_t{1}})); !st1) return st1;
    auto seen = s.query("SELECT COUNT(*) FROM t");  // the session sees its own writes
    if (!seen) return seen.error();
    EXPECT_EQ(seen->rows.at(0).integer(0), 1);
    return ok_or(s.query("INSERT INTO t (k) VALUES (?)", std::vector<Value>{std::int64_t{2}}));
  });
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(count("t"), 2);
}

TEST_P(StorageBackendTest, TransactionRollsBackWhenFnFailsOrThrows) {
  exec("CREATE TABLE t (k BIGINT)");
  Status st = db_->transaction([](Session& s) -> Status {
    if (auto r = ok_or(s.query("INSERT INTO t (k) VALUES (1)")); !r) return r;
    return Error::bad_request("rejected by the use case", "custom_rejection");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "custom_rejection");  // fn's own error comes back unchanged
  EXPECT_EQ(count("t"), 0);

  EXPECT_THROW((void)db_->transaction([](Session& s) -> Status {
    (void)s.query("INSERT INTO t (k) VALUES (1)");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(count("t"), 0);
  EXPECT_TRUE(db_->transaction([](Session& s) { return ok_or(s.query("INSERT INTO t (k) VALUES (3)")); }));
  EXPECT_EQ(count("t"), 1);
}

TEST_P(StorageBackendTest, StatementErrorSwallowedInsideATransaction) {
  // PostgreSQL aborts the whole transaction on any failed statement; SQLite and MySQL only undo
  // that statement. Either way the caller learns what was committed.
  exec("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  Status st = db_->transaction([](Session& s) -> Status {
    (void)s.query("INSERT INTO t (k) VALUES (1)");
    auto dup = s.query("INSERT INTO t (k) VALUES (1)");
    EXPECT_FALSE(dup);
    return {};  // fn ignores the failure
  });
  if (dialect() == Dialect::postgres) {
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, kDbError);
    EXPECT_EQ(count("t"), 0);
  } else {
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(count("t"), 1);
  }
}

TEST_P(StorageBackendTest, RetryableFailuresRetryTheWholeTransaction) {
  exec("CREATE TABLE t (k BIGINT)");
  int attempts = 0;
  Status st = db_->transaction([&](Session& s) -> Status {
    ++attempts;
    if (auto r = ok_or(s.query("INSERT INTO t (k) VALUES (?)", std::vector<Value>{std::int64_t{attempts}})); !r) return r;
    if (attempts < 3) return Error::unavailable(std::string(kRetryable), "simulated conflict");
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(attempts, 3);
  auto rows = db_->query("SELECT k FROM t");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->rows.size(), 1u);  // the failed attempts left nothing behind
  EXPECT_EQ(rows->rows[0].integer(0), 3);

  attempts = 0;
  Status gave_up = db_->transaction([&](Session&) -> Status {
    ++attempts;
    return Error::unavailable(std::string(kRetryable), "always busy");
  }, TransactionOptions{.max_attempts = 2});
  ASSERT_FALSE(gave_up);
  EXPECT_EQ(gave_up.error().code, kRetryable);
  EXPECT_EQ(attempts, 2);

  attempts = 0;
  Status not_retried = db_->transaction([&](Session&) -> Status {
    ++attempts;
    return Error::bad_request("no");
  });
  EXPECT_FALSE(not_retried);
  EXPECT_EQ(attempts, 1);
}

TEST_P(StorageBackendTest, DeadlockIsRetriedAndBothTransactionsCommit) {
  if (dialect() == Dialect::sqlite) GTEST_SKIP() << "SQLite admits one writer at a time: no deadlock possible";
  exec("CREATE TABLE counters (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)");
  exec("INSERT INTO counters (id, n) VALUES (1, 0), (2, 0)");
  std::latch both_hold_one_row(2);
  std::atomic<int> attempts{0};
  std::atomic<int> retryable_seen{0};
  auto cross = [&](std::int64_t first, std::int64_t second) {
    bool waited = false;
    return db_->transaction([&](Session& s) -> Status {
      ++attempts;
      const std::string bump = "UPDATE counters SET n = n + 1 WHERE id = ?";
      if (auto r = ok_or(s.query(bump, std::vector<Value>{first})); !r) return r;
      if (!waited) {
        waited = true;
        both_hold_one_row.arrive_and_wait();  // now each waits for the other's row
      }
      auto r = ok_or(s.query(bump, std::vector<Value>{second}));
      if (!r && r.error().code == kRetryable) ++retryable_seen;
      return r;
    }, TransactionOptions{.max_attempts = 5});
  };
  Status a, b;
  std::thread ta([&] { a = cross(1, 2); });
  std::thread tb([&] { b = cross(2, 1); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_GE(retryable_seen.load(), 1);
  EXPECT_EQ(attempts.load(), 2 + retryable_seen.load());
  auto rows = db_->query("SELECT n FROM counters ORDER BY id");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->rows.at(0).integer(0), 2);
  EXPECT_EQ(rows->rows.at(1).integer(0), 2);
}

TEST_P(StorageBackendTest, ConcurrentInsertsWithCollidingKeysStoreEachKeyOnce) {
  exec("CREATE TABLE claims (k VARCHAR(191) NOT NULL UNIQUE, by_thread BIGINT NOT NULL)");
  constexpr int kThreads = 8, kPerThread = 50, kDistinct = 120;
  // Threads walk the key space at different offsets, so they collide with each other and with
  // themselves; 400 attempts over 120 keys.
  auto key_of = [](int t, int i) { return "key-" + std::to_string((t * kPerThread + i * 7) % kDistinct); };
  std::set<std::string> keys;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) keys.insert(key_of(t, i));
  }
  std::atomic<int> inserted{0}, unique_failures{0}, other_failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = db_->query("INSERT INTO claims (k, by_thread) VALUES (?, ?)", std::vector<Value>{key_of(t, i), std::int64_t{t}});
        if (r) {
          ++inserted;
        } else if (r.error().code == kUniqueViolation) {
          ++unique_failures;
        } else {
          ++other_failures;
          ADD_FAILURE() << r.error().code << ": " << r.error().message;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(other_failures.load(), 0);
  EXPECT_EQ(inserted.load(), static_cast<int>(keys.size()));
  EXPECT_EQ(unique_failures.load(), kThreads * kPerThread - static_cast<int>(keys.size()));
  EXPECT_EQ(count("claims"), static_cast<std::int64_t>(keys.size()));
}

std::vector<Migration> counter_migrations(int upto) {
  // v1 creates the table, every later version adds one row: a re-applied migration would show
  // (as a unique violation or an extra row). Migration holds string_views, hence the statics.
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (int i = 0; i <= 20; ++i) v.push_back("insert_" + std::to_string(i));
    return v;
  }();
  static const std::vector<std::string> inserts = [] {
    std::vector<std::string> v;
    for (int i = 0; i <= 20; ++i) v.push_back("INSERT INTO applied_log (v) VALUES (" + std::to_string(i) + ")");
    return v;
  }();
  std::vector<Migration> list{{1, "create_applied_log",
                               "CREATE TABLE applied_log (v BIGINT NOT NULL UNIQUE); INSERT INTO applied_log (v) VALUES (1);",
                               "", ""}};
  for (std::size_t v = 2; v <= static_cast<std::size_t>(upto); ++v) {
    list.push_back({static_cast<int>(v), names[v], inserts[v], "", ""});
  }
  return list;
}

TEST_P(StorageBackendTest, MigrationsApplyOnceInOrderAndReRunsAreNoOps) {
  auto first = migrate(*db_, counter_migrations(3));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->applied, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(first->current_version, 3);

  auto again = migrate(*db_, counter_migrations(3));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->current_version, 3);

  auto newer = migrate(*db_, counter_migrations(5));
  ASSERT_TRUE(newer) << newer.error().message;
  EXPECT_EQ(newer->applied, (std::vector<int>{4, 5}));
  EXPECT_EQ(count("applied_log"), 5);

  auto recorded = db_->query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(recorded);
  ASSERT_EQ(recorded->rows.size(), 5u);
  EXPECT_EQ(recorded->rows[0].text(1), "create_applied_log");
  EXPECT_GT(recorded->rows[0].integer(2), 1'600'000'000);
}

TEST_P(StorageBackendTest, ConcurrentMigrateAppliesEachVersionExactlyOnce) {
  constexpr int kMigrators = 4, kVersions = 8;
  std::vector<std::unique_ptr<Database>> dbs;  // one Database each, like separate processes
  for (int i = 0; i < kMigrators; ++i) {
    dbs.push_back(open(OpenOptions{.pool_size = 2}));
    ASSERT_TRUE(dbs.back());
  }
  std::vector<Result<MigrationReport>> reports(kMigrators, Error::internal("not run"));
  std::latch start(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      reports[static_cast<std::size_t>(i)] = migrate(*dbs[static_cast<std::size_t>(i)], counter_migrations(kVersions));
    });
  }
  for (auto& th : threads) th.join();
  std::map<int, int> applied_by;
  for (const auto& r : reports) {
    ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
    EXPECT_EQ(r->current_version, kVersions);
    for (int v : r->applied) ++applied_by[v];
  }
  ASSERT_EQ(applied_by.size(), static_cast<std::size_t>(kVersions));
  for (const auto& [version, times] : applied_by) EXPECT_EQ(times, 1) << "version " << version;
  EXPECT_EQ(count("applied_log"), kVersions);
  EXPECT_EQ(count("schema_migrations"), kVersions);
}

TEST_P(StorageBackendTest, DatabaseNewerThanTheBinaryIsAnError) {
  ASSERT_TRUE(migrate(*db_, counter_migrations(3)));
  auto older = migrate(*db_, counter_migrations(2));
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code, "db_unknown_migration");
  EXPECT_NE(older.error().message.find("version 3"), std::string::npos) << older.error().message;

  auto dup = migrate(*db_, {{7, "a", "SELECT 1", "", ""}, {7, "b", "SELECT 1", "", ""}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, "db_migration_invalid");
}

TEST_P(StorageBackendTest, FailedMigrationIsNotRecorded) {
  std::vector<Migration> list = counter_migrations(1);
  list.push_back({2, "broken", "CREATE TABLE half_done (x BIGINT); THIS IS NOT SQL;", "", ""});
  auto r = migrate(*db_, list);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("migration 2"), std::string::npos) << r.error().message;
  EXPECT_EQ(count("schema_migrations"), 1);
  if (dialect() != Dialect::mysql) {  // MySQL commits DDL implicitly; the others roll it back
    EXPECT_FALSE(db_->query("SELECT COUNT(*) FROM half_done"));
  }
}

TEST_P(StorageBackendTest, RecoversWhenTheServerDropsPooledConnections) {
  if (dialect() == Dialect::sqlite) GTEST_SKIP() << "no server connection to lose";
  ASSERT_TRUE(db_->ping());  // leaves one idle connection in the pool
  if (dialect() == Dialect::postgres) {
    auto killed = admin_->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?",
                                std::vector<Value>{db_name_});
    ASSERT_TRUE(killed) << killed.error().message;
    ASSERT_GE(killed->rows.size(), 1u);
  } else {
    auto ids = admin_->query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ?", std::vector<Value>{db_name_});
    ASSERT_TRUE(ids) << ids.error().message;
    ASSERT_GE(ids->rows.size(), 1u);
    for (const Row& row : ids->rows) ASSERT_TRUE(admin_->query("KILL " + std::to_string(row.integer(0))));
  }
  auto r = db_->query("SELECT 1");
  ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
  EXPECT_TRUE(db_->transaction([](Session& s) { return ok_or(s.query("SELECT 1")); }));
}

TEST(StorageServers, UnreachableServerIsUnavailableAndKeepsThePasswordOut) {
  for (const char* url : {"postgresql://tzr:pw-must-not-leak@127.0.0.1:1/db", "mysql://tzr:pw-must-not-leak@127.0.0.1:1/db"}) {
    auto db = open_database(url);
    ASSERT_FALSE(db) << url;
    EXPECT_EQ(db.error().code, kUnavailable);
    EXPECT_EQ(db.error().message.find("pw-must-not-leak"), std::string::npos) << db.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageBackendTest, ::testing::Values("sqlite", "postgres", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

}  // namespace
}  // namespace tzr::storage
