#include "antibot/store.hpp"

#include "antibot/player_state.hpp"
#include "antibot/sql_rows.hpp"
#include "core/json.hpp"

#include <limits>
#include <map>

namespace tzr::antibot {
namespace {

using storage::Value;

Value v(std::int64_t x) { return Value{x}; }


// A late joiner entered after the battle's start: its own start is unknown (0 = take the end).
constexpr const char* kHistorySelect =
    "SELECT p.login_key, p.login, b.battle_id,"
    " CASE WHEN p.intervened_turn IS NULL THEN COALESCE(b.start_ts, 0) ELSE 0 END, b.ts, b.loc_x, b.loc_y, b.has_pvp,"
    " p.survived, p.kills_monsters, p.kills_players,"
    " COALESCE((SELECT SUM(l.qty) FROM battle_loot l WHERE l.battle_id = p.battle_id AND l.login = p.login), 0),"
    " p.rank_points, p.pve_points, p.damage_monsters, p.damage_players"
    " FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id"
    " WHERE b.ts IS NOT NULL AND b.ts >= ? AND b.ts < ?";
constexpr const char* kHistoryOrder = " ORDER BY p.login_key, b.ts, COALESCE(b.start_ts, 0), b.battle_id";

std::vector<PlayerHistory> histories_of(const storage::QueryResult& rows) {
  std::vector<PlayerHistory> out;
  for (const auto& r : rows.rows) {
    auto key = r.text(0);
    if (out.empty() || out.back().login_key != key) out.push_back({std::move(key), r.text(1), {}});
    PlayerBattle b;
    b.battle_id = r.integer(2);
    b.start_ts = r.integer(3);
    b.end_ts = r.integer(4);
    b.loc_x = static_cast<std::int32_t>(r.integer(5));
    b.loc_y = static_cast<std::int32_t>(r.integer(6));
    b.pvp = r.integer(7) != 0;
    b.survived = r.integer(8) != 0;
    b.kills_monsters = static_cast<std::int32_t>(r.integer(9));
    b.kills_players = static_cast<std::int32_t>(r.integer(10));
    b.loot = r.integer(11);
    b.rank_points = r.real(12);
    b.pve_points = r.integer(13);
    b.damage_monsters = r.integer(14);
    b.damage_players = r.integer(15);
    out.back().battles.push_back(b);
  }
  return out;
}

template <class Db>
Result<std::vector<PlayerHistory>> read_histories_on(Db& db, std::int64_t from, std::int64_t to) {
  const Value params[] = {Value{from}, Value{to}};
  auto rows = db.query(std::string(kHistorySelect) + kHistoryOrder, params);
  if (!rows) return rows.error();
  return histories_of(*rows);
}

constexpr std::int64_t kStateLockKey = 0x747a72'616e7469;  // "tzr" "anti"

Status write_states(storage::Session& s, const std::vector<PlayerHistory>& histories, const FeatureOptions& breaks,
                    std::int64_t now, const std::function<void(const std::string&)>& progress) {
  for (const char* sql : {"DELETE FROM antibot_player_days", "DELETE FROM antibot_player_state"})
    if (auto r = s.query(sql); !r) return r.error();
  BatchInsert states(s, "INSERT INTO antibot_player_state (login_key, login, battles, last_end, state, updated_at) VALUES ", 6);
  BatchInsert days(s,
                   "INSERT INTO antibot_player_days (login_key, day, battles, pvp, survived, kills_monsters,"
                   " kills_players, loot, idle_n, idle_sum, hours_mask) VALUES ",
                   11);
  std::size_t done = 0;
  for (const auto& h : histories) {
    PlayerState state;
    std::map<std::int64_t, PlayerDay> per_day;
    for (const auto& b : h.battles) apply_battle(state, per_day[utc_day(b.end_ts)], b, breaks);
    if (auto st = states.add({Value{h.login_key}, Value{h.login}, v(state.battles), v(state.last_end),
                              Value{json::serialize(to_json(state))}, v(now)});
        !st)
      return st;
    for (const auto& [day, d] : per_day)
      if (auto st = days.add({Value{h.login_key}, v(day), v(d.battles), v(d.pvp), v(d.survived), v(d.kills_monsters),
                              v(d.kills_players), v(d.loot), v(d.idle_n), Value{d.idle_sum}, v(d.hours_mask)});
          !st)
        return st;
    if (progress && (++done % 1000 == 0 || done == histories.size()))
      progress(std::to_string(done) + "/" + std::to_string(histories.size()) + " players written");
  }
  if (auto st = states.flush(); !st) return st;
  return days.flush();
}

}  // namespace

Result<std::vector<PlayerHistory>> read_histories(storage::Database& db, std::int64_t from, std::int64_t to) {
  return read_histories_on(db, from, to);
}

Result<std::vector<PlayerHistory>> read_histories(storage::Session& s, std::int64_t from, std::int64_t to) {
  return read_histories_on(s, from, to);
}

Result<std::optional<PlayerHistory>> read_history(storage::Database& db, const std::string& login_key, std::int64_t from,
                                                  std::int64_t to) {
  const Value params[] = {Value{from}, Value{to}, Value{login_key}};
  auto rows = db.query(std::string(kHistorySelect) + " AND p.login_key = ?" + kHistoryOrder, params);
  if (!rows) return rows.error();
  auto out = histories_of(*rows);
  if (out.empty()) return std::optional<PlayerHistory>{};
  return std::optional<PlayerHistory>{std::move(out.front())};
}

Status lock_player_states(storage::Session& s) {
  switch (s.dialect()) {
    case storage::Dialect::sqlite:
      return {};  // BEGIN IMMEDIATE already admits one writer
    case storage::Dialect::postgres: {
      const Value key[] = {Value{kStateLockKey}};
      if (auto r = s.query("SELECT pg_advisory_xact_lock(?)", key); !r) return r.error();
      return {};
    }
    case storage::Dialect::mysql:
      // GET_LOCK outlives the transaction; a row lock ends with it, as the advisory lock does.
      if (auto r = s.query("SELECT name FROM antibot_locks WHERE name = 'player_state' FOR UPDATE"); !r) return r.error();
      return {};
  }
  return {};
}

Result<RebuildCounts> rebuild_all_states(storage::Database& db, const FeatureOptions& breaks, std::int64_t now,
                                         const std::function<void(const std::string&)>& progress) {
  RebuildCounts counts;
  auto st = db.transaction([&](storage::Session& s) -> Status {
    if (auto locked = lock_player_states(s); !locked) return locked;
    if (progress) progress("reading every participation");
    auto histories = read_histories(s, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
    if (!histories) return histories.error();
    counts = {histories->size(), 0};
    for (const auto& h : *histories) counts.participations += h.battles.size();
    if (progress)
      progress(std::to_string(counts.players) + " players, " + std::to_string(counts.participations) +
               " participations; writing the state");
    return write_states(s, *histories, breaks, now, progress);
  });
  if (!st) return st.error();
  return counts;
}

Status rebuild_states(storage::Database& db, const std::vector<PlayerHistory>& histories,
                      const FeatureOptions& breaks, std::int64_t now) {
  return db.transaction([&](storage::Session& s) -> Status {
    if (auto locked = lock_player_states(s); !locked) return locked;
    return write_states(s, histories, breaks, now, {});
  });
}

Status save_scores(storage::Database& db, const std::vector<PlayerHistory>& histories,
                   const std::vector<Detection>& detections, int window_days, std::int64_t window_end,
                   std::int64_t now) {
  return db.transaction([&](storage::Session& s) -> Status {
    if (auto r = s.query("DELETE FROM antibot_scores"); !r) return r.error();
    BatchInsert scores(s,
                       "INSERT INTO antibot_scores (login_key, login, window_days, window_end, score, is_bot, method,"
                       " result, scanned_at) VALUES ",
                       9);
    for (std::size_t i = 0; i < histories.size() && i < detections.size(); ++i) {
      const auto& d = detections[i];
      if (!d.eligible) continue;
      if (auto st = scores.add({Value{histories[i].login_key}, Value{histories[i].login}, v(window_days), v(window_end),
                                Value{d.score}, v(d.is_bot ? 1 : 0), Value{d.method}, Value{json::serialize(to_json(d))},
                                v(now)});
          !st)
        return st;
    }
    return scores.flush();
  });
}

}  // namespace tzr::antibot
