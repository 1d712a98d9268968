#include "antibot/state_ingest.hpp"

#include "antibot/sql_rows.hpp"
#include "antibot/store.hpp"
#include "battles/battle_store.hpp"
#include "core/json.hpp"
#include "storage/dialect_sql.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>

namespace tzr::antibot {
namespace {

using storage::Value;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Reads the stored state of these players (chunks of at most 500 keys).
Status read_players(storage::Session& s, const std::vector<std::string>& keys, std::map<std::string, StoredPlayer>& out) {
  for (std::size_t start = 0; start < keys.size(); start += 500) {
    const std::size_t end = std::min(keys.size(), start + 500);
    std::string sql = "SELECT login_key, login, state FROM antibot_player_state WHERE login_key IN (";
    std::vector<Value> params;
    for (std::size_t i = start; i < end; ++i) {
      sql += i == start ? "?" : ",?";
      params.push_back(Value{keys[i]});
    }
    sql += ")";
    auto rows = s.query(sql, params);
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) {
      auto parsed = json::parse(r.text(2), {.max_depth = 16});
      auto state = parsed ? player_state_from_json(*parsed) : Result<PlayerState>(parsed.error());
      if (!state) {
        // A damaged row must not stop the ingest; the rebuild restores it.
        spdlog::warn("antibot: the stored state of {} is malformed ({}); starting it over (run tzrhost antibot rebuild-state)",
                     r.text(1), state.error().code);
        continue;
      }
      out[r.text(0)] = StoredPlayer{r.text(1), std::move(*state)};
    }
  }
  return {};
}

}  // namespace

std::vector<Participation> participations_of(const battles::BattleLog& log) {
  std::vector<Participation> out;
  const auto& b = log.battle;
  if (!b.ts) return out;  // the store's reads leave such battles out too
  out.reserve(log.participants.size());
  for (const auto& p : log.participants) {
    Participation x;
    x.login = p.login;
    x.login_key = battles::login_key(p.login);
    x.battle_start = b.start_ts.value_or(0);
    auto& pb = x.battle;
    pb.battle_id = b.id;
    pb.start_ts = p.intervened_turn ? 0 : b.start_ts.value_or(0);  // a late joiner's own start is unknown
    pb.end_ts = *b.ts;
    pb.loc_x = static_cast<std::int32_t>(b.loc_x);
    pb.loc_y = static_cast<std::int32_t>(b.loc_y);
    pb.pvp = b.has_pvp;
    pb.survived = p.survived;
    pb.kills_monsters = static_cast<std::int32_t>(p.kills_monsters);
    pb.kills_players = static_cast<std::int32_t>(p.kills_players);
    // battle_loot rows are per (battle, login): the sum over every participant of that login.
    for (const auto& q : log.participants)
      if (q.login == p.login)
        for (const auto* list : {&q.loot.resources, &q.loot.monster_parts, &q.loot.other})
          for (const auto& l : *list) pb.loot += l.qty;
    out.push_back(std::move(x));
  }
  return out;
}

PlayerDays apply_participations(std::map<std::string, StoredPlayer>& players, std::vector<Participation> batch,
                                const FeatureOptions& breaks) {
  std::sort(batch.begin(), batch.end(), [](const Participation& a, const Participation& b) {
    return std::tie(a.battle.end_ts, a.battle_start, a.battle.battle_id) < std::tie(b.battle.end_ts, b.battle_start, b.battle.battle_id);
  });
  PlayerDays days;
  for (const auto& x : batch) {
    auto [it, fresh] = players.try_emplace(x.login_key);
    if (fresh) it->second.login = x.login;
    apply_battle(it->second.state, days[{x.login_key, utc_day(x.battle.end_ts)}], x.battle, breaks);
  }
  return days;
}

StateAtIngest::StateAtIngest(FeatureOptions breaks, std::function<std::int64_t()> clock)
    : breaks_(breaks), clock_(clock ? std::move(clock) : std::function<std::int64_t()>(unix_now)) {}

Status StateAtIngest::on_batch(storage::Session& s, const std::vector<const battles::BattleLog*>& new_battles) {
  std::vector<Participation> batch;
  for (const auto* log : new_battles) {
    auto some = participations_of(*log);
    std::move(some.begin(), some.end(), std::back_inserter(batch));
  }
  if (batch.empty()) return {};
  if (auto st = lock_player_states(s); !st) return st;
  std::set<std::string> key_set;
  for (const auto& x : batch) key_set.insert(x.login_key);
  const std::vector<std::string> keys(key_set.begin(), key_set.end());
  std::map<std::string, StoredPlayer> players;
  if (auto st = read_players(s, keys, players); !st) return st;
  const auto days = apply_participations(players, std::move(batch), breaks_);

  const std::int64_t now = clock_();
  // The login stays the one of the player's earliest battle, as the rebuild writes it.
  BatchInsert states(s, "INSERT INTO antibot_player_state (login_key, login, battles, last_end, state, updated_at) VALUES ", 6,
                     storage::upsert_tail(s.dialect(), "login_key",
                                          "battles = excluded.battles, last_end = excluded.last_end,"
                                          " state = excluded.state, updated_at = excluded.updated_at"));
  for (const auto& key : keys) {
    const auto& p = players.at(key);
    if (auto st = states.add({Value{key}, Value{p.login}, Value{p.state.battles}, Value{p.state.last_end},
                              Value{json::serialize(to_json(p.state))}, Value{now}});
        !st)
      return st;
  }
  if (auto st = states.flush(); !st) return st;
  BatchInsert day_rows(s,
                       "INSERT INTO antibot_player_days (login_key, day, battles, pvp, survived, kills_monsters,"
                       " kills_players, loot, idle_n, idle_sum, hours_mask) VALUES ",
                       11,
                       storage::upsert_tail(s.dialect(), "login_key, day",
                                            "battles = antibot_player_days.battles + excluded.battles,"
                                            " pvp = antibot_player_days.pvp + excluded.pvp,"
                                            " survived = antibot_player_days.survived + excluded.survived,"
                                            " kills_monsters = antibot_player_days.kills_monsters + excluded.kills_monsters,"
                                            " kills_players = antibot_player_days.kills_players + excluded.kills_players,"
                                            " loot = antibot_player_days.loot + excluded.loot,"
                                            " idle_n = antibot_player_days.idle_n + excluded.idle_n,"
                                            " idle_sum = antibot_player_days.idle_sum + excluded.idle_sum,"
                                            " hours_mask = antibot_player_days.hours_mask | excluded.hours_mask"));
  for (const auto& [at, d] : days)
    if (auto st = day_rows.add({Value{at.first}, Value{at.second}, Value{d.battles}, Value{d.pvp}, Value{d.survived},
                                Value{d.kills_monsters}, Value{d.kills_players}, Value{d.loot}, Value{d.idle_n},
                                Value{d.idle_sum}, Value{d.hours_mask}});
        !st)
      return st;
  return day_rows.flush();
}

}  // namespace tzr::antibot
