// PostgreSQL backend over libpq: a bounded pool of connections, `?` rewritten to $n, parameters
// sent out of line (never spliced into SQL), results typed by column type OID.
#include "storage/backends.hpp"
#include "storage/connection_pool.hpp"
#include "storage/placeholders.hpp"

#include <libpq-fe.h>

#include <cstring>

namespace tzr::storage::detail {
namespace {

// Built-in type OIDs (pg_type.dat); libpq ships no header for them.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26;
constexpr Oid kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConn = std::unique_ptr<PGconn, ConnCloser>;

struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultCloser>;

std::string trimmed(const char* s) {
  std::string out = s != nullptr ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool connection_lost(PGconn* conn) { return PQstatus(conn) != CONNECTION_OK; }

// Server messages can quote values ("invalid input syntax for type integer: \"…\""), so only the
// SQLSTATE and names are kept, except for class 42 (syntax, unknown objects) which quotes SQL.
Error pg_error(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* state_c = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = state_c != nullptr ? state_c : "";
  if (state.empty() || state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
      state == "53300") {
    if (state.empty() && !connection_lost(conn)) {
      return db_failure(kDbError, std::string(what) + ": " + trimmed(PQerrorMessage(conn)));
    }
    return db_failure(kUnavailable, std::string(what) + ": PostgreSQL connection failed" +
                                        (state.empty() ? "" : " (SQLSTATE " + state + ")"));
  }
  if (state == "23505") {
    const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    return db_failure(kUniqueViolation, "unique constraint violated" +
                                            (constraint != nullptr ? " (" + std::string(constraint) + ")" : std::string()));
  }
  if (state == "40001" || state == "40P01") {
    return db_failure(kRetryable, std::string(what) + ": " + (state == "40001" ? "serialization failure" : "deadlock detected"));
  }
  std::string message = std::string(what) + ": PostgreSQL error SQLSTATE " + state;
  if (state.starts_with("42")) message += ": " + trimmed(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
  return db_failure(kDbError, message);
}

Result<PgConn> connect(const std::string& url) {
  // Defaults first: keywords that the URL itself sets (expanded from dbname) override them.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"5", "tzrhost", url.c_str(), nullptr};
  PgConn conn(PQconnectdbParams(keys, values, 1));
  if (!conn) return db_failure(kUnavailable, "cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // libpq's message names host and user, never the password.
    return db_failure(kUnavailable, "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn.get())));
  }
  // Notices ("relation already exists, skipping") would otherwise go to stderr.
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

Value convert(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col) != 0) return std::monostate{};
  const char* raw = PQgetvalue(res, row, col);
  const std::string_view text(raw, static_cast<std::size_t>(PQgetlength(res, row, col)));
  switch (PQftype(res, col)) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid: {
      std::int64_t n = 0;
      if (parse_int64(text, n)) return n;
      break;
    }
    case kFloat4:
    case kFloat8:
    case kNumeric: {
      double d = 0;
      if (parse_double(text, d)) return d;
      break;
    }
    case kBool: return std::int64_t{text == "t" ? 1 : 0};
    case kBytea: {
      std::size_t n = 0;
      unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(raw), &n);
      if (bytes == nullptr) break;
      Blob blob{std::string(reinterpret_cast<const char*>(bytes), n)};
      PQfreemem(bytes);
      return blob;
    }
    default: break;
  }
  return std::string(text);
}

Result<QueryResult> to_result(PGconn* conn, PgResult res, std::string_view what) {
  const ExecStatusType status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return pg_error(conn, res.get(), what);
  QueryResult out;
  const int ncols = PQnfields(res.get());
  const int nrows = PQntuples(res.get());
  for (int c = 0; c < ncols; ++c) out.columns.emplace_back(PQfname(res.get(), c));
  out.rows.reserve(static_cast<std::size_t>(nrows));
  for (int r = 0; r < nrows; ++r) {
    Row row;
    row.values.reserve(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) row.values.push_back(convert(res.get(), r, c));
    out.rows.push_back(std::move(row));
  }
  // Rows changed, as SQLite and MySQL report them: also for INSERT … RETURNING, never for SELECT.
  std::int64_t affected = 0;
  const std::string_view tag = PQcmdStatus(res.get());
  if (!tag.starts_with("SELECT") && parse_int64(PQcmdTuples(res.get()), affected)) out.affected_rows = affected;
  return out;
}

Result<QueryResult> run_query(PGconn* conn, std::string_view sql, Params params) {
  const NumberedSql numbered = number_placeholders(sql);
  if (numbered.placeholders != params.size()) return param_count_mismatch(numbered.placeholders, params.size());
  const std::size_t n = params.size();
  std::vector<std::string> text(n);
  std::vector<Oid> types(n, 0);
  std::vector<const char*> ptrs(n, nullptr);
  std::vector<int> lengths(n, 0);
  std::vector<int> formats(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const Value& v = params[i];
    // Integers and reals are typed so that `SELECT ?` round-trips; text stays untyped ("unknown")
    // so the server may read it as any type (timestamps, json, enums).
    if (const auto* x = std::get_if<std::int64_t>(&v)) {
      text[i] = std::to_string(*x);
      types[i] = kInt8;
    } else if (const auto* d = std::get_if<double>(&v)) {
      text[i] = format_double(*d);
      types[i] = kFloat8;
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      ptrs[i] = s->c_str();
      continue;
    } else if (const auto* b = std::get_if<Blob>(&v)) {
      ptrs[i] = b->bytes.data();
      lengths[i] = static_cast<int>(b->bytes.size());
      formats[i] = 1;  // binary: the raw bytes, NULs included, no escaping
      types[i] = kBytea;
      continue;
    } else {
      continue;  // NULL: a null pointer
    }
    ptrs[i] = text[i].c_str();
  }
  PgResult res(PQexecParams(conn, numbered.sql.c_str(), static_cast<int>(n), types.data(), ptrs.data(),
                            lengths.data(), formats.data(), 0));
  return to_result(conn, std::move(res), "query failed");
}

Status run_command(PGconn* conn, const char* sql, std::string_view what) {
  PgResult res(PQexec(conn, sql));
  auto r = to_result(conn, std::move(res), what);
  if (!r) return r.error();
  return {};
}

class PgSession final : public Session {
 public:
  explicit PgSession(PGconn* conn) : conn_(conn) {}
  Result<QueryResult> query(std::string_view sql, Params params) override { return run_query(conn_, sql, params); }
  Status execute_script(std::string_view sql) override {
    // PQexec runs several statements in one round trip (simple protocol), as migrations need.
    return run_command(conn_, std::string(sql).c_str(), "script failed");
  }
  Dialect dialect() const override { return Dialect::postgres; }

