#include "storage/migrations.hpp"

#include "storage/backends.hpp"
#include "storage/dialect_sql.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace tzr::storage {
namespace {

// Any fixed number works; it only has to be the same in every tzrhost process.
constexpr std::int64_t kPostgresLockKey = 0x747a725f6d6967;  // "tzr_mig"
constexpr std::string_view kMysqlLockName = "tzr_schema_migrations";
constexpr std::int64_t kMysqlLockWaitSeconds = 60;

std::string_view create_table_sql(Dialect d) {
  switch (d) {
    case Dialect::mysql:
      // MySQL cannot index TEXT without a prefix length; VARCHAR keeps the table portable.
      return "CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, "
             "name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
    case Dialect::postgres:
    case Dialect::sqlite:
      break;
  }
  return "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
         "name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
}

std::string sql_for(const Migration& m, Dialect d) {
  if (d == Dialect::postgres && !m.postgres_sql.empty()) return std::string(m.postgres_sql);
  if (d == Dialect::mysql) return m.mysql_sql.empty() ? mysql_ddl(m.sqlite_sql) : std::string(m.mysql_sql);
  return std::string(m.sqlite_sql);
}

Error migration_error(std::string code, std::string message) {
  return Error::make(ErrorKind::internal, std::move(code), std::move(message));
}

// Runs body while holding the cross-process migration lock, inside the caller's transaction.
// SQLite needs nothing: the transaction's BEGIN IMMEDIATE already admits one writer at a time.
Status with_migration_lock(Session& s, const std::function<Status()>& body) {
  switch (s.dialect()) {
    case Dialect::sqlite:
      return body();
    case Dialect::postgres: {
      // Released by COMMIT/ROLLBACK, i.e. only once this migration's rows are visible.
      const Value key[] = {Value{kPostgresLockKey}};
      if (auto r = s.query("SELECT pg_advisory_xact_lock(?)", key); !r) return r.error();
      return body();
    }
    case Dialect::mysql: {
      const Value lock[] = {Value{std::string(kMysqlLockName)}, Value{kMysqlLockWaitSeconds}};
      auto got = s.query("SELECT GET_LOCK(?, ?)", lock);
      if (!got) return got.error();
      if (got->rows.empty() || got->rows[0].is_null(0) || got->rows[0].integer(0) != 1) {
        return detail::db_failure(kUnavailable, "timed out waiting for the schema migration lock");
      }
      // GET_LOCK belongs to the connection, not the transaction, so the work is committed here,
      // before the lock is released; the backend's own COMMIT that follows is then a no-op.
      Status st = body();
      if (st) {
        if (auto c = s.query("COMMIT"); !c) st = c.error();
      }
      const Value name[] = {Value{std::string(kMysqlLockName)}};
      (void)s.query("SELECT RELEASE_LOCK(?)", name);
      return st;
    }
  }
  return body();
}

Result<std::vector<int>> recorded_versions(Database& db) {
  auto r = db.query("SELECT version FROM schema_migrations ORDER BY version");
  if (!r) return r.error();
  std::vector<int> out;
  for (const Row& row : r->rows) out.push_back(static_cast<int>(row.integer(0)));
  return out;
}

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<MigrationReport> migrate(Database& db, std::vector<Migration> migrations) {
  std::sort(migrations.begin(), migrations.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  std::set<int> known;
  for (const Migration& m : migrations) {
    if (m.version <= 0) {
      return migration_error("db_migration_invalid", "migration versions must be positive (got " + std::to_string(m.version) + ")");
    }
    if (!known.insert(m.version).second) {
      return migration_error("db_migration_invalid", "migration version " + std::to_string(m.version) + " is listed twice");
    }
  }

  const Dialect dialect = db.dialect();
  // In a locked transaction: concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL.
  Status created = db.transaction([&](Session& s) {
    return with_migration_lock(s, [&] { return s.execute_script(create_table_sql(dialect)); });
  });
  if (!created) return created.error();

  auto recorded = recorded_versions(db);
  if (!recorded) return recorded.error();
  for (int v : *recorded) {
    if (!known.contains(v)) {
      return migration_error("db_unknown_migration",
                             "the database is at schema version " + std::to_string(v) +
                                 ", which this binary does not know: a newer tzrhost has migrated it; run that "
                                 "version (or newer) instead");
    }
  }
  const std::set<int> done(recorded->begin(), recorded->end());

  MigrationReport report;
  for (const Migration& m : migrations) {
    if (done.contains(m.version)) continue;
    bool applied = false;
    Status st = db.transaction([&](Session& s) {
      applied = false;  // the transaction may be retried
      return with_migration_lock(s, [&]() -> Status {
        // Another process may have applied it between our first read and taking the lock.
        const Value version[] = {Value{std::int64_t{m.version}}};
        auto seen = s.query("SELECT 1 FROM schema_migrations WHERE version = ?", version);
        if (!seen) return seen.error();
        if (!seen->rows.empty()) return {};
        if (const std::string sql = sql_for(m, dialect); !sql.empty()) {
          if (auto run = s.execute_script(sql); !run) {
            Error e = run.error();
            e.message = "migration " + std::to_string(m.version) + " (" + std::string(m.name) + ") failed: " + e.message;
            return e;
          }
        }
        const Value record[] = {Value{std::int64_t{m.version}}, Value{std::string(m.name)}, Value{unix_seconds()}};
        if (auto ins = s.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", record); !ins) {
          return ins.error();
        }
        applied = true;
        return {};
      });
    });
    if (!st) return st.error();
    if (applied) report.applied.push_back(m.version);
  }

  auto top = db.query("SELECT MAX(version) FROM schema_migrations");
  if (!top) return top.error();
  report.current_version = top->rows.empty() || top->rows[0].is_null(0) ? 0 : static_cast<int>(top->rows[0].integer(0));
  return report;
}

}  // namespace tzr::storage
