#pragma once
// Versioned schema migrations, embedded in the binary and recorded in `schema_migrations`.
// Each feature contributes its own list; versions are unique across the whole program.
#include "storage/database.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tzr::storage {

struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sqlite_sql;    // used for SQLite
  std::string_view postgres_sql;  // used for PostgreSQL; empty = same as sqlite_sql
  std::string_view mysql_sql;     // used for MySQL;      empty = mysql_ddl(sqlite_sql) (storage/dialect_sql.hpp)
};

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this run, in order
  int current_version = 0;   // highest version recorded after the run
};

// Applies every migration newer than the recorded version, each in its own transaction, in
// version order. Safe to run from several processes at once (PostgreSQL: advisory lock).
// Fails if the database records a version this binary does not know (a newer binary ran).
// Error codes: "db_migration_invalid" (a duplicate or non-positive version in the list),
// "db_unknown_migration" (the newer-binary case), otherwise those of storage/database.hpp.
// MySQL commits DDL implicitly, so there a failed migration may leave part of its DDL applied.
Result<MigrationReport> migrate(Database& db, std::vector<Migration> migrations);

}  // namespace tzr::storage
