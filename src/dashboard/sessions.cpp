#include "dashboard/sessions.hpp"

#include "crypto/hash.hpp"

#include <algorithm>

namespace tzr::dashboard {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::viewer: return "viewer";
    case Role::moderator: return "moderator";
    case Role::admin: return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::viewer, Role::moderator, Role::admin})
    if (role_name(r) == name) return r;
  return std::nullopt;
}

Result<std::vector<Operator>> parse_operators(const std::vector<std::string>& entries) {
  std::vector<Operator> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& e = entries[i];
    const auto a = e.find(':');
    const auto b = a == std::string::npos ? std::string::npos : e.find(':', a + 1);
    auto bad = [&](const std::string& why) {
      return Error::bad_request("dashboard.operators entry " + std::to_string(i + 1) + ": " + why, "config_error");
    };
    if (a == std::string::npos || b == std::string::npos || a == 0) return bad("expected name:role:hash");
    auto role = parse_role(std::string_view(e).substr(a + 1, b - a - 1));
    if (!role) return bad("the role must be viewer, moderator or admin");
    Operator op{e.substr(0, a), *role, e.substr(b + 1)};
    if (!op.password_hash.starts_with("pbkdf2-sha256$")) return bad("the hash must come from `tzrhost dashboard hash-password`");
    if (std::any_of(out.begin(), out.end(), [&](const Operator& o) { return o.name == op.name; })) return bad("a second operator " + op.name);
    out.push_back(std::move(op));
  }
  return out;
}

Result<std::string> SessionStore::create(const Operator& op, std::int64_t now) {
  const std::string token = crypto::random_hex(32);
  const storage::Value row[] = {crypto::sha256_hex(token), op.name, std::string(role_name(op.role)), now, now,
                                now + limits_.lifetime_s};
  auto r = db_.query(
      "INSERT INTO dashboard_sessions (token_hash, username, role, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)", row);
  if (!r) return r.error();
  // Ended sessions go at every sign-in, so the table stays the size of the live ones.
  const storage::Value horizon[] = {now, now - limits_.idle_s};
  if (auto swept = db_.query("DELETE FROM dashboard_sessions WHERE expires_at < ? OR last_seen < ?", horizon); !swept)
    return swept.error();
  return token;
}

Result<std::optional<Session>> SessionStore::find(const std::string& token, std::int64_t now) {
  if (token.size() != 64) return std::optional<Session>();
  const std::string key = crypto::sha256_hex(token);
  const storage::Value params[] = {key};
  auto rows = db_.query("SELECT username, role, last_seen, expires_at FROM dashboard_sessions WHERE token_hash = ?", params);
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Session>();
  const auto& row = rows->rows.front();
  const std::int64_t last_seen = row.integer(2), expires = row.integer(3);
  auto role = parse_role(row.text(1));
  if (!role || now >= expires || now - last_seen > limits_.idle_s) return std::optional<Session>();
  if (now - last_seen >= 60) {
    const storage::Value touch[] = {now, key};
    if (auto t = db_.query("UPDATE dashboard_sessions SET last_seen = ? WHERE token_hash = ?", touch); !t) return t.error();
  }
  return std::optional<Session>(Session{row.text(0), *role, std::min(expires, now + limits_.idle_s)});
}

Status SessionStore::end(const std::string& token) {
  const storage::Value params[] = {crypto::sha256_hex(token)};
  auto r = db_.query("DELETE FROM dashboard_sessions WHERE token_hash = ?", params);
  if (!r) return r.error();
  return {};
}

std::vector<storage::Migration> migrations() {
  return {{700, "dashboard_sessions",
           "CREATE TABLE dashboard_sessions (token_hash VARCHAR(64) NOT NULL PRIMARY KEY, username VARCHAR(128) NOT NULL,"
           " role VARCHAR(16) NOT NULL, created_at BIGINT NOT NULL, last_seen BIGINT NOT NULL, expires_at BIGINT NOT NULL);"
           "CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions(expires_at);",
           "", ""}};
}

}  // namespace tzr::dashboard
