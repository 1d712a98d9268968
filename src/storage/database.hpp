#pragma once
// A small SQL API with interchangeable backends (SQLite embedded, PostgreSQL, MySQL/MariaDB),
// chosen by URL. SQL is written once with `?` placeholders; each backend rewrites them as needed.
// Every call blocks: callers on I/O threads go through tzr::BlockingPool.
#include "core/error.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tzr::storage {

enum class Dialect { sqlite, postgres, mysql };
std::string_view dialect_name(Dialect d);

struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

// NULL, integer, real, text, blob.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

struct Row {
  std::vector<Value> values;

  bool is_null(std::size_t i) const { return std::holds_alternative<std::monostate>(values.at(i)); }
  std::int64_t integer(std::size_t i) const;          // also parses integer text
  double real(std::size_t i) const;                   // also converts integers / numeric text
  std::string text(std::size_t i) const;              // integers and reals are formatted
  std::optional<std::string> opt_text(std::size_t i) const;
  std::optional<std::int64_t> opt_integer(std::size_t i) const;
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  std::int64_t affected_rows = 0;
};

// Storage failures map to these stable codes (Error.code):
//   "db_unique_violation"  (ErrorKind::conflict)    a UNIQUE/PRIMARY KEY constraint failed
//   "db_retryable"         (ErrorKind::unavailable) busy/locked/serialization/deadlock: retry the transaction
//   "db_unavailable"       (ErrorKind::unavailable) cannot connect / connection lost
//   "db_error"             (ErrorKind::internal)    anything else (bad SQL, type errors)
// Messages never contain parameter values (they may be secrets).
inline constexpr std::string_view kUniqueViolation = "db_unique_violation";
inline constexpr std::string_view kRetryable = "db_retryable";
inline constexpr std::string_view kUnavailable = "db_unavailable";
inline constexpr std::string_view kDbError = "db_error";

using Params = std::span<const Value>;

// One connection, used by one thread at a time.
class Session {
 public:
  virtual ~Session() = default;
  virtual Result<QueryResult> query(std::string_view sql, Params params = {}) = 0;
  // Runs one or more statements without parameters (migrations).
  virtual Status execute_script(std::string_view sql) = 0;
  virtual Dialect dialect() const = 0;
};

struct TransactionOptions {
  int max_attempts = 5;  // retries on db_retryable only
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;

  // A single statement on a pooled connection (autocommit).
  virtual Result<QueryResult> query(std::string_view sql, Params params = {}) = 0;

  // Runs fn inside BEGIN … COMMIT (SQLite: BEGIN IMMEDIATE, one writer at a time;
  // PostgreSQL: SERIALIZABLE-safe retry). fn's error rolls back. The whole of fn is retried
  // on db_retryable, so fn must have no side effects outside the session.
  virtual Status transaction(const std::function<Status(Session&)>& fn, TransactionOptions options = {}) = 0;

  // Cheap liveness probe for /ready.
  virtual Status ping() = 0;

  // A pooled connection of the caller's own until the Session is destroyed, for state that
  // lives on a connection (MySQL named locks). MySQL only; the other backends answer db_error.
  virtual Result<std::unique_ptr<Session>> dedicated_session();
};

// Opens a database by URL:
//   sqlite://relative/path.db, sqlite:///absolute/path.db, sqlite::memory:
//   postgresql://user:pass@host:port/db?sslmode=…  (also postgres://)
//   mysql://user:pass@host:port/db                 (registered by the MySQL backend)
// pool_size bounds open connections (PostgreSQL/MySQL) and SQLite readers.
struct OpenOptions {
  std::size_t pool_size = 4;
  int busy_timeout_ms = 5000;
};
Result<std::unique_ptr<Database>> open_database(std::string_view url, OpenOptions options = {});

// Masks the password of a database URL for logs and `config show`.
std::string redact_url(std::string_view url);

// Helper: run a query inside a transaction and return its rows.
inline Value null() { return Value{std::monostate{}}; }

}  // namespace tzr::storage
