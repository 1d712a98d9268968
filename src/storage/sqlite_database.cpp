// SQLite backend: one writer connection behind a mutex (SQLite allows one writer at a time, so
// queuing writers in process is cheaper than letting them spin on SQLITE_BUSY), plus a pool of
// reader connections that WAL mode lets run alongside the writer.
#include "storage/backends.hpp"
#include "storage/connection_pool.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace tzr::storage::detail {
namespace {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// rc is an extended result code (extended codes are switched on for every connection).
Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  // SQLite messages name tables, columns and SQL text, never bound values, so they may be shown.
  std::string message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return db_failure(kUniqueViolation, message);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return db_failure(kRetryable, message);
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_NOTADB || primary == SQLITE_IOERR) {
    return db_failure(kUnavailable, message);
  }
  return db_failure(kDbError, message);
}

Status exec(sqlite3* db, const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what);
  return {};
}

Result<SqliteHandle> open_connection(const std::string& path, const OpenOptions& options, bool writer) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteHandle db(raw);
  if (rc != SQLITE_OK) return sqlite_error(db.get(), rc, "cannot open the SQLite database");
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  if (auto st = exec(db.get(), "PRAGMA foreign_keys = ON", "cannot enable foreign keys"); !st) return st.error();
  if (writer && path != ":memory:") {
    // WAL is a property of the file: set once by the writer, readers then see it too.
    if (auto st = exec(db.get(), "PRAGMA journal_mode = WAL", "cannot enable WAL"); !st) return st.error();
    // In WAL mode NORMAL loses no committed data on a crash, only possibly the last commits on power loss.
    if (auto st = exec(db.get(), "PRAGMA synchronous = NORMAL", "cannot set synchronous"); !st) return st.error();
  }
  return db;
}

bool only_trivia(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c)) && c != ';') return false;
  }
  return true;
}

Result<Stmt> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  Stmt stmt(raw);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "cannot prepare statement");
  const std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (!only_trivia(rest)) {
    // The rest may be only a comment; anything that compiles to a statement would be ignored.
    sqlite3_stmt* next = nullptr;
    sqlite3_prepare_v2(db, rest.data(), static_cast<int>(rest.size()), &next, nullptr);
    const bool more = next != nullptr;
    sqlite3_finalize(next);
    if (more) return db_failure(kDbError, "query() runs one statement; use execute_script for several");
  }
  return stmt;
}

Status bind(sqlite3* db, sqlite3_stmt* stmt, Params params) {
  const auto expected = static_cast<std::size_t>(sqlite3_bind_parameter_count(stmt));
  if (expected != params.size()) return param_count_mismatch(expected, params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i) + 1;
    // SQLITE_STATIC: params outlive the statement's execution.
    const int rc = std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return sqlite3_bind_null(stmt, idx);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(stmt, idx, v);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(stmt, idx, v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return sqlite3_bind_text64(stmt, idx, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
          } else {
            return sqlite3_bind_blob64(stmt, idx, v.bytes.data(), v.bytes.size(), SQLITE_STATIC);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, "cannot bind parameter " + std::to_string(idx));
  }
  return {};
}

Value column_value(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER: return sqlite3_column_int64(stmt, col);
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, col);
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, col)));
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt, col));
      return Blob{n == 0 ? std::string() : std::string(p, n)};
    }
    default: return std::monostate{};
  }
}

Result<QueryResult> run(sqlite3* db, sqlite3_stmt* stmt, Params params) {
  if (auto st = bind(db, stmt, params); !st) return st.error();
  QueryResult result;
  const sqlite3_int64 before = sqlite3_total_changes64(db);
  int ncols = -1;
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db, rc, "statement failed");
    if (ncols < 0) {
      // Columns are read after the first step: a cached statement is prepared again inside
      // sqlite3_step when the schema changed, and `SELECT *` may then have other columns.
      ncols = sqlite3_column_count(stmt);
      for (int c = 0; c < ncols; ++c) result.columns.emplace_back(sqlite3_column_name(stmt, c));
    }
    if (rc == SQLITE_DONE) break;
    Row row;
    row.values.reserve(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) row.values.push_back(column_value(stmt, c));
    result.rows.push_back(std::move(row));
  }
  // sqlite3_changes64 keeps the count of the last DML statement, so a CREATE or SELECT would
  // report a stale number; the total only moves when this statement changed rows.
  result.affected_rows = sqlite3_total_changes64(db) != before ? sqlite3_changes64(db) : 0;
  return result;
}

// Prepared statements of one connection, reused by SQL text: preparing was most of the cost of
// a bulk write (SQLite's parser and code generator per statement). A statement is kept from its
// second use on (one-off SQL, e.g. an IN list of a given length, never fills the cache), at
// most kCapacity of them, the least recently used evicted. Always reset after a run, so no cached
// statement holds a read snapshot or a lock.
class StatementCache {
 public:
  template <class Run>
  Result<QueryResult> with(sqlite3* db, std::string_view sql, Run run) {
    const std::size_t hash = std::hash<std::string_view>{}(sql);
    auto it = by_sql_.find(hash);
    if (it != by_sql_.end() && it->second->sql == sql) {
      lru_.splice(lru_.begin(), lru_, it->second);  // most recent first
      return finish(it->second->stmt.get(), run(it->second->stmt.get()));
    }
    auto stmt = prepare(db, sql);
    if (!stmt) return stmt.error();
    if (!*stmt) return QueryResult{};  // only whitespace or comments
    if (!seen_once(hash)) return run(stmt->get());
    if (it != by_sql_.end()) erase(it);  // a hash collision: the newer SQL wins
    lru_.push_front(Entry{std::string(sql), hash, std::move(*stmt)});
    by_sql_[hash] = lru_.begin();
    if (lru_.size() > kCapacity) erase(by_sql_.find(lru_.back().hash));
    return finish(lru_.front().stmt.get(), run(lru_.front().stmt.get()));
  }

