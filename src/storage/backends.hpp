#pragma once
// Private to storage/: what the three backends share (error codes, the transaction retry loop,
// value formatting) and the per-scheme openers that open_database() dispatches to.
#include "storage/database.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace tzr::storage::detail {

// Builds an Error with the kind that belongs to one of the stable storage codes.
Error db_failure(std::string_view code, std::string message);
Error param_count_mismatch(std::size_t expected, std::size_t given);

// Runs attempt() up to options.max_attempts times while it fails with db_retryable, sleeping a
// short, jittered, growing pause between attempts so that colliding writers spread out.
Status retry_transaction(const TransactionOptions& options, const std::function<Status()>& attempt);

// Runs a transaction's body: on its error or exception, rollback() runs before the failure goes on.
template <class Rollback>
Status run_body(Session& session, const std::function<Status(Session&)>& fn, Rollback&& rollback) {
  Status st;
  try {
    st = fn(session);
  } catch (...) {
    rollback();
    throw;
  }
  if (!st) rollback();
  return st;
}

// Shortest text that parses back to the same double (PostgreSQL text parameters).
std::string format_double(double v);
// Parses numeric text from a driver (integers, reals, "NaN", "Infinity"); false if malformed.
bool parse_int64(std::string_view s, std::int64_t& out);
bool parse_double(std::string_view s, double& out);

// path is a file path or ":memory:".
Result<std::unique_ptr<Database>> open_sqlite(const std::string& path, const OpenOptions& options);
Result<std::unique_ptr<Database>> open_postgres(std::string_view url, const OpenOptions& options);
Result<std::unique_ptr<Database>> open_mysql(std::string_view url, const OpenOptions& options);

}  // namespace tzr::storage::detail
