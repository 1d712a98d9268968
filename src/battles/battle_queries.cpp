// Read side of BattleStore: list with filters and keyset pagination, detail, player search,
// ingest statistics.
#include "battles/battle_store.hpp"

namespace tzr::battles {
namespace {

using storage::Value;

BattleSummary summary_of(const storage::Row& r) {
  BattleSummary s;
  s.battle_id = r.integer(0);
  s.ts = r.opt_integer(1);
  s.turns = static_cast<int>(r.integer(2));
  s.battle_type = r.opt_text(3);
  s.loc_x = r.integer(4);
  s.loc_y = r.integer(5);
  s.players_cnt = r.integer(6);
  s.monsters_cnt = r.integer(7);
  s.has_pvp = r.integer(8) != 0;
  s.has_monsters = r.integer(9) != 0;
  return s;
}

constexpr std::string_view kSummaryColumns =
    "b.battle_id, b.ts, b.turns, b.battle_type, b.loc_x, b.loc_y, b.players_cnt, b.monsters_cnt, b.has_pvp, b.has_monsters";

// '!' rather than a backslash: MySQL reads a backslash inside a string literal as an escape.
std::string like_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out;
}

}  // namespace

Result<BattlePage> BattleStore::list(const BattleQuery& q) {
  std::string sql = "SELECT " + std::string(kSummaryColumns) + " FROM battles b WHERE b.ts IS NOT NULL";
  std::vector<Value> params;
  auto add = [&](std::string clause, Value value) {
    sql += " AND " + clause;
    params.push_back(std::move(value));
  };
  if (q.from_ts) add("b.ts >= ?", Value{*q.from_ts});
  if (q.to_ts) add("b.ts < ?", Value{*q.to_ts});
  if (q.battle_type) add("b.battle_type = ?", Value{*q.battle_type});
  if (q.x_min) add("b.loc_x >= ?", Value{*q.x_min});
  if (q.x_max) add("b.loc_x <= ?", Value{*q.x_max});
  if (q.y_min) add("b.loc_y >= ?", Value{*q.y_min});
  if (q.y_max) add("b.loc_y <= ?", Value{*q.y_max});
  if (q.player)
    add("EXISTS (SELECT 1 FROM battle_participants p WHERE p.battle_id = b.battle_id AND p.login_key = ?)", Value{login_key(*q.player)});
  if (q.clan) add("EXISTS (SELECT 1 FROM battle_participants c WHERE c.battle_id = b.battle_id AND c.clan = ?)", Value{*q.clan});
  if (q.monster_kind) {
    add("EXISTS (SELECT 1 FROM battle_monsters m WHERE m.battle_id = b.battle_id AND (m.kind = ? OR m.kind = ?))", Value{*q.monster_kind});
    params.push_back(Value{*q.monster_kind + "_spec"});
  }
  if (q.pvp) sql += *q.pvp ? " AND b.has_pvp = 1" : " AND b.has_pvp = 0 AND b.has_monsters = 1";
  if (q.after_ts && q.after_id) {
    sql += " AND (b.ts < ? OR (b.ts = ? AND b.battle_id < ?))";
    params.push_back(Value{*q.after_ts});
    params.push_back(Value{*q.after_ts});
    params.push_back(Value{*q.after_id});
  }
  sql += " ORDER BY b.ts DESC, b.battle_id DESC LIMIT ?";
  params.push_back(Value{std::int64_t{q.limit} + 1});
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  BattlePage page;
  for (const auto& row : r->rows) page.battles.push_back(summary_of(row));
  if (page.battles.size() > static_cast<std::size_t>(q.limit)) {
    page.battles.resize(static_cast<std::size_t>(q.limit));
    page.next = std::make_pair(*page.battles.back().ts, page.battles.back().battle_id);
  }
  return page;
}

Result<std::optional<StoredBattle>> BattleStore::get(std::int64_t battle_id) {
  auto r = db_.query("SELECT " + std::string(kSummaryColumns) +
                         ", b.content_sha256, b.size_bytes, b.parser_version, b.complete, b.data FROM battles b WHERE b.battle_id = ?",
                     std::vector<Value>{Value{battle_id}});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<StoredBattle>{};
  const auto& row = r->rows[0];
  StoredBattle b;
  b.summary = summary_of(row);
  b.content_sha256 = row.text(10);
  b.size_bytes = row.integer(11);
  b.parser_version = static_cast<int>(row.integer(12));
  b.complete = row.integer(13) != 0;
  b.data = row.text(14);
  return std::optional<StoredBattle>{std::move(b)};
}

Result<std::vector<PlayerMatch>> BattleStore::search_players(std::string_view text, bool prefix, int limit) {
  const std::string key = login_key(text);
  auto r = prefix ? db_.query("SELECT login, battles, last_ts FROM battle_players WHERE login_key LIKE ? ESCAPE '!'"
                              " ORDER BY battles DESC, login_key LIMIT ?",
                              std::vector<Value>{Value{like_escape(key) + "%"}, Value{std::int64_t{limit}}})
                  : db_.query("SELECT login, battles, last_ts FROM battle_players WHERE login_key = ?", std::vector<Value>{Value{key}});
  if (!r) return r.error();
  std::vector<PlayerMatch> out;
  for (const auto& row : r->rows) out.push_back(PlayerMatch{row.text(0), row.integer(1), row.opt_integer(2)});
  return out;
}

Result<IngestStats> BattleStore::ingest_stats(int failures) {
  IngestStats s;
  auto n = count_battles();
  if (!n) return n.error();
  s.battles = *n;
  auto by = db_.query("SELECT status, COUNT(*) FROM battle_ingest_log GROUP BY status");
  if (!by) return by.error();
  for (const auto& row : by->rows) s.by_status[row.text(0)] = row.integer(1);
  auto fails = db_.query("SELECT at, source, name, error_code, error_message, content_sha256 FROM battle_ingest_log"
                         " WHERE status = 'failed' ORDER BY id DESC LIMIT ?",
                         std::vector<Value>{Value{std::int64_t{failures}}});
  if (!fails) return fails.error();
  for (const auto& row : fails->rows)
    s.recent_failures.push_back(boost::json::object{{"at", row.integer(0)}, {"source", row.text(1)}, {"name", row.text(2)},
                                                    {"error", row.opt_text(3).value_or("")}, {"message", row.opt_text(4).value_or("")},
                                                    {"sha256", row.text(5)}});
  auto newest = db_.query("SELECT MAX(battle_id) FROM battles");
  if (!newest) return newest.error();
  if (!newest->rows.empty()) s.newest_battle_id = newest->rows[0].opt_integer(0);
  return s;
}

Result<std::vector<std::pair<std::int64_t, std::string>>> BattleStore::older_than_parser(int version, int limit) {
  auto r = db_.query("SELECT battle_id, content_sha256 FROM battles WHERE parser_version < ? ORDER BY battle_id LIMIT ?",
                     std::vector<Value>{Value{std::int64_t{version}}, Value{std::int64_t{limit}}});
  if (!r) return r.error();
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (const auto& row : r->rows) out.emplace_back(row.integer(0), row.text(1));
  return out;
}

Result<std::int64_t> BattleStore::count_battles() {
  auto r = db_.query("SELECT COUNT(*) FROM battles");
  if (!r) return r.error();
  return r->rows.empty() ? 0 : r->rows[0].integer(0);
}

}  // namespace tzr::battles
