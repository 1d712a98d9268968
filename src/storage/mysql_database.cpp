// MySQL/MariaDB backend over libmariadb: a bounded pool, server-side prepared statements so every
// value is bound (never spliced into SQL), utf8mb4, results typed from the column metadata.
#include "storage/backends.hpp"
#include "storage/connection_pool.hpp"

#include <boost/url.hpp>
#include <mysql.h>

#include <cctype>
#include <mutex>

namespace tzr::storage::detail {
namespace {

struct MysqlCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlConn = std::unique_ptr<MYSQL, MysqlCloser>;

struct StmtCloser {
  void operator()(MYSQL_STMT* s) const { mysql_stmt_close(s); }
};
using MysqlStmt = std::unique_ptr<MYSQL_STMT, StmtCloser>;

struct ResultCloser {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using MysqlRes = std::unique_ptr<MYSQL_RES, ResultCloser>;

struct MysqlConfig {
  std::string host, user, password, database, socket;
  bool has_password = false;
  unsigned port = 3306;
};

constexpr unsigned kErUnsupportedPs = 1295;

bool is_connection_error(unsigned code) {
  // 2002/2003 cannot connect, 2006 gone away, 2013/2055 lost, 1927 killed, 4031 idle timeout.
  return code == 2002 || code == 2003 || code == 2006 || code == 2013 || code == 2055 || code == 1927 || code == 4031;
}

// Most server messages may quote values ("Duplicate entry 'alice' for key …"); only messages that
// quote SQL or schema names are passed on.
bool message_is_safe(unsigned code) {
  switch (code) {
    case 1044: case 1045: case 1046: case 1048: case 1049: case 1050: case 1051: case 1054: case 1060:
    case 1061: case 1064: case 1091: case 1146: case 1364: case 1142: case 1143:
      return true;
    default:
      return false;
  }
}

Error mysql_failure(unsigned code, const char* message, std::string_view what) {
  const std::string msg = message != nullptr ? message : "";
  if (code == 1062 || code == 1586) {
    // "… for key 'name'": the key name is schema, the entry before it is data.
    const std::size_t key = msg.rfind(" for key ");
    return db_failure(kUniqueViolation,
                      "unique constraint violated" + (key != std::string::npos ? " (" + msg.substr(key + 9) + ")" : ""));
  }
  if (code == 1213) return db_failure(kRetryable, std::string(what) + ": deadlock");
  if (code == 1205) return db_failure(kRetryable, std::string(what) + ": lock wait timeout");
  if (is_connection_error(code)) return db_failure(kUnavailable, std::string(what) + ": MySQL connection failed (error " + std::to_string(code) + ")");
  std::string text = std::string(what) + ": MySQL error " + std::to_string(code);
  if (message_is_safe(code)) text += ": " + msg;
  return db_failure(kDbError, text);
}

Error conn_error(MYSQL* m, std::string_view what) { return mysql_failure(mysql_errno(m), mysql_error(m), what); }
Error stmt_error(MYSQL_STMT* s, std::string_view what) { return mysql_failure(mysql_stmt_errno(s), mysql_stmt_error(s), what); }

Result<MysqlConfig> parse_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(boost::urls::string_view(url.data(), url.size()));
  if (!parsed) return Error::bad_request("malformed mysql:// URL", "db_invalid_url");
  const boost::urls::url_view& u = *parsed;
  MysqlConfig cfg;
  cfg.user = u.user();
  cfg.has_password = u.has_password();
  cfg.password = u.password();
  cfg.host = u.host_address();
  if (u.has_port()) cfg.port = u.port_number();
  std::string path = u.path();
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  cfg.database = path;
  for (auto p : u.params()) {
    if (p.key == "socket") cfg.socket = p.value;
  }
  if (cfg.host.empty() && cfg.socket.empty()) cfg.host = "127.0.0.1";
  return cfg;
}

Result<MysqlConn> connect(const MysqlConfig& cfg) {
  static std::once_flag library_init;
  // mysql_init would initialise the library on first use, but not thread-safely.
  std::call_once(library_init, [] { mysql_library_init(0, nullptr, nullptr); });
  MysqlConn conn(mysql_init(nullptr));
  if (!conn) return db_failure(kUnavailable, "cannot connect to MySQL: out of memory");
  unsigned timeout = 5;
  my_bool no_reconnect = 0;  // a silent reconnect would lose session state mid-transaction
  mysql_options(conn.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(conn.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(conn.get(), MYSQL_OPT_RECONNECT, &no_reconnect);
  const bool via_socket = !cfg.socket.empty();
  // CLIENT_FOUND_ROWS: UPDATE reports matched rows, as SQLite and PostgreSQL do.
  const unsigned long flags = CLIENT_FOUND_ROWS | CLIENT_MULTI_RESULTS;
  if (mysql_real_connect(conn.get(), via_socket ? "localhost" : cfg.host.c_str(), cfg.user.c_str(),
                         cfg.has_password ? cfg.password.c_str() : nullptr,
                         cfg.database.empty() ? nullptr : cfg.database.c_str(), via_socket ? 0 : cfg.port,
                         via_socket ? cfg.socket.c_str() : nullptr, flags) == nullptr) {
    // The client's message names user and host and says whether a password was used, never which.
    return db_failure(kUnavailable, "cannot connect to MySQL: " + std::string(mysql_error(conn.get())));
  }
  return conn;
}

enum class ColumnKind { integer, real, decimal, text, blob };

ColumnKind kind_of(const MYSQL_FIELD& f) {
  switch (f.type) {
    case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG: case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_YEAR:
      return ColumnKind::integer;
    case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE:
      return ColumnKind::real;
    case MYSQL_TYPE_DECIMAL: case MYSQL_TYPE_NEWDECIMAL:
      return ColumnKind::decimal;
    case MYSQL_TYPE_TINY_BLOB: case MYSQL_TYPE_MEDIUM_BLOB: case MYSQL_TYPE_LONG_BLOB: case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_VAR_STRING: case MYSQL_TYPE_STRING: case MYSQL_TYPE_VARCHAR: case MYSQL_TYPE_BIT:
    case MYSQL_TYPE_GEOMETRY:
      // Character set 63 is "binary": BLOB/VARBINARY rather than TEXT/VARCHAR.
      return f.charsetnr == 63 ? ColumnKind::blob : ColumnKind::text;
    default:
      return ColumnKind::text;  // dates, times, enums, sets, json: their text form
  }
}

Value typed_value(ColumnKind kind, std::string_view text) {
  switch (kind) {
    case ColumnKind::integer: {
      std::int64_t n = 0;
      if (parse_int64(text, n)) return n;
      break;
    }
    case ColumnKind::real:
    case ColumnKind::decimal: {
      double d = 0;
      if (parse_double(text, d)) return d;
      break;
    }
    case ColumnKind::blob: return Blob{std::string(text)};
    case ColumnKind::text: break;
  }
  return std::string(text);
}

std::vector<std::string> column_names(MYSQL_FIELD* fields, unsigned n) {
  std::vector<std::string> names;
  for (unsigned i = 0; i < n; ++i) names.emplace_back(fields[i].name, fields[i].name_length);
  return names;
}

// Text protocol, for statements the server cannot prepare (and for BEGIN/COMMIT).
Result<QueryResult> run_text(MYSQL* m, std::string_view sql, std::string_view what) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) return conn_error(m, what);
  QueryResult out;
  MysqlRes res(mysql_store_result(m));
  if (!res) {
    if (mysql_field_count(m) != 0) return conn_error(m, what);
    out.affected_rows = static_cast<std::int64_t>(mysql_affected_rows(m));
    return out;
  }
  const unsigned n = mysql_num_fields(res.get());
  MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
  out.columns = column_names(fields, n);
  while (MYSQL_ROW r = mysql_fetch_row(res.get())) {
    const unsigned long* lengths = mysql_fetch_lengths(res.get());
    Row row;
    for (unsigned i = 0; i < n; ++i) {
      row.values.push_back(r[i] == nullptr ? Value{} : typed_value(kind_of(fields[i]), std::string_view(r[i], lengths[i])));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

Status bind_params(MYSQL_STMT* stmt, Params params, std::vector<MYSQL_BIND>& binds, std::vector<unsigned long>& lengths) {
  const std::size_t expected = mysql_stmt_param_count(stmt);
  if (expected != params.size()) return param_count_mismatch(expected, params.size());
  if (params.empty()) return {};
  binds.assign(params.size(), MYSQL_BIND{});
  lengths.assign(params.size(), 0);
  for (std::size_t i = 0; i < params.size(); ++i) {
    MYSQL_BIND& b = binds[i];
    const Value& v = params[i];
    // The library only reads through these pointers; params outlive the execution.
    if (const auto* x = std::get_if<std::int64_t>(&v)) {
      b.buffer_type = MYSQL_TYPE_LONGLONG;
      b.buffer = const_cast<std::int64_t*>(x);
    } else if (const auto* d = std::get_if<double>(&v)) {
      b.buffer_type = MYSQL_TYPE_DOUBLE;
      b.buffer = const_cast<double*>(d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = const_cast<char*>(s->data());
      lengths[i] = s->size();
      b.buffer_length = s->size();
      b.length = &lengths[i];
    } else if (const auto* blob = std::get_if<Blob>(&v)) {
      b.buffer_type = MYSQL_TYPE_BLOB;
      b.buffer = const_cast<char*>(blob->bytes.data());
      lengths[i] = blob->bytes.size();
      b.buffer_length = blob->bytes.size();
      b.length = &lengths[i];
    } else {
      b.buffer_type = MYSQL_TYPE_NULL;
    }
  }
  if (mysql_stmt_bind_param(stmt, binds.data()) != 0) return stmt_error(stmt, "cannot bind parameters");
  return {};
}

Result<QueryResult> fetch_rows(MYSQL_STMT* stmt, MYSQL_RES* meta) {
  QueryResult out;
  if (mysql_stmt_store_result(stmt) != 0) return stmt_error(stmt, "cannot read result");
  const unsigned n = mysql_num_fields(meta);
  MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  out.columns = column_names(fields, n);

  struct Column {
    ColumnKind kind;
    std::int64_t integer = 0;
    double real = 0;
    std::string buffer;
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool truncated = 0;
  };
  std::vector<Column> cols(n);
  std::vector<MYSQL_BIND> binds(n, MYSQL_BIND{});
  for (unsigned i = 0; i < n; ++i) {
    Column& c = cols[i];
    MYSQL_BIND& b = binds[i];
    c.kind = kind_of(fields[i]);
    b.is_null = &c.is_null;
    b.error = &c.truncated;
    b.length = &c.length;
    if (c.kind == ColumnKind::integer) {
      b.buffer_type = MYSQL_TYPE_LONGLONG;
      b.buffer = &c.integer;
      b.is_unsigned = (fields[i].flags & UNSIGNED_FLAG) != 0;
    } else if (c.kind == ColumnKind::real) {
      b.buffer_type = MYSQL_TYPE_DOUBLE;
      b.buffer = &c.real;
    } else {
      // max_length (STMT_ATTR_UPDATE_MAX_LENGTH) is the longest value in this result; 64 covers
      // dates and decimals whose text is longer than their binary form. Longer values are
      // fetched again below, so a wrong guess costs time, not data.
      c.buffer.resize(std::max<std::size_t>(fields[i].max_length, 64) + 1);
      b.buffer_type = c.kind == ColumnKind::blob ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
      b.buffer = c.buffer.data();
      b.buffer_length = static_cast<unsigned long>(c.buffer.size());
    }
  }
  if (n > 0 && mysql_stmt_bind_result(stmt, binds.data()) != 0) return stmt_error(stmt, "cannot bind result");
  for (;;) {
    const int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) return stmt_error(stmt, "cannot fetch row");
    Row row;
    row.values.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      Column& c = cols[i];
      if (c.is_null != 0) {
        row.values.emplace_back();
        continue;
      }
      switch (c.kind) {
        case ColumnKind::integer:
          if (binds[i].is_unsigned != 0 && c.integer < 0) {
            // An UNSIGNED BIGINT above INT64_MAX: exact as text rather than wrapped negative.
            row.values.emplace_back(std::to_string(static_cast<std::uint64_t>(c.integer)));
          } else {
            row.values.emplace_back(c.integer);
          }
          continue;
        case ColumnKind::real: row.values.emplace_back(c.real); continue;
        default: break;
      }
      std::string data;
      if (c.length > binds[i].buffer_length) {
        data.resize(c.length);
        MYSQL_BIND again{};
        again.buffer_type = binds[i].buffer_type;
        again.buffer = data.data();
        again.buffer_length = c.length;
        if (mysql_stmt_fetch_column(stmt, &again, i, 0) != 0) return stmt_error(stmt, "cannot fetch column");
      } else {
        data.assign(c.buffer.data(), c.length);
      }
      row.values.push_back(typed_value(c.kind, data));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

Result<QueryResult> run_query(MYSQL* m, std::string_view sql, Params params) {
  MysqlStmt stmt(mysql_stmt_init(m));
  if (!stmt) return conn_error(m, "cannot create statement");
  if (mysql_stmt_prepare(stmt.get(), sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    if (mysql_stmt_errno(stmt.get()) == kErUnsupportedPs && params.empty()) return run_text(m, sql, "query failed");
    return stmt_error(stmt.get(), "cannot prepare statement");
  }
  std::vector<MYSQL_BIND> binds;
  std::vector<unsigned long> lengths;
  if (auto st = bind_params(stmt.get(), params, binds, lengths); !st) return st.error();
  my_bool update_max_length = 1;
  mysql_stmt_attr_set(stmt.get(), STMT_ATTR_UPDATE_MAX_LENGTH, &update_max_length);
  if (mysql_stmt_execute(stmt.get()) != 0) return stmt_error(stmt.get(), "query failed");
  MysqlRes meta(mysql_stmt_result_metadata(stmt.get()));
  if (!meta) {
    QueryResult out;
    out.affected_rows = static_cast<std::int64_t>(mysql_stmt_affected_rows(stmt.get()));
    return out;
  }
  return fetch_rows(stmt.get(), meta.get());
}

bool only_space(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c)) && c != ';') return false;
  }
  return true;
}

Status run_script(MYSQL* m, std::string_view sql) {
  if (only_space(sql)) return {};
  // Multi-statements are switched on only for the script, so a query() can never smuggle in a
  // second statement.
  if (mysql_set_server_option(m, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0) return conn_error(m, "script failed");
  Status out;
  if (mysql_real_query(m, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    out = conn_error(m, "script failed");
  } else {
    for (;;) {
      MysqlRes res(mysql_store_result(m));
      const int next = mysql_next_result(m);
      if (next == -1) break;
      if (next > 0) {
        out = conn_error(m, "script failed");
        break;
      }
    }
  }
  mysql_set_server_option(m, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
  return out;
}

class MysqlSession final : public Session {
 public:
  explicit MysqlSession(MYSQL* m) : m_(m) {}
  Result<QueryResult> query(std::string_view sql, Params params) override { return run_query(m_, sql, params); }
  Status execute_script(std::string_view sql) override { return run_script(m_, sql); }
  Dialect dialect() const override { return Dialect::mysql; }

 private:
  MYSQL* m_;
};

bool connection_alive_and_idle(MYSQL* m) {
  if (is_connection_error(mysql_errno(m))) return false;
  unsigned int status = 0;
  if (mariadb_get_infov(m, MARIADB_CONNECTION_SERVER_STATUS, &status) != 0) return false;
  return (status & SERVER_STATUS_IN_TRANS) == 0;
}

class MysqlDatabase final : public Database {
 public:
  MysqlDatabase(MysqlConfig cfg, const OpenOptions& options)
      : cfg_(std::move(cfg)), pool_(options.pool_size, [this] { return connect(cfg_); }) {}

  Dialect dialect() const override { return Dialect::mysql; }

  Result<QueryResult> query(std::string_view sql, Params params) override {
    // An idle pooled connection may have been dropped by the server (wait_timeout, restart);
    // nothing ran on it then, so the statement is tried once more on a fresh connection.
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return lease.error();
      auto r = run_query(lease->get(), sql, params);
      const bool lost = !r && r.error().code == kUnavailable;
      release(*lease, lost);
      if (r || !lost || !lease->reused() || attempt > 0) return r;
    }
  }

  Status transaction(const std::function<Status(Session&)>& fn, TransactionOptions options) override {
    return retry_transaction(options, [&]() -> Status {
      auto lease = begin();
      if (!lease) return lease.error();
      MYSQL* m = lease->get();
      MysqlSession session(m);
      if (auto st = run_body(session, fn, [&] { rollback(*lease); }); !st) return st;
      auto commit = run_text(m, "COMMIT", "commit failed");
      if (!commit) {
        rollback(*lease);
        return commit.error();
      }
      release(*lease, false);
      return {};
    });
  }

  Status ping() override {
    auto r = query("SELECT 1", {});
    if (!r) return r.error();
    return {};
  }

 private:
  using Lease = ConnectionPool<MysqlConn>::Lease;

  // Holds its connection until destroyed; named locks taken on it are released first, so the
  // connection goes back to the pool clean.
  class DedicatedSession final : public Session {
   public:
    explicit DedicatedSession(Lease lease) : lease_(std::move(lease)) {}
    ~DedicatedSession() override {
      auto r = run_text(lease_.get(), "DO RELEASE_ALL_LOCKS()", "cannot release named locks");
      release(lease_, !r);
    }
    Result<QueryResult> query(std::string_view sql, Params params) override { return run_query(lease_.get(), sql, params); }
    Status execute_script(std::string_view sql) override { return run_script(lease_.get(), sql); }
    Dialect dialect() const override { return Dialect::mysql; }

   private:
    Lease lease_;
  };

 public:
  Result<std::unique_ptr<Session>> dedicated_session() override {
    auto lease = pool_.acquire();
    if (!lease) return lease.error();
    return std::unique_ptr<Session>(std::make_unique<DedicatedSession>(std::move(*lease)));
  }

 private:

  Result<Lease> begin() {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return lease.error();
      auto r = run_text(lease->get(), "START TRANSACTION", "cannot begin transaction");
      if (r) return std::move(*lease);
      const bool lost = r.error().code == kUnavailable;
      release(*lease, lost);
      if (!lost || !lease->reused() || attempt > 0) return r.error();
    }
  }

  static void rollback(Lease& lease) {
    auto r = run_text(lease.get(), "ROLLBACK", "rollback failed");
    release(lease, !r);
  }

  // Back to the pool only if alive and outside a transaction: the next user must start clean.
  static void release(Lease& lease, bool lost) {
    if (lost || !connection_alive_and_idle(lease.get())) lease.discard();
  }

  const MysqlConfig cfg_;
  ConnectionPool<MysqlConn> pool_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_mysql(std::string_view url, const OpenOptions& options) {
  auto cfg = parse_url(url);
  if (!cfg) return cfg.error();
  auto db = std::make_unique<MysqlDatabase>(std::move(*cfg), options);
  // Connect once now so a wrong URL or an unreachable server fails at startup, not on first use.
  if (auto st = db->ping(); !st) return st.error();
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace tzr::storage::detail
