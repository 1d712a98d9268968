#pragma once
// SQL that differs between the backends, written once in the portable (SQLite/PostgreSQL) form
// and turned into MySQL/MariaDB SQL here, so that features keep one text per statement.
#include "storage/database.hpp"

#include <string>
#include <string_view>

namespace tzr::storage {

// MySQL DDL from a portable migration script (the form SQLite runs):
//  - `INTEGER PRIMARY KEY AUTOINCREMENT` becomes `BIGINT AUTO_INCREMENT PRIMARY KEY`;
//  - a TEXT column that the script puts in a PRIMARY KEY, UNIQUE or CREATE INDEX becomes
//    VARCHAR(255) (MySQL cannot index TEXT without a prefix length, error 1170);
//  - every CREATE TABLE gets InnoDB, utf8mb4 and the binary collation, so that text compares
//    byte for byte as it does on SQLite and PostgreSQL (no case- or accent-folding keys).
// Other statements pass through. A TEXT column indexed by a later migration is not seen here:
// that migration needs its own mysql_sql.
std::string mysql_ddl(std::string_view portable_script);

// The tail of an INSERT that updates the existing row on a key conflict. `assignments` is written
// in the portable form (`col = excluded.col`, the old row as `table.col`); for MySQL `excluded.X`
// becomes `VALUES(X)`. MySQL applies assignments left to right, each seeing the ones before, so
// an assignment must not read a column assigned earlier in the list.
std::string upsert_tail(Dialect d, std::string_view conflict_columns, std::string_view assignments);

// The tail of an INSERT that keeps the existing row on a key conflict (ON CONFLICT DO NOTHING).
// MySQL has no such clause; `INSERT IGNORE` would also hide other errors, so the row is "updated"
// to itself: `key_column` is the first column of the conflicting key.
std::string ignore_duplicates_tail(Dialect d, std::string_view conflict_columns, std::string_view key_column);

}  // namespace tzr::storage
