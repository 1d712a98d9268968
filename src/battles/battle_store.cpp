#include "battles/battle_store.hpp"

#include "battles/model_json.hpp"
#include "battles/observability.hpp"
#include "battles/reference_data.hpp"
#include "core/utf8.hpp"
#include "storage/dialect_sql.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <map>
#include <unordered_map>

namespace tzr::battles {
namespace {

using storage::Value;

Value v(std::int64_t x) { return Value{x}; }
Value v(const std::string& s) { return Value{s}; }
Value v(std::string_view s) { return Value{std::string(s)}; }
Value v(double d) { return Value{d}; }
Value opt(const std::optional<std::int64_t>& x) { return x ? Value{*x} : storage::null(); }
Value opt(const std::optional<std::string>& s) { return s ? Value{*s} : storage::null(); }

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A multi-row INSERT that flushes before the statement would hold too many parameters.
class RowInserter {
 public:
  RowInserter(storage::Session& s, std::string head, std::size_t columns, std::string tail = {})
      : s_(s), head_(std::move(head)), tail_(std::move(tail)), columns_(columns) {
    std::string one = "(";
    for (std::size_t i = 0; i < columns; ++i) one += i ? ",?" : "?";
    one_ = one + ")";
  }
  Status add(std::vector<Value> row) {
    for (auto& x : row) params_.push_back(std::move(x));
    ++rows_;
    // SQLite runs one cached single-row statement per row: with no round trips to save, a
    // multi-row statement only costs its preparation (new SQL text for every row count).
    if (s_.dialect() == storage::Dialect::sqlite || params_.size() + columns_ > kMaxParams) return flush();
    return {};
  }
  Status flush() {
    if (rows_ == 0) return {};
    std::string sql = head_;
    sql.reserve(head_.size() + rows_ * (one_.size() + 1) + tail_.size());
    for (std::size_t i = 0; i < rows_; ++i) {
      if (i) sql += ',';
      sql += one_;
    }
    sql += tail_;
    auto r = s_.query(sql, params_);
    params_.clear();
    rows_ = 0;
    if (!r) return r.error();
    return {};
  }

