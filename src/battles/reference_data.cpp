#include "battles/reference_data.hpp"

#include "crypto/hash.hpp"
#include "storage/dialect_sql.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <type_traits>

namespace tzr::battles {
namespace {

using storage::Value;

// English names from battles.md §1.11; the Russian names are this project's (the spec gives
// none; the dashboard spec's few — Крыса, Зомби, Эрг — are kept where it has them).
const std::vector<MonsterKindName> kMonsterKinds = {
    {"bmi", "mine", "Мина"},
    {"rat", "mutant rat", "Крыса"},
    {"sti", "stich", "Стич"},
    {"pco", "robocop", "Робокоп"},
    {"pcb", "cyber-guard", "Киберохранник"},
    {"std", "witch jelly", "Ведьмин студень"},
    {"vzz", "vzzik", "Вззик"},
    {"tur", "turret", "Турель"},
    {"dev", "lure", "Приманка"},
    {"bll", "ball", "Шар"},
    {"dog", "dingo", "Динго"},
    {"srg", "sergeant McGregory", "Сержант МакГрегори"},
    {"enm", "training enemy", "Учебный противник"},
    {"gek", "gecko", "Геккон"},
    {"rbt", "r2-d2", "R2-D2"},
    {"robot", "mechanoid", "Механоид"},
    {"scr", "scorpion", "Скорпион"},
    {"wrm", "worm", "Червь"},
    {"spd", "arachnid", "Арахнид"},
    {"zmb", "possessed", "Зомби"},
    {"rdr", "radar", "Радар"},
    {"alg", "saboteur", "Диверсант"},
    {"als", "stormtrooper", "Штурмовик"},
    {"alb", "punisher", "Каратель"},
    {"erg", "ergo", "Эрг"},
    {"mts", "mantis", "Богомол"},
    {"crs", "crusher", "Крушитель"},
    {"crm", "little crusher", "Малый крушитель"},
    {"cdv", "cage", "Клетка"},
    {"hst", "hostage", "Заложник"},
    {"col", "lab assistant", "Лаборант"},
    {"fgh", "warrior", "Воин"},
    {"sha", "shaman", "Шаман"},
    {"pjm", "psi-jammer", "Пси-глушитель"},
    {"rjm", "jammer", "Глушитель"},
    {"rng", "ranger", "Рейнджер"},
    {"unknown", "unknown", "Неизвестный"},
};

#define TZR_REFERENCE_TABLES                                                                                \
  "CREATE TABLE monster_kinds (kind TEXT PRIMARY KEY, name_en TEXT NOT NULL, name_ru TEXT NOT NULL);"       \
  "CREATE TABLE map_templates (map_id TEXT PRIMARY KEY, map_rows TEXT NOT NULL, row_count INTEGER NOT NULL," \
  " checksum TEXT NOT NULL, first_battle_id BIGINT NOT NULL, first_seen_ts BIGINT);"                    \
  "CREATE INDEX map_templates_first ON map_templates(first_battle_id);"                                      \
  "CREATE TABLE item_names (item_id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"      \
  " first_battle_id BIGINT NOT NULL);"

const std::string& reference_sql() {
  static const std::string sql = [] {
    std::string s = TZR_REFERENCE_TABLES "INSERT INTO monster_kinds (kind, name_en, name_ru) VALUES ";
    for (std::size_t i = 0; i < kMonsterKinds.size(); ++i) {
      const auto& k = kMonsterKinds[i];  // no quotes in the names: spliced as they are
      s += (i ? ",('" : "('") + std::string(k.kind) + "','" + std::string(k.name_en) + "','" + std::string(k.name_ru) + "')";
    }
    return s + ";";
  }();
  return sql;
}

#undef TZR_REFERENCE_TABLES

std::string loot_kind_text(LootKind k) {
  return k == LootKind::resource ? "resource" : k == LootKind::monster_part ? "monster_part" : "other";
}

// Which of these keys the table already holds (chunks of 500).
template <class T>
Result<std::set<T>> existing_keys(storage::Session& s, const std::string& select_where, const std::vector<T>& keys) {
  std::set<T> out;
  for (std::size_t start = 0; start < keys.size(); start += 500) {
    const std::size_t end = std::min(keys.size(), start + 500);
    std::string sql = select_where + " IN (";
    std::vector<Value> params;
    for (std::size_t i = start; i < end; ++i) {
      sql += i == start ? "?" : ",?";
      params.push_back(Value{keys[i]});
    }
    auto r = s.query(sql + ")", params);
    if (!r) return r.error();
    for (const auto& row : r->rows) {
      if constexpr (std::is_same_v<T, std::string>) out.insert(row.text(0));
      else out.insert(row.integer(0));
    }
  }
  return out;
}

std::string joined_rows(const std::vector<std::string>& rows) {
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) out += '\n';
    out += rows[i];
  }
  return out;
}

Status record_maps(storage::Session& s, const std::vector<const IngestItem*>& battles) {
  std::map<std::string, const BattleLog*> first;  // map id → its earliest battle in the batch
  for (const auto* it : battles) {
    const auto& log = it->outcome.log;
    if (log.battle.map_id.empty() || log.battle.map_rows.empty()) continue;
    auto [at, fresh] = first.emplace(log.battle.map_id, &log);
    if (!fresh && log.battle.id < at->second->battle.id) at->second = &log;
  }
  if (first.empty()) return {};
  std::vector<std::string> ids;
  for (const auto& [id, log] : first) ids.push_back(id);
  auto known = existing_keys(s, "SELECT map_id FROM map_templates WHERE map_id", ids);
  if (!known) return known.error();
  const std::string insert = "INSERT INTO map_templates (map_id, map_rows, row_count, checksum, first_battle_id, first_seen_ts)"
                             " VALUES (?, ?, ?, ?, ?, ?)" +
                             storage::ignore_duplicates_tail(s.dialect(), "map_id", "map_id");
  for (const auto& [id, log] : first) {
    if (known->contains(id)) continue;
    const std::string rows = joined_rows(log->battle.map_rows);
    const Value row[] = {Value{id},
                         Value{rows},
                         Value{static_cast<std::int64_t>(log->battle.map_rows.size())},
                         Value{crypto::sha256_hex(rows)},
                         Value{log->battle.id},
                         log->battle.ts ? Value{*log->battle.ts} : storage::null()};
    if (auto r = s.query(insert, row); !r) return r.error();
  }
  return {};
}

