#include "storage/database.hpp"

#include "storage/backends.hpp"

#include <boost/url.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <system_error>
#include <thread>

namespace tzr::storage {

namespace detail {

Error db_failure(std::string_view code, std::string message) {
  ErrorKind kind = ErrorKind::internal;
  if (code == kUniqueViolation) kind = ErrorKind::conflict;
  if (code == kRetryable || code == kUnavailable) kind = ErrorKind::unavailable;
  return Error::make(kind, std::string(code), std::move(message));
}

Error param_count_mismatch(std::size_t expected, std::size_t given) {
  return db_failure(kDbError, "statement has " + std::to_string(expected) + " placeholders but " +
                                  std::to_string(given) + " parameters were given");
}

Status retry_transaction(const TransactionOptions& options, const std::function<Status()>& attempt) {
  const int attempts = std::max(1, options.max_attempts);
  thread_local std::minstd_rand rng{std::random_device{}()};
  for (int i = 1;; ++i) {
    Status st = attempt();
    if (st || st.error().code != kRetryable || i >= attempts) return st;
    // 5, 10, 20 … 200 ms plus jitter: colliding transactions must not retry in lockstep.
    const int base = std::min(200, 5 << std::min(i - 1, 6));
    std::uniform_int_distribution<int> jitter(0, base);
    std::this_thread::sleep_for(std::chrono::milliseconds(base + jitter(rng)));
  }
}

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

bool parse_int64(std::string_view s, std::int64_t& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc{} && res.ptr == s.data() + s.size() && !s.empty();
}

bool parse_double(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  // PostgreSQL spells the specials "NaN" / "Infinity"; from_chars accepts both spellings.
  auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc{} && res.ptr == s.data() + s.size();
}

}  // namespace detail

namespace {

// Reading a column as the wrong type is a programming error, so it throws like Result::value().
[[noreturn]] void type_mismatch(std::size_t i, std::string_view wanted) {
  throw ErrorException(detail::db_failure(kDbError, "column " + std::to_string(i) + " is not " + std::string(wanted)));
}

}  // namespace

std::int64_t Row::integer(std::size_t i) const {
  const Value& v = values.at(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::trunc(*d) == *d && *d >= -9.2e18 && *d <= 9.2e18) return static_cast<std::int64_t>(*d);
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    if (detail::parse_int64(*s, out)) return out;
  }
  type_mismatch(i, "an integer");
}

double Row::real(std::size_t i) const {
  const Value& v = values.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    if (detail::parse_double(*s, out)) return out;
  }
  type_mismatch(i, "a number");
}

std::string Row::text(std::size_t i) const {
  const Value& v = values.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return detail::format_double(*d);
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  type_mismatch(i, "text (it is NULL)");
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::optional<std::int64_t> Row::opt_integer(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return integer(i);
}

std::string_view dialect_name(Dialect d) {
  switch (d) {
    case Dialect::sqlite: return "sqlite";
    case Dialect::postgres: return "postgres";
    case Dialect::mysql: return "mysql";
  }
  return "unknown";
}

namespace {

Result<std::unique_ptr<Database>> open_sqlite_url(std::string_view url, const OpenOptions& options) {
  if (url == "sqlite::memory:") return detail::open_sqlite(":memory:", options);
  constexpr std::string_view prefix = "sqlite://";
  // Not parsed as a URL: in sqlite://var/tzr.db the "var" would be taken for a host name.
  const std::string path(url.substr(prefix.size()));
  if (path.empty() || path == "/") {
    return Error::bad_request("a sqlite:// URL needs a file path, e.g. sqlite://var/tzr.db", "db_invalid_url");
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return detail::db_failure(kUnavailable, "cannot create the folder " + parent.string() + ": " + ec.message());
    }
  }
  return detail::open_sqlite(path, options);
}

}  // namespace

Result<std::unique_ptr<Database>> open_database(std::string_view url, OpenOptions options) {
  if (url == "sqlite::memory:" || url.starts_with("sqlite://")) return open_sqlite_url(url, options);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return detail::open_postgres(url, options);
  if (url.starts_with("mysql://")) return detail::open_mysql(url, options);
  // The URL itself may hold a password, so only its scheme goes into the message.
  const std::size_t colon = url.find(':');
  const std::string scheme(colon == std::string_view::npos ? std::string_view("(none)") : url.substr(0, std::min<std::size_t>(colon, 32)));
  return Error::bad_request("unsupported database URL scheme '" + scheme +
                                "' (use sqlite://, sqlite::memory:, postgresql:// or mysql://)",
                            "db_invalid_url");
}

namespace {

constexpr std::string_view kMask = "***";

// Fallback for text Boost.URL rejects: masks what sits between "user:" and "@".
std::string redact_userinfo_by_hand(std::string url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const std::size_t start = scheme_end + 3;
  const std::size_t at = url.rfind('@');
  if (at == std::string::npos || at < start) return url;
  const std::size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  url.replace(colon + 1, at - colon - 1, kMask);
  return url;
}

// libpq also accepts key=value strings: "host=db password=secret".
std::string redact_conninfo(std::string s) {
  std::size_t pos = 0;
  while ((pos = s.find("password", pos)) != std::string::npos) {
    std::size_t eq = pos + 8;
    while (eq < s.size() && s[eq] == ' ') ++eq;
    if (eq >= s.size() || s[eq] != '=') {
      pos += 8;
      continue;
    }
    std::size_t v = eq + 1;
    while (v < s.size() && s[v] == ' ') ++v;
    std::size_t end = v;
    if (end < s.size() && s[end] == '\'') {
      ++end;
      while (end < s.size() && s[end] != '\'') end += (s[end] == '\\') ? 2 : 1;
      end = std::min(end + 1, s.size());
    } else {
      while (end < s.size() && s[end] != ' ' && s[end] != '&') ++end;
    }
    s.replace(v, end - v, kMask);
    pos = v + kMask.size();
  }
  return s;
}

}  // namespace

std::string redact_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri_reference(boost::urls::string_view(url.data(), url.size()));
  if (!parsed) return redact_conninfo(redact_userinfo_by_hand(std::string(url)));
  boost::urls::url u(*parsed);
  if (u.has_password()) u.set_password(kMask);
  auto params = u.params();
  for (auto it = params.begin(); it != params.end(); ++it) {
    const auto p = *it;
    if (p.has_value && boost::urls::grammar::ci_is_equal(p.key, "password")) it = params.set(it, kMask);
  }
  return std::string(u.buffer());
}

Result<std::unique_ptr<Session>> Database::dedicated_session() {
  return Error::make(ErrorKind::internal, std::string(kDbError), "this database backend has no dedicated sessions");
}

}  // namespace tzr::storage