 private:
  static constexpr std::size_t kMaxParams = 8000;
  storage::Session& s_;
  std::string head_, tail_, one_;
  std::size_t columns_;
  std::vector<Value> params_;
  std::size_t rows_ = 0;
};

// SELECT … WHERE col IN (…) in chunks; calls on_row for every row. On a Session (inside a
// transaction) or on the Database (plain reads).
template <class Queryable, class T, class F>
Status select_in(Queryable& s, const std::string& head, const std::string& tail, const std::vector<T>& keys, F on_row) {
  for (std::size_t start = 0; start < keys.size(); start += 900) {
    const std::size_t end = std::min(keys.size(), start + 900);
    std::string sql = head + " IN (";
    std::vector<Value> params;
    for (std::size_t i = start; i < end; ++i) {
      sql += i == start ? "?" : ",?";
      params.push_back(Value{keys[i]});
    }
    sql += ")" + tail;
    auto r = s.query(sql, params);
    if (!r) return r.error();
    for (const auto& row : r->rows) on_row(row);
  }
  return {};
}

std::string loot_kind_name(LootKind k) {
  return k == LootKind::resource ? "resource" : k == LootKind::monster_part ? "monster_part" : "other";
}

Status insert_children(storage::Session& s, const std::vector<const IngestItem*>& winners) {
  RowInserter parts(s,
                    "INSERT INTO battle_participants (battle_id, login, login_key, clan, side, profession, level, gender,"
                    " rank_points, pve_points, survived, kills_monsters, kills_players, damage_monsters, damage_players,"
                    " healing, intervened_turn, ts) VALUES ",
                    18);
  RowInserter monsters(s, "INSERT INTO battle_monsters (battle_id, kind, spec, side, count, min_level, max_level) VALUES ", 7);
  RowInserter loot(s, "INSERT INTO battle_loot (battle_id, login, battle_ts, kind, item_name, qty) VALUES ", 6);
  for (const auto* item : winners) {
    const auto& log = item->outcome.log;
    const std::int64_t id = log.battle.id;
    for (const auto& p : log.participants) {
      auto st = parts.add({v(id), v(p.login), v(login_key(p.login)), opt(p.clan), v(std::int64_t{p.side}),
                           v(std::int64_t{p.profession}), v(std::int64_t{p.level}), v(std::int64_t{p.gender}), v(p.rank_points),
                           v(p.pve_points), v(std::int64_t{p.survived}), v(p.kills_monsters), v(p.kills_players),
                           v(p.damage_monsters.hp), v(p.damage_players.hp), v(p.healing),
                           p.intervened_turn ? v(std::int64_t{*p.intervened_turn}) : storage::null(), opt(log.battle.ts)});
      if (!st) return st;
      for (const auto* list : {&p.loot.resources, &p.loot.monster_parts, &p.loot.other})
        for (const auto& l : *list) {
          if (auto st2 = loot.add({v(id), v(p.login), opt(log.battle.ts), v(loot_kind_name(loot_kind(l.name))), v(l.name), v(l.qty)}); !st2)
            return st2;
        }
    }
    for (const auto& m : log.monsters) {
      auto st = monsters.add({v(id), v(m.kind), v(m.spec.value_or("")), v(std::int64_t{m.side}), v(m.count),
                              v(std::int64_t{m.min_level}), v(std::int64_t{m.max_level})});
      if (!st) return st;
    }
  }
  if (auto st = parts.flush(); !st) return st;
  if (auto st = monsters.flush(); !st) return st;
  return loot.flush();
}

Status insert_battles(storage::Session& s, const std::vector<const IngestItem*>& winners, std::int64_t now) {
  RowInserter battles(s,
                      "INSERT INTO battles (battle_id, ts, start_ts, turns, battle_type, loc_x, loc_y, map_id, players_cnt,"
                      " monsters_cnt, has_pvp, has_monsters, duplicated, complete, content_sha256, canonical_sha256,"
                      " size_bytes, parser_version, data, ingested_at) VALUES ",
                      20);
  for (const auto* it : winners) {
    const auto& out = it->outcome;
    const auto& b = out.log.battle;
    auto st = battles.add({v(b.id), opt(b.ts), opt(b.start_ts), v(std::int64_t{b.turns}), opt(b.battle_type), v(b.loc_x), v(b.loc_y),
                           v(b.map_id), v(out.log.players_cnt()), v(out.log.monsters_cnt()), v(std::int64_t{b.has_pvp}),
                           v(std::int64_t{b.has_monsters}), v(std::int64_t{b.duplicated}), v(std::int64_t{out.ok()}),
                           v(out.source.sha256), v(out.source.canonical_sha256), v(out.source.size_bytes),
                           v(std::int64_t{out.parser_version}), v(boost::json::serialize(model_json(out, false))), v(now)});
    if (!st) return st;
  }
  return battles.flush();
}

}  // namespace

std::string_view ingest_status_name(IngestStatus s) {
  switch (s) {
    case IngestStatus::stored: return "stored";
    case IngestStatus::replaced: return "replaced";
    case IngestStatus::duplicate: return "duplicate";
    case IngestStatus::kept: return "kept";
    default: return "failed";
  }
}

std::string login_key(std::string_view login) {
  std::vector<char32_t> cps;
  if (!utf8::decode(login, cps)) return std::string(login);
  std::string out;
  for (char32_t c : cps) {
    if (c >= U'A' && c <= U'Z') c += 32;
    else if (c >= U'А' && c <= U'Я') c += 32;
    else if (c == U'Ё' || c == U'ё') c = U'е';
    utf8::append(out, c);
  }
  return out;
}

Status BattleStore::write_reparsed(const IngestItem& item) {
  const std::int64_t id = item.outcome.log.battle.id;
  if (id <= 0) return Error::make(ErrorKind::unprocessable, "reparse_failed", "the stored log no longer yields a battle");
  return db_.transaction([&](storage::Session& s) -> Status {
    const std::vector<std::int64_t> ids{id};
    for (const char* table : {"battles", "battle_participants", "battle_monsters", "battle_loot"}) {
      auto st = select_in(s, std::string("DELETE FROM ") + table + " WHERE battle_id", "", ids, [](const storage::Row&) {});
      if (!st) return st;
    }
    const std::vector<const IngestItem*> one{&item};
    if (auto st = insert_battles(s, one, now_s()); !st) return st;
    return insert_children(s, one);
  });
}

Result<std::unordered_set<std::string>> BattleStore::known_contents(const std::vector<std::string>& shas) {
  std::unordered_set<std::string> out;
  // Plain reads, not a transaction: on SQLite a transaction takes the one writer, so the next
  // batch's parse would wait for this batch's commit. A hint only: write_batch checks again.
  auto st = select_in(db_, "SELECT content_sha256 FROM battle_ingest_log WHERE status <> 'duplicate' AND content_sha256", "", shas,
                      [&out](const storage::Row& r) { out.insert(r.text(0)); });
  if (!st) return st.error();
  return out;
}

Result<std::vector<IngestRecord>> BattleStore::write_batch(const std::vector<IngestItem>& items) {
  std::vector<IngestRecord> records;
  const auto started = std::chrono::steady_clock::now();
  auto body = [&](storage::Session& s) -> Status {
    records.assign(items.size(), IngestRecord{});
    if (s.dialect() == storage::Dialect::sqlite) {
      // A batch touches pages of six tables and their indexes; SQLite's default 2 MB page cache
      // made it re-read and re-write the same pages within one transaction.
      if (auto r = s.query("PRAGMA cache_size = -65536"); !r) return r.error();
    }
    std::vector<std::string> shas;
    for (const auto& it : items) shas.push_back(it.outcome.source.sha256);
    std::unordered_set<std::string> known;
    if (auto st = select_in(s, "SELECT content_sha256 FROM battle_ingest_log WHERE status <> 'duplicate' AND content_sha256", "",
                            shas, [&known](const storage::Row& r) { known.insert(r.text(0)); });
        !st)
      return st;
    std::vector<std::int64_t> ids;
    for (const auto& it : items)
      if (it.outcome.has_battle()) ids.push_back(it.outcome.log.battle.id);
    std::unordered_map<std::int64_t, bool> existing;  // id → complete
    if (auto st = select_in(s, "SELECT battle_id, complete FROM battles WHERE battle_id", "", ids,
                            [&existing](const storage::Row& r) { existing[r.integer(0)] = r.integer(1) != 0; });
        !st)
      return st;

    std::map<std::int64_t, std::size_t> winner;  // battle id → item index
    std::vector<std::int64_t> replaced_ids;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto& out = items[i].outcome;
      auto& rec = records[i];
      rec.battle_id = out.log.battle.id;
      rec.error_code = out.error;
      rec.error_message = out.message;
      if (!known.insert(out.source.sha256).second) {
        rec.status = IngestStatus::duplicate;
        continue;
      }
      if (!out.has_battle() || !out.ok()) {
        rec.status = IngestStatus::failed;  // a damaged log is recorded with its reason, not stored half
        continue;
      }
      const std::int64_t id = out.log.battle.id;
      std::optional<bool> before;
      if (auto w = winner.find(id); w != winner.end()) before = items[w->second].outcome.ok();
      else if (auto e = existing.find(id); e != existing.end()) before = e->second;
      if (before && *before && !out.ok()) {
        rec.status = IngestStatus::kept;  // a damaged copy never replaces a complete one
        continue;
      }
      if (before) {
        rec.status = IngestStatus::replaced;
        if (existing.count(id) && !winner.count(id)) replaced_ids.push_back(id);
      } else {
        rec.status = IngestStatus::stored;
      }
      winner[id] = i;
    }
    std::vector<std::string> duplicate_shas;
    for (std::size_t i = 0; i < items.size(); ++i)
      if (records[i].status == IngestStatus::duplicate && records[i].battle_id == 0) duplicate_shas.push_back(items[i].outcome.source.sha256);
    if (!duplicate_shas.empty()) {
      std::unordered_map<std::string, std::int64_t> by_content;
      auto st = select_in(s, "SELECT content_sha256, battle_id FROM battles WHERE content_sha256", "", duplicate_shas,
                          [&by_content](const storage::Row& r) { by_content[r.text(0)] = r.integer(1); });
      if (!st) return st;
      for (std::size_t i = 0; i < items.size(); ++i)
        if (records[i].status == IngestStatus::duplicate && records[i].battle_id == 0)
          if (auto f = by_content.find(items[i].outcome.source.sha256); f != by_content.end()) records[i].battle_id = f->second;
    }
    if (!replaced_ids.empty()) {
      for (const char* table : {"battles", "battle_participants", "battle_monsters", "battle_loot"}) {
        auto st = select_in(s, std::string("DELETE FROM ") + table + " WHERE battle_id", "", replaced_ids, [](const storage::Row&) {});
        if (!st) return st;
      }
    }
    std::vector<const IngestItem*> winners;
    const std::int64_t now = now_s();
    std::map<std::string, PlayerMatch> players;
    for (const auto& [id, index] : winner) {
      const auto& out = items[index].outcome;
      winners.push_back(&items[index]);
      if (records[index].status != IngestStatus::stored) continue;
      for (const auto& p : out.log.participants) {
        auto& m = players[login_key(p.login)];
        m.login = p.login;
        ++m.battles;
        if (out.log.battle.ts && (!m.last_ts || *out.log.battle.ts > *m.last_ts)) m.last_ts = out.log.battle.ts;
      }
    }
    if (auto st = insert_battles(s, winners, now); !st) return st;
    if (auto st = insert_children(s, winners); !st) return st;
    if (auto st = record_reference_data(s, winners); !st) return st;
    RowInserter upsert_players(s, "INSERT INTO battle_players (login_key, login, battles, last_ts) VALUES ", 4,
                               storage::upsert_tail(s.dialect(), "login_key",
                                                    "battles = battle_players.battles + excluded.battles,"
                                                    " last_ts = CASE WHEN battle_players.last_ts IS NULL OR excluded.last_ts > battle_players.last_ts"
                                                    " THEN excluded.last_ts ELSE battle_players.last_ts END"));
    for (const auto& [key, m] : players)
      if (auto st = upsert_players.add({v(key), v(m.login), v(m.battles), opt(m.last_ts)}); !st) return st;
    if (auto st = upsert_players.flush(); !st) return st;

    const auto store_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count() /
                          static_cast<std::int64_t>(std::max<std::size_t>(1, items.size()));
    RowInserter raw(s, "INSERT INTO battle_raw (content_sha256, pack, byte_offset, length) VALUES ", 4,
                    storage::ignore_duplicates_tail(s.dialect(), "content_sha256", "content_sha256"));
    std::unordered_set<std::string> indexed;
    for (const auto& it : items)
      if (it.raw && indexed.insert(it.outcome.source.sha256).second)
        if (auto st = raw.add({v(it.outcome.source.sha256), v(it.raw->pack), v(it.raw->offset), v(it.raw->length)}); !st) return st;
    if (auto st = raw.flush(); !st) return st;
    RowInserter log(s,
                    "INSERT INTO battle_ingest_log (at, source, name, content_sha256, battle_id, status, error_code,"
                    " error_message, parser_version, size_bytes, parse_us, store_us) VALUES ",
                    12);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto& it = items[i];
      const auto& rec = records[i];
      auto st = log.add({v(now), v(it.source), v(it.name.substr(0, 512)), v(it.outcome.source.sha256),
                         rec.battle_id > 0 ? v(rec.battle_id) : storage::null(), v(ingest_status_name(rec.status)),
                         rec.error_code.empty() ? storage::null() : v(rec.error_code),
                         rec.error_message.empty() ? storage::null() : v(rec.error_message.substr(0, 1000)),
                         v(std::int64_t{it.outcome.parser_version}), v(it.outcome.source.size_bytes), v(it.parse_us), v(store_us)});
      if (!st) return st;
    }
    if (auto st = log.flush(); !st) return st;
    // Last, so that an observer's locks are taken after every row of this batch.
    if (!observer_) return {};
    std::vector<const BattleLog*> fresh;
    for (const auto& [id, index] : winner)
      if (!existing.count(id)) fresh.push_back(&items[index].outcome.log);
    if (fresh.empty()) return {};
    return observer_->on_batch(s, fresh);
  };
  if (auto st = db_.transaction(body); !st) return st.error();
  if (metrics_) metrics_->record(items, records);
  return records;
}

}  // namespace tzr::battles