Status record_item_names(storage::Session& s, const std::vector<const IngestItem*>& battles) {
  std::map<std::int64_t, std::pair<std::string, std::int64_t>> seen;  // id → (name, first battle)
  for (const auto* it : battles)
    for (const auto& p : it->outcome.log.participants)
      for (const auto* list : {&p.loot.resources, &p.loot.monster_parts, &p.loot.other})
        for (const auto& l : *list) seen.emplace(item_id_of(l.name), std::make_pair(l.name, it->outcome.log.battle.id));
  if (seen.empty()) return {};
  std::vector<std::int64_t> ids;
  for (const auto& [id, v] : seen) ids.push_back(id);
  auto known = existing_keys(s, "SELECT item_id FROM item_names WHERE item_id", ids);
  if (!known) return known.error();
  const std::string insert = "INSERT INTO item_names (item_id, name, kind, first_battle_id) VALUES (?, ?, ?, ?)" +
                             storage::ignore_duplicates_tail(s.dialect(), "item_id", "item_id");
  for (const auto& [id, v] : seen) {
    if (known->contains(id)) continue;
    const Value row[] = {Value{id}, Value{v.first}, Value{loot_kind_text(loot_kind(v.first))}, Value{v.second}};
    if (auto r = s.query(insert, row); !r) return r.error();
  }
  return {};
}

}  // namespace

const std::vector<MonsterKindName>& monster_kind_names() { return kMonsterKinds; }

std::int64_t item_id_of(std::string_view item_name) {
  const std::string hex = crypto::sha256_hex(item_name);
  return static_cast<std::int64_t>(std::stoull(hex.substr(0, 16), nullptr, 16) >> 1);
}

storage::Migration reference_data_migration() {
  return {320, "battle_reference_data", reference_sql(), "", ""};
}

Status record_reference_data(storage::Session& s, const std::vector<const IngestItem*>& battles) {
  if (auto st = record_maps(s, battles); !st) return st;
  return record_item_names(s, battles);
}

Result<std::optional<MapTemplate>> read_map_template(storage::Database& db, std::string_view map_id) {
  auto r = db.query("SELECT map_id, map_rows, checksum, first_battle_id, first_seen_ts FROM map_templates WHERE map_id = ?",
                    std::vector<Value>{Value{std::string(map_id)}});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<MapTemplate>{};
  const auto& row = r->rows[0];
  MapTemplate m{row.text(0), {}, row.text(2), row.integer(3), row.opt_integer(4)};
  const std::string rows = row.text(1);
  for (std::size_t start = 0;;) {
    const auto nl = rows.find('\n', start);
    m.rows.push_back(rows.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return std::optional<MapTemplate>{std::move(m)};
}

Result<std::vector<boost::json::object>> list_map_templates(storage::Database& db, int limit) {
  auto r = db.query("SELECT map_id, row_count, first_battle_id, first_seen_ts FROM map_templates ORDER BY first_battle_id DESC, map_id LIMIT ?",
                    std::vector<Value>{Value{std::int64_t{limit}}});
  if (!r) return r.error();
  std::vector<boost::json::object> out;
  for (const auto& row : r->rows) {
    const auto seen = row.opt_integer(3);
    out.push_back(boost::json::object{{"map_id", row.text(0)}, {"rows", row.integer(1)}, {"first_battle_id", row.integer(2)},
                                      {"first_seen_ts", seen ? boost::json::value(*seen) : boost::json::value(nullptr)}});
  }
  return out;
}

Result<std::vector<boost::json::object>> list_item_names(storage::Database& db, int limit) {
  auto r = db.query("SELECT item_id, name, kind, first_battle_id FROM item_names ORDER BY name LIMIT ?",
                    std::vector<Value>{Value{std::int64_t{limit}}});
  if (!r) return r.error();
  std::vector<boost::json::object> out;
  for (const auto& row : r->rows)
    out.push_back(boost::json::object{
        {"item_id", row.integer(0)}, {"name", row.text(1)}, {"kind", row.text(2)}, {"first_battle_id", row.integer(3)}});
  return out;
}

Result<boost::json::object> monster_kind_stats(storage::Database& db, std::string_view kind) {
  const std::string k(kind);
  auto r = db.query("SELECT COUNT(DISTINCT battle_id), COALESCE(SUM(count), 0), MIN(min_level), MAX(max_level) FROM battle_monsters"
                    " WHERE kind = ? OR kind = ?",
                    std::vector<Value>{Value{k}, Value{k + "_spec"}});
  if (!r) return r.error();
  const auto& row = r->rows.at(0);
  const auto lo = row.opt_integer(2), hi = row.opt_integer(3);
  return boost::json::object{{"battles", row.integer(0)},
                             {"monsters", row.integer(1)},
                             {"min_level", lo ? boost::json::value(*lo) : boost::json::value(nullptr)},
                             {"max_level", hi ? boost::json::value(*hi) : boost::json::value(nullptr)}};
}

}  // namespace tzr::battles