 private:
  struct Entry {
    std::string sql;
    std::size_t hash;
    Stmt stmt;
  };
  static constexpr std::size_t kCapacity = 48;
  static constexpr std::size_t kSeenCapacity = 256;

  static Result<QueryResult> finish(sqlite3_stmt* stmt, Result<QueryResult> r) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);  // the bound text points into the caller's parameters
    return r;
  }
  void erase(std::unordered_map<std::size_t, std::list<Entry>::iterator>::iterator it) {
    lru_.erase(it->second);
    by_sql_.erase(it);
  }
  // True when this SQL was run before (a small ring of hashes of recent one-off statements).
  bool seen_once(std::size_t hash) {
    if (std::find(seen_.begin(), seen_.end(), hash) != seen_.end()) return true;
    if (seen_.size() < kSeenCapacity) seen_.push_back(hash);
    else seen_[seen_next_++ % kSeenCapacity] = hash;
    return false;
  }

  std::list<Entry> lru_;
  std::unordered_map<std::size_t, std::list<Entry>::iterator> by_sql_;
  std::vector<std::size_t> seen_;
  std::size_t seen_next_ = 0;
};

Result<QueryResult> cached_run(sqlite3* db, StatementCache& cache, std::string_view sql, Params params) {
  return cache.with(db, sql, [&](sqlite3_stmt* stmt) { return run(db, stmt, params); });
}

class SqliteSession final : public Session {
 public:
  SqliteSession(sqlite3* db, StatementCache& cache) : db_(db), cache_(cache) {}
  Result<QueryResult> query(std::string_view sql, Params params) override { return cached_run(db_, cache_, sql, params); }
  Status execute_script(std::string_view sql) override {
    return exec(db_, std::string(sql).c_str(), "script failed");
  }
  Dialect dialect() const override { return Dialect::sqlite; }

 private:
  sqlite3* db_;
  StatementCache& cache_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, OpenOptions options, SqliteHandle writer)
      : path_(std::move(path)),
        options_(options),
        writer_(std::move(writer)),
        readers_(options.pool_size, [this] { return open_connection(path_, options_, false); }) {}

  Dialect dialect() const override { return Dialect::sqlite; }

  Result<QueryResult> query(std::string_view sql, Params params) override {
    if (path_ != ":memory:") {
      // Prepared on a reader first: read-only statements run there, in parallel with the writer.
      auto lease = readers_.acquire();
      if (!lease) return lease.error();
      auto stmt = prepare(lease->get(), sql);
      if (!stmt) return stmt.error();
      if (!*stmt) return QueryResult{};
      if (sqlite3_stmt_readonly(stmt->get()) != 0) return left_idle(lease->get(), run(lease->get(), stmt->get(), params));
    }
    // An in-memory database lives in its one connection, so everything goes through the writer.
    if (writer_owner_.load() == std::this_thread::get_id()) return nested_use();
    std::lock_guard lock(writer_mutex_);
    return left_idle(writer_.get(), cached_run(writer_.get(), writer_statements_, sql, params));
  }

  Status transaction(const std::function<Status(Session&)>& fn, TransactionOptions options) override {
    if (writer_owner_.load() == std::this_thread::get_id()) return nested_use();
    return retry_transaction(options, [&]() -> Status {
      std::lock_guard lock(writer_mutex_);
      writer_owner_.store(std::this_thread::get_id());
      struct OwnerReset {
        std::atomic<std::thread::id>& owner;
        ~OwnerReset() { owner.store(std::thread::id()); }
      } reset{writer_owner_};
      sqlite3* db = writer_.get();
      // IMMEDIATE takes the write lock up front, so another process's writer makes us wait
      // (busy_timeout) or fail as retryable here, never halfway through fn.
      if (auto st = exec(db, "BEGIN IMMEDIATE", "cannot begin transaction"); !st) return st;
      SqliteSession session(db, writer_statements_);
      if (auto st = run_body(session, fn, [&] { rollback(db); }); !st) return st;
      if (auto commit = exec(db, "COMMIT", "cannot commit"); !commit) {
        rollback(db);
        return commit;
      }
      return {};
    });
  }

  Status ping() override {
    auto r = query("SELECT 1", {});
    if (!r) return r.error();
    return {};
  }

 private:
  static void rollback(sqlite3* db) {
    // Some errors (e.g. SQLITE_FULL) already rolled back; a second ROLLBACK would only fail.
    if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  // A shared connection must not be left inside a transaction (a stray "BEGIN" through query()):
  // the next user would silently join it.
  static Result<QueryResult> left_idle(sqlite3* db, Result<QueryResult> r) {
    if (sqlite3_get_autocommit(db) != 0) return r;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return db_failure(kDbError, "query() cannot open a transaction; use Database::transaction");
  }

  static Error nested_use() {
    return db_failure(kDbError, "Database used from inside its own transaction on the same thread; use the Session");
  }

  const std::string path_;
  const OpenOptions options_;
  std::mutex writer_mutex_;
  SqliteHandle writer_;
  StatementCache writer_statements_;  // used with writer_mutex_ held; finalized before writer_ closes
  std::atomic<std::thread::id> writer_owner_{};
  ConnectionPool<SqliteHandle> readers_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path, const OpenOptions& options) {
  auto writer = open_connection(path, options, true);
  if (!writer) return writer.error();
  return std::unique_ptr<Database>(std::make_unique<SqliteDatabase>(path, options, std::move(*writer)));
}

}  // namespace tzr::storage::detail
