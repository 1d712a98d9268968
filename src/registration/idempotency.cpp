#include "registration/idempotency.hpp"

#include "storage/database.hpp"

namespace tzr::registration {

using storage::Value;

IdempotencyStore::IdempotencyStore(storage::Database& db, std::int64_t ttl_seconds, std::int64_t running_timeout_seconds,
                                   Clock clock)
    : db_(db), ttl_(ttl_seconds), running_timeout_(running_timeout_seconds), clock_(std::move(clock)) {}

Result<KeyClaim> IdempotencyStore::claim(std::string_view scope, std::string_view key, std::string_view fingerprint) {
  // Two rounds: a concurrent claimer may insert between our read and our insert (PostgreSQL);
  // the second round then sees its row.
  for (int round = 0; round < 2; ++round) {
    KeyClaim claim;
    const std::int64_t now = clock_();
    auto st = db_.transaction([&](storage::Session& s) -> Status {
      Value k[] = {Value{std::string(scope)}, Value{std::string(key)}};
      auto row = s.query("SELECT fingerprint, state, status, body, expires_at FROM idempotency_keys WHERE scope = ? AND idem_key = ?", k);
      if (!row) return row.error();
      if (!row->rows.empty() && row->rows[0].integer(4) <= now) {
        auto del = s.query("DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?", k);
        if (!del) return del.error();
        row->rows.clear();
      }
      if (row->rows.empty()) {
        Value ins[] = {Value{std::string(scope)}, Value{std::string(key)}, Value{std::string(fingerprint)},
                       Value{now}, Value{now + running_timeout_}};
        auto r = s.query(
            "INSERT INTO idempotency_keys (scope, idem_key, fingerprint, state, status, body, created_at, expires_at)"
            " VALUES (?, ?, ?, 'running', 0, '', ?, ?)",
            ins);
        if (!r) return r.error();
        claim.state = KeyState::fresh;
        return {};
      }
      const auto& found = row->rows[0];
      if (found.text(0) != fingerprint) claim.state = KeyState::mismatch;
      else if (found.text(1) == "running") claim.state = KeyState::in_progress;
      else claim = KeyClaim{KeyState::replay, StoredResponse{static_cast<int>(found.integer(2)), found.text(3)}};
      return {};
    });
    if (st) return claim;
    if (st.error().code != storage::kUniqueViolation) return st.error();
  }
  return KeyClaim{KeyState::in_progress, {}};
}

Status IdempotencyStore::complete(std::string_view scope, std::string_view key, const StoredResponse& response) {
  if (response.status >= 500) return release(scope, key);
  Value p[] = {Value{static_cast<std::int64_t>(response.status)}, Value{response.body}, Value{clock_() + ttl_},
               Value{std::string(scope)}, Value{std::string(key)}};
  auto r = db_.query(
      "UPDATE idempotency_keys SET state = 'done', status = ?, body = ?, expires_at = ? WHERE scope = ? AND idem_key = ?", p);
  if (!r) return r.error();
  return {};
}

Status IdempotencyStore::release(std::string_view scope, std::string_view key) {
  Value p[] = {Value{std::string(scope)}, Value{std::string(key)}};
  auto r = db_.query("DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?", p);
  if (!r) return r.error();
  return {};
}

Result<std::int64_t> IdempotencyStore::purge_expired() {
  Value p{clock_()};
  auto r = db_.query("DELETE FROM idempotency_keys WHERE expires_at <= ?", std::span(&p, 1));
  if (!r) return r.error();
  return r->affected_rows;
}

}  // namespace tzr::registration
