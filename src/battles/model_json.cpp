#include "battles/model_json.hpp"

#include "battles/hp_grammar.hpp"
#include "core/time_format.hpp"

#include <ctime>

namespace tzr::battles {
namespace json = boost::json;
namespace {

constexpr std::pair<std::string_view, std::string_view> kCategories[] = {
    {"O", "Poison"}, {"P", "Paralysis"}, {"N", "Panic"}, {"H", "Hallucinations"}, {"Z", "Zombification"}};

json::value opt_str(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value opt_int(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object compat_damage(const Damage& d) {
  json::object o{{"HP", d.hp}};
  if (d.critical > 0) o["critical"] = d.critical;
  if (d.piercing > 0) o["piercing"] = d.piercing;
  for (const auto& [code, name] : kCategories)
    if (auto it = d.status.find(std::string(code)); it != d.status.end() && it->second > 0) o[name] = it->second;
  return o;
}

json::object loot_json(const Loot& l) {
  json::array res, parts, other;
  for (const auto& x : l.resources) res.push_back(json::object{{"name", x.name}, {"qty", x.qty}});
  for (const auto& x : l.monster_parts) parts.push_back(json::object{{"name", x.name}, {"qty", x.qty}});
  for (const auto& x : l.other) other.push_back(json::object{{"item_id", nullptr}, {"item_name", x.name}, {"qty", x.qty}});
  return json::object{{"resources", std::move(res)}, {"monster_parts", std::move(parts)}, {"other", std::move(other)}};
}

json::object damage_json(const Damage& d) {
  json::object status;
  for (const auto& [code, amount] : d.status) status[code] = amount;
  return json::object{{"hp", d.hp}, {"piercing", d.piercing}, {"critical", d.critical}, {"status", std::move(status)}};
}

json::array monsters_json(const std::vector<MonsterGroup>& ms) {
  json::array out;
  for (const auto& m : ms)
    out.push_back(json::object{{"kind", m.kind}, {"spec", opt_str(m.spec)}, {"side", m.side}, {"count", m.count},
                               {"min_level", m.min_level}, {"max_level", m.max_level}});
  return out;
}

// Strict readers for from_*_json: a missing or mistyped field is an error naming the field.
struct Reader {
  std::string error;
  const json::value* at(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end()) {
      if (error.empty()) error = "missing field " + std::string(key);
      return nullptr;
    }
    return &it->value();
  }
  std::int64_t integer(const json::object& o, std::string_view key) {
    auto* v = at(o, key);
    if (v && v->is_int64()) return v->as_int64();
    if (v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    if (v && error.empty()) error = "field " + std::string(key) + " is not an integer";
    return 0;
  }
  double number(const json::object& o, std::string_view key) {
    auto* v = at(o, key);
    if (v && v->is_double()) return v->as_double();
    if (v && v->is_int64()) return static_cast<double>(v->as_int64());
    if (v && error.empty()) error = "field " + std::string(key) + " is not a number";
    return 0;
  }
  std::string str(const json::object& o, std::string_view key) {
    auto* v = at(o, key);
    if (v && v->is_string()) return std::string(v->as_string());
    if (v && error.empty()) error = "field " + std::string(key) + " is not a string";
    return {};
  }
  std::optional<std::string> opt_str(const json::object& o, std::string_view key) {
    auto* v = at(o, key);
    if (!v || v->is_null()) return std::nullopt;
    return str(o, key);
  }
  std::optional<std::int64_t> opt_int(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    return integer(o, key);
  }
  bool boolean(const json::object& o, std::string_view key) {
    auto* v = at(o, key);
    if (v && v->is_bool()) return v->as_bool();
    if (v && v->is_int64()) return v->as_int64() != 0;
    if (v && error.empty()) error = "field " + std::string(key) + " is not a boolean";
    return false;
  }
  const json::object& obj(const json::object& o, std::string_view key) {
    static const json::object empty;
    auto* v = at(o, key);
    if (v && v->is_object()) return v->as_object();
    if (v && error.empty()) error = "field " + std::string(key) + " is not an object";
    return empty;
  }
  const json::array& arr(const json::object& o, std::string_view key) {
    static const json::array empty;
    auto* v = at(o, key);
    if (v && v->is_array()) return v->as_array();
    if (v && error.empty()) error = "field " + std::string(key) + " is not an array";
    return empty;
  }
};

Loot read_loot(Reader& r, const json::object& o) {
  Loot l;
  for (const auto& x : r.arr(o, "resources")) l.resources.push_back({r.str(x.as_object(), "name"), r.integer(x.as_object(), "qty")});
  for (const auto& x : r.arr(o, "monster_parts"))
    l.monster_parts.push_back({r.str(x.as_object(), "name"), r.integer(x.as_object(), "qty")});
  for (const auto& x : r.arr(o, "other")) {
    const auto& xo = x.as_object();
    l.other.push_back({xo.contains("item_name") ? r.str(xo, "item_name") : r.str(xo, "name"), r.integer(xo, "qty")});
  }
  return l;
}

Damage read_compat_damage(Reader& r, const json::object& o) {
  Damage d;
  d.hp = r.integer(o, "HP");
  if (o.contains("critical")) d.critical = r.integer(o, "critical");
  if (o.contains("piercing")) d.piercing = r.integer(o, "piercing");
  for (const auto& [code, name] : kCategories)
    if (o.contains(name)) d.status[std::string(code)] = r.integer(o, name);
  return d;
}

Damage read_damage(Reader& r, const json::object& o) {
  Damage d;
  d.hp = r.integer(o, "hp");
  d.piercing = r.integer(o, "piercing");
  d.critical = r.integer(o, "critical");
  for (const auto& [k, v] : r.obj(o, "status")) d.status[std::string(k)] = v.is_int64() ? v.as_int64() : 0;
  return d;
}

std::vector<MonsterGroup> read_monsters(Reader& r, const json::array& a) {
  std::vector<MonsterGroup> out;
  for (const auto& x : a) {
    const auto& o = x.as_object();
    out.push_back(MonsterGroup{r.str(o, "kind"), r.opt_str(o, "spec"), static_cast<int>(r.integer(o, "side")), r.integer(o, "count"),
                               static_cast<int>(r.integer(o, "min_level")), static_cast<int>(r.integer(o, "max_level"))});
  }
  return out;
}

std::optional<std::int64_t> parse_iso(std::string_view s) {
  std::tm tm{};
  if (s.size() < 20 || s[4] != '-' || s[10] != 'T') return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) { return std::stoi(std::string(s.substr(pos, len))); };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

json::object compat_json(const ParseOutcome& out) {
  const auto& b = out.log.battle;
  json::object map_patch;
  if (!b.map_id.empty()) {
    map_patch["i"] = b.map_id;
    map_patch["cs"] = "blake2s8:" + b.map_id.substr(2);
  }
  json::object battle{{"id", b.id},
                      {"ts", b.ts ? json::value(iso_utc(*b.ts)) : json::value(nullptr)},
                      {"size_bytes", out.source.size_bytes},
                      {"sha256", out.source.sha256},
                      {"storage_key", out.source.storage_key},
                      {"compressed", out.source.compressed},
                      {"turns", b.turns},
                      {"battle_type", opt_str(b.battle_type)},
                      {"loc", json::object{{"x", b.loc_x}, {"y", b.loc_y}}},
                      {"start_ts_unix", opt_int(b.start_ts)},
                      {"players_cnt", out.log.players_cnt()},
                      {"monsters_cnt", out.log.monsters_cnt()},
                      {"entities_cnt", out.log.players_cnt() + out.log.monsters_cnt()},
                      {"data", nullptr},
                      {"map_patch", std::move(map_patch)}};
  json::array participants;
  for (const auto& p : out.log.participants) {
    json::object intervened{{"state", p.intervened_turn ? 1 : 0}};
    if (p.intervened_turn) intervened["turn"] = *p.intervened_turn;
    participants.push_back(json::object{
        {"login", p.login}, {"clan", opt_str(p.clan)}, {"profession", p.profession}, {"side", p.side},
        {"rank_points", p.rank_points}, {"pve_points", p.pve_points}, {"level", p.level}, {"gender", p.gender},
        {"survived", p.survived ? 1 : 0}, {"intervened", std::move(intervened)},
        {"kills", json::object{{"monsters", p.kills_monsters}, {"players", p.kills_players}}},
        {"damage_total", json::object{{"monsters", compat_damage(p.damage_monsters)}, {"players", compat_damage(p.damage_players)}}},
        {"loot", loot_json(p.loot)}});
  }
  return json::object{{"battle", std::move(battle)},
                      {"participants", std::move(participants)},
                      {"monsters", monsters_json(out.log.monsters)},
                      {"loot_total", loot_json(out.log.loot_total)}};
}

json::object model_json(const ParseOutcome& out, bool with_events) {
  const auto& b = out.log.battle;
  json::array rows;
  for (const auto& r : b.map_rows) rows.push_back(json::value(r));
  json::object battle{{"id", b.id},
                      {"ts", b.ts ? json::value(iso_utc(*b.ts)) : json::value(nullptr)},
                      {"ts_unix", opt_int(b.ts)},
                      {"start_ts_unix", opt_int(b.start_ts)},
                      {"turns", b.turns},
                      {"battle_type", opt_str(b.battle_type)},
                      {"loc", json::object{{"x", b.loc_x}, {"y", b.loc_y}}},
                      {"map", json::object{{"id", b.map_id}, {"rows", std::move(rows)}}},
                      {"duplicated", b.duplicated},
                      {"duplicate_identical", b.duplicate_identical},
                      {"has_pvp", b.has_pvp},
                      {"has_monsters", b.has_monsters},
                      {"players_cnt", out.log.players_cnt()},
                      {"monsters_cnt", out.log.monsters_cnt()},
                      {"entities_cnt", out.log.players_cnt() + out.log.monsters_cnt()}};
  json::object source{{"size_bytes", out.source.size_bytes}, {"sha256", out.source.sha256},
                      {"canonical_sha256", out.source.canonical_sha256}, {"compressed", out.source.compressed},
                      {"storage_key", out.source.storage_key}};
  json::array participants;
  for (const auto& p : out.log.participants) {
    json::object intervened{{"state", p.intervened ? 1 : 0}, {"turn", p.intervened_turn ? json::value(*p.intervened_turn) : json::value(nullptr)}};
    participants.push_back(json::object{
        {"login", p.login}, {"clan", opt_str(p.clan)}, {"profession", p.profession}, {"side", p.side},
        {"rank_points", p.rank_points}, {"pve_points", p.pve_points}, {"level", p.level}, {"gender", p.gender},
        {"survived", p.survived}, {"escaped", p.escaped}, {"deaths", p.deaths}, {"intervened", std::move(intervened)},
        {"kills", json::object{{"monsters", p.kills_monsters}, {"players", p.kills_players}}},
        {"damage", json::object{{"monsters", damage_json(p.damage_monsters)}, {"players", damage_json(p.damage_players)}}},
        {"healing", p.healing}, {"loot", loot_json(p.loot)}});
  }
  json::object o{{"parser_version", out.parser_version},
                 {"battle", std::move(battle)},
                 {"source", std::move(source)},
                 {"participants", std::move(participants)},
                 {"monsters", monsters_json(out.log.monsters)},
                 {"loot_total", loot_json(out.log.loot_total)}};
  if (!out.error.empty()) o["error"] = json::object{{"code", out.error}, {"message", out.message}};
  if (with_events) {
    json::array events;
    events.reserve(out.log.events.size());
    for (const auto& e : out.log.events) {
      json::object x{{"turn", e.turn}, {"sf", e.sf}, {"actor", e.actor}, {"t", e.t}};
      auto put = [&x](std::string_view k, const std::string& v) { if (!v.empty()) x[k] = v; };
      auto put_n = [&x](std::string_view k, std::int64_t v) { if (v != 0) x[k] = v; };
      put("type", e.type);
      put("target", e.target);
      put("xy", e.xy);
      put("hp", e.hp);
      put_n("piercing", e.piercing);
      put_n("normal", e.normal);
      put_n("critical", e.critical);
      put("status_code", e.status_code);
      put_n("status_amount", e.status_amount);
      put_n("heal", e.heal);
      put("item_id", e.item_id);
      put("item_name", e.item_name);
      put_n("count", e.count);
      put_n("run", e.run);
      put("code", e.code);
      events.push_back(std::move(x));
    }
    o["events"] = std::move(events);
  }
  return o;
}

Result<ParseOutcome> from_model_json(const json::value& v) {
  if (!v.is_object()) return Error::bad_request("battle JSON must be an object", "invalid_battle_json");
  const auto& o = v.as_object();
  Reader r;
  ParseOutcome out;
  out.parser_version = static_cast<int>(r.integer(o, "parser_version"));
  const auto& b = r.obj(o, "battle");
  auto& h = out.log.battle;
  h.id = r.integer(b, "id");
  h.ts = r.opt_int(b, "ts_unix");
  h.start_ts = r.opt_int(b, "start_ts_unix");
  h.turns = static_cast<int>(r.integer(b, "turns"));
  h.battle_type = r.opt_str(b, "battle_type");
  const auto& loc = r.obj(b, "loc");
  h.loc_x = r.integer(loc, "x");
  h.loc_y = r.integer(loc, "y");
  const auto& map = r.obj(b, "map");
  h.map_id = r.str(map, "id");
  for (const auto& row : r.arr(map, "rows")) h.map_rows.emplace_back(row.is_string() ? row.as_string() : "");
  h.duplicated = r.boolean(b, "duplicated");
  h.duplicate_identical = r.boolean(b, "duplicate_identical");
  h.has_pvp = r.boolean(b, "has_pvp");
  h.has_monsters = r.boolean(b, "has_monsters");
  const auto& s = r.obj(o, "source");
  out.source = SourceInfo{r.integer(s, "size_bytes"), r.str(s, "sha256"), r.str(s, "canonical_sha256"), r.boolean(s, "compressed"),
                          r.str(s, "storage_key")};
  for (const auto& pv : r.arr(o, "participants")) {
    const auto& po = pv.as_object();
    Participant p;
    p.login = r.str(po, "login");
    p.clan = r.opt_str(po, "clan");
    p.profession = static_cast<int>(r.integer(po, "profession"));
    p.side = static_cast<int>(r.integer(po, "side"));
    p.rank_points = r.number(po, "rank_points");
    p.pve_points = r.integer(po, "pve_points");
    p.level = static_cast<int>(r.integer(po, "level"));
    p.gender = static_cast<int>(r.integer(po, "gender"));
    p.survived = r.boolean(po, "survived");
    p.escaped = r.boolean(po, "escaped");
    p.deaths = static_cast<int>(r.integer(po, "deaths"));
    const auto& iv = r.obj(po, "intervened");
    p.intervened = r.integer(iv, "state") != 0;
    if (auto t = r.opt_int(iv, "turn")) p.intervened_turn = static_cast<int>(*t);
    const auto& k = r.obj(po, "kills");
    p.kills_monsters = r.integer(k, "monsters");
    p.kills_players = r.integer(k, "players");
    const auto& d = r.obj(po, "damage");
    p.damage_monsters = read_damage(r, r.obj(d, "monsters"));
    p.damage_players = read_damage(r, r.obj(d, "players"));
    p.healing = r.integer(po, "healing");
    p.loot = read_loot(r, r.obj(po, "loot"));
    out.log.participants.push_back(std::move(p));
  }
  out.log.monsters = read_monsters(r, r.arr(o, "monsters"));
  out.log.loot_total = read_loot(r, r.obj(o, "loot_total"));
  if (auto it = o.find("error"); it != o.end() && it->value().is_object()) {
    out.error = r.str(it->value().as_object(), "code");
    out.message = r.str(it->value().as_object(), "message");
  }
  if (auto it = o.find("events"); it != o.end() && it->value().is_array()) {
    for (const auto& ev : it->value().as_array()) {
      if (!ev.is_object()) continue;
      const auto& e = ev.as_object();
      auto s_or = [&e](std::string_view k) { auto f = e.find(k); return f != e.end() && f->value().is_string() ? std::string(f->value().as_string()) : std::string(); };
      auto n_or = [&e](std::string_view k) { auto f = e.find(k); return f != e.end() && f->value().is_int64() ? f->value().as_int64() : std::int64_t{0}; };
      BattleEvent x;
      x.turn = static_cast<int>(n_or("turn"));
      x.sf = static_cast<int>(n_or("sf"));
      x.actor = s_or("actor");
      x.t = static_cast<int>(n_or("t"));
      x.type = s_or("type");
      x.target = s_or("target");
      x.xy = s_or("xy");
      x.hp = s_or("hp");
      x.piercing = n_or("piercing");
      x.normal = n_or("normal");
      x.critical = n_or("critical");
      x.status_code = s_or("status_code");
      x.status_amount = n_or("status_amount");
      x.heal = n_or("heal");
      x.item_id = s_or("item_id");
      x.item_name = s_or("item_name");
      x.count = n_or("count");
      x.run = static_cast<int>(n_or("run"));
      x.code = s_or("code");
      out.log.events.push_back(std::move(x));
    }
  }
  if (!r.error.empty()) return Error::bad_request(r.error, "invalid_battle_json");
  return out;
}

Result<ParseOutcome> from_compat_json(const json::value& v) {
  if (!v.is_object()) return Error::bad_request("battle JSON must be an object", "invalid_battle_json");
  const auto& o = v.as_object();
  Reader r;
  ParseOutcome out;
  const auto& b = r.obj(o, "battle");
  auto& h = out.log.battle;
  h.id = r.integer(b, "id");
  if (auto ts = r.opt_str(b, "ts")) h.ts = parse_iso(*ts);
  out.source.size_bytes = r.integer(b, "size_bytes");
  out.source.sha256 = r.str(b, "sha256");
  out.source.storage_key = r.str(b, "storage_key");
  out.source.compressed = r.boolean(b, "compressed");
  h.turns = static_cast<int>(r.integer(b, "turns"));
  h.battle_type = r.opt_str(b, "battle_type");
  const auto& loc = r.obj(b, "loc");
  h.loc_x = r.integer(loc, "x");
  h.loc_y = r.integer(loc, "y");
  h.start_ts = r.opt_int(b, "start_ts_unix");
  const json::object* mp = nullptr;
  if (auto it = b.find("map_patch"); it != b.end() && it->value().is_object()) mp = &it->value().as_object();
  if (auto it = o.find("map_patch"); it != o.end() && it->value().is_object()) mp = &it->value().as_object();
  if (mp && mp->contains("i")) h.map_id = r.str(*mp, "i");
  for (const auto& pv : r.arr(o, "participants")) {
    const auto& po = pv.as_object();
    Participant p;
    p.login = r.str(po, "login");
    p.clan = r.opt_str(po, "clan");
    p.profession = static_cast<int>(r.integer(po, "profession"));
    p.side = static_cast<int>(r.integer(po, "side"));
    p.rank_points = r.number(po, "rank_points");
    p.pve_points = r.integer(po, "pve_points");
    p.level = static_cast<int>(r.integer(po, "level"));
    p.gender = static_cast<int>(r.integer(po, "gender"));
    p.survived = r.integer(po, "survived") != 0;
    const auto& iv = r.obj(po, "intervened");
    p.intervened = r.integer(iv, "state") != 0;
    if (p.intervened) p.intervened_turn = static_cast<int>(r.integer(iv, "turn"));
    const auto& k = r.obj(po, "kills");
    p.kills_monsters = r.integer(k, "monsters");
    p.kills_players = r.integer(k, "players");
    const auto& d = r.obj(po, "damage_total");
    p.damage_monsters = read_compat_damage(r, r.obj(d, "monsters"));
    p.damage_players = read_compat_damage(r, r.obj(d, "players"));
    p.loot = read_loot(r, r.obj(po, "loot"));
    out.log.participants.push_back(std::move(p));
  }
  out.log.monsters = read_monsters(r, r.arr(o, "monsters"));
  out.log.loot_total = read_loot(r, r.obj(o, "loot_total"));
  if (!r.error.empty()) return Error::bad_request(r.error, "invalid_battle_json");
  return out;
}

}  // namespace tzr::battles
