#pragma once
// Dashboard operators and their sessions. Operators come from the configuration as
// "name:role:pbkdf2-hash" entries (roles viewer < moderator < admin); a session is a random
// token the browser holds in an HttpOnly cookie, stored only as its SHA-256 in the platform
// database (table dashboard_sessions), so any gateway instance can check it and a database dump
// holds no usable token. Blocking: call through a BlockingPool.
#include "core/error.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tzr::dashboard {

enum class Role { viewer = 1, moderator = 2, admin = 3 };
std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view name);

struct Operator {
  std::string name;
  Role role = Role::viewer;
  std::string password_hash;
};

// Error "config_error" naming the bad entry (never its hash).
Result<std::vector<Operator>> parse_operators(const std::vector<std::string>& entries);

struct Session {
  std::string user;
  Role role = Role::viewer;
  std::int64_t expires_at = 0;
};

struct SessionLimits {
  std::int64_t lifetime_s = 12 * 3600;  // from sign-in
  std::int64_t idle_s = 3600;           // without a request
};

class SessionStore {
 public:
  SessionStore(storage::Database& db, SessionLimits limits) : db_(db), limits_(limits) {}
  // A new session; returns the token for the cookie.
  Result<std::string> create(const Operator& op, std::int64_t now);
  // The live session of a token (and notes the request, at most once a minute), or nullopt.
  Result<std::optional<Session>> find(const std::string& token, std::int64_t now);
  Status end(const std::string& token);
  const SessionLimits& limits() const { return limits_; }

 private:
  storage::Database& db_;
  SessionLimits limits_;
};

std::vector<storage::Migration> migrations();

}  // namespace tzr::dashboard