 private:
  PGconn* conn_;
};

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string url, const OpenOptions& options)
      : url_(std::move(url)), pool_(options.pool_size, [this] { return connect(url_); }) {}

  Dialect dialect() const override { return Dialect::postgres; }

  Result<QueryResult> query(std::string_view sql, Params params) override {
    // A pooled connection may have died while idle (server restart, idle timeout). The statement
    // then never reached a live backend, so it is tried once more on a fresh connection.
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return lease.error();
      auto r = run_query(lease->get(), sql, params);
      const bool lost = connection_lost(lease->get());
      release(*lease);
      if (r || !lost || !lease->reused() || attempt > 0) return r;
    }
  }

  Status transaction(const std::function<Status(Session&)>& fn, TransactionOptions options) override {
    return retry_transaction(options, [&]() -> Status {
      auto lease = begin();
      if (!lease) return lease.error();
      PGconn* conn = lease->get();
      PgSession session(conn);
      if (auto st = run_body(session, fn, [&] { rollback(*lease); }); !st) return st;
      PgResult res(PQexec(conn, "COMMIT"));
      const bool ok = PQresultStatus(res.get()) == PGRES_COMMAND_OK;
      // After a failed statement COMMIT "succeeds" by rolling back; fn swallowed an error.
      const bool rolled_back = ok && std::strcmp(PQcmdStatus(res.get()), "ROLLBACK") == 0;
      Status out;
      if (!ok) {
        out = pg_error(conn, res.get(), "commit failed");
      } else if (rolled_back) {
        out = db_failure(kDbError, "transaction was aborted by an earlier failed statement");
      }
      release(*lease);
      return out;
    });
  }

  Status ping() override {
    auto r = query("SELECT 1", {});
    if (!r) return r.error();
    return {};
  }

 private:
  using Lease = ConnectionPool<PgConn>::Lease;

  // BEGIN on a connection that died while idle is retried once on a fresh one (nothing ran yet).
  Result<Lease> begin() {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return lease.error();
      auto st = run_command(lease->get(), "BEGIN", "cannot begin transaction");
      if (st) return std::move(*lease);
      const bool lost = connection_lost(lease->get());
      release(*lease);
      if (!lost || !lease->reused() || attempt > 0) return st.error();
    }
  }

  static void rollback(Lease& lease) {
    PgResult res(PQexec(lease.get(), "ROLLBACK"));
    release(lease);
  }

  // A connection goes back to the pool only if it is alive and outside any transaction, so the
  // next user never inherits a half-open transaction.
  static void release(Lease& lease) {
    if (connection_lost(lease.get()) || PQtransactionStatus(lease.get()) != PQTRANS_IDLE) lease.discard();
  }

  const std::string url_;
  ConnectionPool<PgConn> pool_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(std::string_view url, const OpenOptions& options) {
  auto db = std::make_unique<PgDatabase>(std::string(url), options);
  // Connect once now so a wrong URL or an unreachable server fails at startup, not on first use.
  if (auto st = db->ping(); !st) return st.error();
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace tzr::storage::detail
