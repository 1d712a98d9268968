#include "antibot/store.hpp"

#include "antibot/player_state.hpp"
#include "core/json.hpp"

#include <map>

namespace tzr::antibot {
namespace {

using storage::Value;

// Multi-row INSERTs of up to 200 rows (one round trip each instead of one per row).
class BatchInsert {
 public:
  BatchInsert(storage::Session& s, std::string head, std::size_t columns) : s_(s), head_(std::move(head)), columns_(columns) {}
  Status add(std::vector<Value> row) {
    for (auto& v : row) values_.push_back(std::move(v));
    if (++rows_ == 200) return flush();
    return {};
  }
  Status flush() {
    if (rows_ == 0) return {};
    std::string sql = head_;
    for (std::size_t r = 0; r < rows_; ++r) {
      sql += r ? ",(" : "(";
      for (std::size_t c = 0; c < columns_; ++c) sql += c ? ",?" : "?";
      sql += ")";
    }
    auto result = s_.query(sql, values_);
    values_.clear();
    rows_ = 0;
    if (!result) return result.error();
    return {};
  }

 private:
  storage::Session& s_;
  std::string head_;
  std::size_t columns_;
  std::vector<Value> values_;
  std::size_t rows_ = 0;
};

Value v(std::int64_t x) { return Value{x}; }

}  // namespace

Result<std::vector<PlayerHistory>> read_histories(storage::Database& db, std::int64_t from, std::int64_t to) {
  const Value params[] = {Value{from}, Value{to}};
  auto rows = db.query(
      // A late joiner entered after the battle's start: its own start is unknown (0 = take the end).
      "SELECT p.login_key, p.login, b.battle_id,"
      " CASE WHEN p.intervened_turn IS NULL THEN COALESCE(b.start_ts, 0) ELSE 0 END, b.ts, b.loc_x, b.loc_y, b.has_pvp,"
      " p.survived, p.kills_monsters, p.kills_players,"
      " COALESCE((SELECT SUM(l.qty) FROM battle_loot l WHERE l.battle_id = p.battle_id AND l.login = p.login), 0),"
      " p.rank_points, p.pve_points, p.damage_monsters, p.damage_players"
      " FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id"
      " WHERE b.ts IS NOT NULL AND b.ts >= ? AND b.ts < ?"
      " ORDER BY p.login_key, b.ts, COALESCE(b.start_ts, 0), b.battle_id",
      params);
  if (!rows) return rows.error();
  std::vector<PlayerHistory> out;
  for (const auto& r : rows->rows) {
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

Status rebuild_states(storage::Database& db, const std::vector<PlayerHistory>& histories,
                      const FeatureOptions& breaks, std::int64_t now) {
  return db.transaction([&](storage::Session& s) -> Status {
    for (const char* sql : {"DELETE FROM antibot_player_days", "DELETE FROM antibot_player_state"})
      if (auto r = s.query(sql); !r) return r.error();
    BatchInsert states(s, "INSERT INTO antibot_player_state (login_key, login, battles, last_end, state, updated_at) VALUES ", 6);
    BatchInsert days(s,
                     "INSERT INTO antibot_player_days (login_key, day, battles, pvp, survived, kills_monsters,"
                     " kills_players, loot, idle_n, idle_sum, hours_mask) VALUES ",
                     11);
    for (const auto& h : histories) {
      PlayerState state;
      struct Day {
        std::int64_t battles = 0, pvp = 0, survived = 0, km = 0, kp = 0, loot = 0, idle_n = 0, hours = 0;
        double idle_sum = 0;
      };
      std::map<std::int64_t, Day> per_day;
      for (const auto& b : h.battles) {
        const bool first = state.battles == 0;
        const std::int64_t idle = (b.start_ts != 0 && b.start_ts <= b.end_ts ? b.start_ts : b.end_ts) - state.last_end;
        state.apply(b, breaks);
        auto& d = per_day[b.end_ts >= 0 ? b.end_ts / 86400 : (b.end_ts - 86399) / 86400];
        ++d.battles;
        d.pvp += b.pvp;
        d.survived += b.survived;
        d.km += b.kills_monsters;
        d.kp += b.kills_players;
        d.loot += b.loot;
        d.hours |= std::int64_t{1} << (((b.end_ts % 86400) + 86400) % 86400 / 3600);
        if (!first && idle >= 0 && idle <= breaks.session_break_s) {
          ++d.idle_n;
          d.idle_sum += static_cast<double>(idle);
        }
      }
      if (auto st = states.add({Value{h.login_key}, Value{h.login}, v(state.battles), v(state.last_end),
                                Value{json::serialize(to_json(state))}, v(now)});
          !st)
        return st;
      for (const auto& [day, d] : per_day)
        if (auto st = days.add({Value{h.login_key}, v(day), v(d.battles), v(d.pvp), v(d.survived), v(d.km), v(d.kp),
                                v(d.loot), v(d.idle_n), Value{d.idle_sum}, v(d.hours)});
            !st)
          return st;
    }
    if (auto st = states.flush(); !st) return st;
    return days.flush();
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
