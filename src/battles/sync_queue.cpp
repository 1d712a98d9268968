#include "battles/sync_worker.hpp"
#include "storage/dialect_sql.hpp"

namespace tzr::battles {
namespace {
using storage::Value;
}

SyncQueue::SyncQueue(storage::Database& db, SyncOptions options, std::function<std::int64_t()> now_ms)
    : db_(db), options_(std::move(options)), now_ms_(std::move(now_ms)) {}

Result<std::optional<std::int64_t>> SyncQueue::claim() {
  std::optional<std::int64_t> claimed;
  const std::int64_t now = now_ms_();
  auto body = [&](storage::Session& s) -> Status {
    claimed.reset();
    // Several processes share the queue: on PostgreSQL and MariaDB a row another worker is claiming
    // is skipped rather than waited for (SQLite serialises writers anyway).
    const std::string pick_sql = std::string("SELECT battle_id FROM battle_sync WHERE state IN ('pending', 'fetching') AND next_at <= ?"
                                             " ORDER BY next_at, battle_id LIMIT 1") +
                                 (s.dialect() == storage::Dialect::sqlite ? "" : " FOR UPDATE SKIP LOCKED");
    auto pick = [&]() -> Status {
      auto r = s.query(pick_sql, std::vector<Value>{Value{now}});
      if (!r) return r.error();
      if (!r->rows.empty()) claimed = r->rows[0].integer(0);
      return {};
    };
    if (auto st = pick(); !st) return st;
    if (!claimed) {
      auto cursor = [&](const char* name, std::int64_t fallback) -> Result<std::int64_t> {
        auto r = s.query("SELECT value FROM battle_sync_cursors WHERE name = ?", std::vector<Value>{Value{std::string(name)}});
        if (!r) return r.error();
        return r->rows.empty() ? fallback : r->rows[0].integer(0);
      };
      auto set_cursor = [&](const char* name, std::int64_t value) -> Status {
        auto r = s.query("INSERT INTO battle_sync_cursors (name, value) VALUES (?, ?)" +
                             storage::upsert_tail(s.dialect(), "name", "value = excluded.value"),
                         std::vector<Value>{Value{std::string(name)}, Value{value}});
        if (!r) return r.error();
        return {};
      };
      auto insert = [&](std::int64_t from, std::int64_t to) -> Status {
        for (std::int64_t id = from; id <= to; ++id) {
          auto r = s.query("INSERT INTO battle_sync (battle_id, state, attempts, next_at, updated_at) VALUES (?, 'pending', 0, ?, ?)" +
                               storage::ignore_duplicates_tail(s.dialect(), "battle_id", "battle_id"),
                           std::vector<Value>{Value{id}, Value{now}, Value{now}});
          if (!r) return r.error();
        }
        return {};
      };
      auto forward = cursor("forward", options_.start_id);
      if (!forward) return forward.error();
      auto newest = s.query("SELECT MAX(battle_id) FROM battle_sync WHERE state = 'parsed'");
      if (!newest) return newest.error();
      const std::int64_t newest_parsed =
          newest->rows.empty() || newest->rows[0].is_null(0) ? options_.start_id - 1 : newest->rows[0].integer(0);
      const std::int64_t ahead = *forward - 1 - newest_parsed;
      const std::int64_t room = std::min(options_.enqueue_batch, options_.not_found_after - ahead);
      if (room > 0) {
        if (auto st = insert(*forward, *forward + room - 1); !st) return st;
        if (auto st = set_cursor("forward", *forward + room); !st) return st;
      } else if (options_.backfill_to > 0) {
        auto back = cursor("backfill", options_.start_id - 1);
        if (!back) return back.error();
        if (*back >= options_.backfill_to) {
          const std::int64_t low = std::max(options_.backfill_to, *back - options_.enqueue_batch + 1);
          if (auto st = insert(low, *back); !st) return st;
          if (auto st = set_cursor("backfill", low - 1); !st) return st;
        }
      }
      if (auto st = pick(); !st) return st;
    }
    if (!claimed) return {};
    // The lease is taken only if nobody took it since the pick (the WHERE is re-checked under the
    // row lock), so two workers never hold one id.
    auto r = s.query("UPDATE battle_sync SET state = 'fetching', next_at = ?, updated_at = ? WHERE battle_id = ?"
                     " AND state IN ('pending', 'fetching') AND next_at <= ?",
                     std::vector<Value>{Value{now + options_.lease.count()}, Value{now}, Value{*claimed}, Value{now}});
    if (!r) return r.error();
    if (r->affected_rows != 1) claimed.reset();
    return {};
  };
  if (auto st = db_.transaction(body); !st) return st.error();
  return claimed;
}

Status SyncQueue::enqueue_range(std::int64_t from, std::int64_t to) {
  const std::int64_t now = now_ms_();
  return db_.transaction([&](storage::Session& s) -> Status {
    for (std::int64_t id = from; id <= to; ++id) {
      auto r = s.query("INSERT INTO battle_sync (battle_id, state, attempts, next_at, updated_at) VALUES (?, 'pending', 0, ?, ?)" +
                           storage::ignore_duplicates_tail(s.dialect(), "battle_id", "battle_id"),
                       std::vector<Value>{Value{id}, Value{now}, Value{now}});
      if (!r) return r.error();
    }
    return {};
  });
}

Status SyncQueue::set_state(std::int64_t id, std::string_view state, int attempts, std::int64_t next_at, const std::string& error) {
  auto r = db_.query("UPDATE battle_sync SET state = ?, attempts = ?, next_at = ?, last_error = ?, updated_at = ? WHERE battle_id = ?",
                     std::vector<Value>{Value{std::string(state)}, Value{std::int64_t{attempts}}, Value{next_at},
                                        error.empty() ? storage::null() : Value{error.substr(0, 500)}, Value{now_ms_()}, Value{id}});
  if (!r) return r.error();
  return {};
}

Result<std::int64_t> SyncQueue::retry_failed() {
  auto r = db_.query("UPDATE battle_sync SET state = 'pending', attempts = 0, next_at = ?, updated_at = ? WHERE state = 'failed'",
                     std::vector<Value>{Value{now_ms_()}, Value{now_ms_()}});
  if (!r) return r.error();
  return r->affected_rows;
}

Status SyncQueue::mark_parsed(std::int64_t id) {
  auto r = db_.query("UPDATE battle_sync SET state = 'parsed', attempts = attempts + 1, last_error = NULL, updated_at = ? WHERE battle_id = ?",
                     std::vector<Value>{Value{now_ms_()}, Value{id}});
  if (!r) return r.error();
  return {};
}

Status SyncQueue::mark_not_found(std::int64_t id, const std::string& why) {
  // Below a parsed id the battle is truly missing; at the frontier it may not exist *yet*.
  auto above = db_.query("SELECT COUNT(*) FROM battle_sync WHERE state = 'parsed' AND battle_id > ?", std::vector<Value>{Value{id}});
  if (!above) return above.error();
  auto row = db_.query("SELECT attempts FROM battle_sync WHERE battle_id = ?", std::vector<Value>{Value{id}});
  if (!row) return row.error();
  const int attempts = row->rows.empty() ? 0 : static_cast<int>(row->rows[0].integer(0));
  if (above->rows[0].integer(0) > 0) return set_state(id, "not_found", attempts + 1, now_ms_(), why);
  const auto wait = std::max<std::int64_t>(5000, options_.backoff.count() * 4);
  return set_state(id, "pending", attempts, now_ms_() + wait, why + " (frontier; asked again later)");
}

Status SyncQueue::mark_retry(std::int64_t id, const std::string& error) {
  auto row = db_.query("SELECT attempts FROM battle_sync WHERE battle_id = ?", std::vector<Value>{Value{id}});
  if (!row) return row.error();
  const int attempts = (row->rows.empty() ? 0 : static_cast<int>(row->rows[0].integer(0))) + 1;
  if (attempts >= options_.max_attempts) return set_state(id, "failed", attempts, now_ms_(), error);
  const std::int64_t delay = options_.backoff.count() << std::min(attempts - 1, 20);
  return set_state(id, "pending", attempts, now_ms_() + delay, error);
}

Result<std::int64_t> SyncQueue::lag() {
  auto forward = db_.query("SELECT value FROM battle_sync_cursors WHERE name = 'forward'");
  if (!forward) return forward.error();
  auto newest = db_.query("SELECT MAX(battle_id) FROM battle_sync WHERE state = 'parsed'");
  if (!newest) return newest.error();
  const std::int64_t cursor = forward->rows.empty() ? options_.start_id : forward->rows[0].integer(0);
  const std::int64_t parsed = newest->rows.empty() || newest->rows[0].is_null(0) ? options_.start_id - 1 : newest->rows[0].integer(0);
  return std::max<std::int64_t>(0, cursor - 1 - parsed);
}

Result<boost::json::object> SyncQueue::status() {
  auto by = db_.query("SELECT state, COUNT(*) FROM battle_sync GROUP BY state");
  if (!by) return by.error();
  boost::json::object states;
  for (const auto& row : by->rows) states[row.text(0)] = row.integer(1);
  auto cursors = db_.query("SELECT name, value FROM battle_sync_cursors");
  if (!cursors) return cursors.error();
  boost::json::object cur;
  for (const auto& row : cursors->rows) cur[row.text(0)] = row.integer(1);
  auto l = lag();
  if (!l) return l.error();
  auto failed = db_.query("SELECT battle_id, attempts, last_error FROM battle_sync WHERE state = 'failed' ORDER BY updated_at DESC LIMIT 20");
  if (!failed) return failed.error();
  boost::json::array fails;
  for (const auto& row : failed->rows)
    fails.push_back(boost::json::object{{"battle_id", row.integer(0)}, {"attempts", row.integer(1)}, {"error", row.opt_text(2).value_or("")}});
  return boost::json::object{{"states", std::move(states)}, {"cursors", std::move(cur)}, {"lag", *l}, {"recent_failed", std::move(fails)}};
}

}  // namespace tzr::battles
