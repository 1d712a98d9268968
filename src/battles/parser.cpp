#include "battles/parser.hpp"

#include "battles/blake2s.hpp"
#include "battles/hp_grammar.hpp"
#include "crypto/hash.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace tzr::battles {
namespace {

template <class T>
std::optional<T> to_int(std::string_view s) {
  T v{};
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view attr(const pugi::xml_node& n, const char* name) {
  const char* v = n.attribute(name).value();
  return v;
}
bool has_attr(const pugi::xml_node& n, const char* name) { return static_cast<bool>(n.attribute(name)); }
int int_attr(std::string_view v) { return to_int<int>(v).value_or(0); }

// A NUL-terminated name equals a literal: inlined, no strcmp/strlen call (names are short).
template <std::size_t N>
bool eq(const char* name, const char (&literal)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    if (name[i] != literal[i]) return false;  // stops at the name's NUL at the latest
  return true;
}

// The attributes the parser reads from USER, O and a tags, gathered in one pass over the tag
// (a lookup by name per attribute was the parser's largest cost). Absent and empty are told
// apart where that matters (has_*).
struct Attrs {
  std::string_view login, level, pro, clan, side, rank_points, pve_points, man, battleid, hp, sf, t, type, xy, id, txt, count, run,
      code, def, color;
  bool has_hp = false, has_sf = false, has_level = false, has_bx = false, has_by = false, has_id = false;

  explicit Attrs(const pugi::xml_node& n) {
    for (auto a = n.first_attribute(); a; a = a.next_attribute()) set(a.name(), a.value());
  }

 private:
  // The first occurrence of a repeated attribute wins, as in the reference's regexes.
  // The value's length is taken only for the attributes kept.
  static void put(std::string_view& field, const char* v) {
    if (field.data() == nullptr) field = v;
  }
  // Dispatch on the first letter, then one inlined comparison: no strlen of names.
  void set(const char* n, const char* v) {
    switch (n[0]) {
      case 't':
        if (n[1] == 0) put(t, v);
        else if (eq(n, "txt")) put(txt, v);
        else if (eq(n, "type")) put(type, v);
        break;
      case 'H':
        if (eq(n, "HP")) put(hp, v), has_hp = true;
        break;
      case 's':
        if (eq(n, "sf")) put(sf, v), has_sf = true;
        else if (eq(n, "side")) put(side, v);
        break;
      case 'i':
        if (eq(n, "id")) put(id, v), has_id = true;
        break;
      case 'x':
        if (eq(n, "xy")) put(xy, v);
        break;
      case 'b':
        if (eq(n, "bx")) has_bx = true;
        else if (eq(n, "by")) has_by = true;
        else if (eq(n, "battleid")) put(battleid, v);
        break;
      case 'p':
        if (eq(n, "pro")) put(pro, v);
        else if (eq(n, "pve_points")) put(pve_points, v);
        break;
      case 'm':
        if (eq(n, "man")) put(man, v);
        break;
      case 'r':
        if (eq(n, "run")) put(run, v);
        else if (eq(n, "rank_points")) put(rank_points, v);
        break;
      case 'd':
        if (eq(n, "def")) put(def, v);
        break;
      case 'c':
        if (eq(n, "clan")) put(clan, v);
        else if (eq(n, "code")) put(code, v);
        else if (eq(n, "count")) put(count, v);
        else if (eq(n, "color")) put(color, v);
        break;
      case 'l':
        if (eq(n, "login")) put(login, v);
        else if (eq(n, "level")) put(level, v), has_level = true;
        break;
      default: break;
    }
  }
};

// Lookups by string_view without building a std::string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
// Keys are views into the parsed document's buffer (in-situ parse), which outlives the Builder:
// no key is copied into a std::string.
template <class V>
using ViewMap = std::unordered_map<std::string_view, V, StringHash, std::equal_to<>>;
using ViewSet = std::unordered_set<std::string_view, StringHash, std::equal_to<>>;

bool is_monster(std::string_view login) { return !login.empty() && login.front() == '$'; }

struct RosterMonster {
  std::string login;
  int level = 0;
  int side = 0;
  bool has_level = false;
  std::string def, color;
};

struct Pickup {
  std::size_t participant;
  std::string_view id, name;
  std::int64_t count;
};

void add_hit(Damage& d, const HpHit& h) {
  // The reference's accounting (battles.md §2.3.3): only hits with a positive total count; the
  // armor field goes into HP; status amounts are kept apart from HP.
  const std::int64_t hp = h.armor_piercing + h.normal + h.critical;
  if (hp > 0) d.hp += hp;
  if (h.armor_piercing > 0) d.piercing += h.armor_piercing;
  if (h.critical > 0) d.critical += h.critical;
  if (!h.status_code.empty() && h.status_amount > 0) d.status[h.status_code] += h.status_amount;
}

void add_loot(Loot& loot, std::string_view name, std::int64_t qty) {
  auto& list = loot_kind(name) == LootKind::resource       ? loot.resources
               : loot_kind(name) == LootKind::monster_part ? loot.monster_parts
                                                           : loot.other;
  auto it = std::lower_bound(list.begin(), list.end(), name, [](const LootLine& l, std::string_view n) { return l.name < n; });
  if (it != list.end() && it->name == name) it->qty += qty;
  else list.insert(it, LootLine{std::string(name), qty});
}

// "m_" + BLAKE2s-64 of the joined MAP rows. Battles at one place share their map, so the last
// few ids are kept per thread (the hash was 5 % of the parse).
std::string map_id_of(const std::string& joined) {
  struct Known {
    std::string rows, id;
  };
  thread_local std::array<Known, 8> recent;
  thread_local std::size_t next = 0;
  for (const auto& k : recent)
    if (!k.id.empty() && k.rows == joined) return k.id;
  auto& slot = recent[next++ % recent.size()];
  slot.rows = joined;
  slot.id = "m_" + blake2s_hex_upper(joined, 8);
  return slot.id;
}

class Builder {
 public:
  Builder(BattleLog& log, bool keep_events) : log_(log), keep_events_(keep_events) {}

  void header(const pugi::xml_node& battle) {
    auto& b = log_.battle;
    b.ts = to_int<std::int64_t>(attr(battle, "t2"));
    b.turns = int_attr(attr(battle, "turn"));
    if (has_attr(battle, "f")) b.battle_type = std::string(attr(battle, "f"));
    std::string_view note = attr(battle, "note");
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
      auto comma = note.find(',', start);
      parts.push_back(note.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (parts.size() >= 2) {
      b.loc_x = to_int<std::int64_t>(parts[0]).value_or(0);
      b.loc_y = to_int<std::int64_t>(parts[1]).value_or(0);
    }
    if (parts.size() >= 3) b.start_ts = to_int<std::int64_t>(parts[2]);
  }

  void roster(const pugi::xml_node& battle) {
    for (auto n = battle.first_child(); n; n = n.next_sibling()) {
      const char* name = n.name();
      if (eq(name, "MAP")) {
        if (has_attr(n, "v")) log_.battle.map_rows.emplace_back(attr(n, "v"));
      } else if (eq(name, "O")) {
        map_item(n);
      } else if (eq(name, "USER")) {
        roster_user(n);
      }
    }
  }

  void turn(const pugi::xml_node& t, int index) {
    const int number = to_int<int>(attr(t, "turn")).value_or(index);
    for (auto u = t.first_child(); u; u = u.next_sibling()) {
      const char* name = u.name();
      if (eq(name, "O")) {
        map_item(u);
        continue;
      }
      if (!eq(name, "USER")) continue;
      const Attrs ua(u);
      const std::string_view login = ua.login;
      battle_id_from(ua);
      snapshot_hp(login, ua);
      if (is_monster(login) && !active_monsters_.count(login)) active_monsters_.emplace(login);
      auto it = players_.find(login);
      const std::size_t actor = it == players_.end() ? kNone : it->second;
      bool acted = false;
      for (auto a = u.first_child(); a; a = a.next_sibling()) {
        if (!eq(a.name(), "a")) continue;
        acted = true;
        action(number, login, actor, a);
      }
      if (acted && actor != kNone) first_action(actor, number);
    }
  }

  void finish() {
    finish_monsters();
    for (auto& p : pickups_) {
      if (!map_ids_.empty() && !map_ids_.count(p.id)) continue;
      if (!picked_ids_.insert(p.id).second) continue;  // an item lies on the map once
      add_loot(log_.participants[p.participant].loot, p.name, p.count);
      add_loot(log_.loot_total, p.name, p.count);
    }
    for (const auto& [killer, victim] : kills_) {
      auto it = players_.find(killer);
      if (it == players_.end()) continue;
      auto& p = log_.participants[it->second];
      if (is_monster(victim)) ++p.kills_monsters;
      else if (victim != killer) ++p.kills_players;
    }
    std::set<int> sides;
    for (const auto& p : log_.participants) sides.insert(p.side);
    log_.battle.has_pvp = sides.size() >= 2;
    log_.battle.has_monsters = log_.monsters_cnt() > 0;
    if (!log_.battle.map_rows.empty()) {
      std::string joined;
      for (std::size_t i = 0; i < log_.battle.map_rows.size(); ++i) {
        if (i) joined += '\n';
        joined += log_.battle.map_rows[i];
      }
      log_.battle.map_id = map_id_of(joined);
    }
  }

  void battle_id_from(const Attrs& u) {
    if (log_.battle.id != 0) return;
    if (auto id = to_int<std::int64_t>(u.battleid); id && *id > 0) log_.battle.id = *id;
  }

 private:
  void map_item(const pugi::xml_node& o) {
    const Attrs oa(o);
    if (oa.has_bx && oa.has_by && oa.has_id && !map_ids_.count(oa.id)) map_ids_.emplace(oa.id);
  }

  void roster_user(const pugi::xml_node& node) {
    const Attrs u(node);
    battle_id_from(u);
    const std::string_view login = u.login;
    if (login.empty()) return;
    snapshot_hp(login, u);
    if (is_monster(login)) {
      if (std::any_of(roster_monsters_.begin(), roster_monsters_.end(), [&](const RosterMonster& m) { return m.login == login; }))
        return;
      RosterMonster m{std::string(login), int_attr(u.level), int_attr(u.side), u.has_level, std::string(u.def), std::string(u.color)};
      roster_monsters_.push_back(std::move(m));
      return;
    }
    if (players_.count(login)) return;
    Participant p;
    p.login = login;
    if (!u.clan.empty()) p.clan = std::string(u.clan);
    p.profession = int_attr(u.pro);
    p.side = int_attr(u.side);
    p.level = int_attr(u.level);
    p.gender = int_attr(u.man);
    p.pve_points = to_int<std::int64_t>(u.pve_points).value_or(0);
    p.rank_points = to_int<double>(u.rank_points).value_or(0.0);
    if (!std::isfinite(p.rank_points)) p.rank_points = 0;  // from_chars accepts "nan" and "inf"
    // A roster tag with a frame number is a late joiner (battles.md §1.6 "interventions").
    p.intervened = u.has_sf;
    if (dead_.count(login)) p.survived = false;
    players_.emplace(login, log_.participants.size());
    log_.participants.push_back(std::move(p));
  }

  void snapshot_hp(std::string_view login, const Attrs& u) {
    if (login.empty() || !u.has_hp) return;
    auto hp = to_int<std::int64_t>(u.hp);
    if (!hp || *hp > 0) return;
    if (!dead_.count(login)) dead_.emplace(login);
    if (auto it = players_.find(login); it != players_.end()) log_.participants[it->second].survived = false;
  }

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  void first_action(std::size_t participant, int turn) {
    auto& p = log_.participants[participant];
    if (p.intervened && !p.intervened_turn) p.intervened_turn = turn;
  }

  // One `<a …/>` of actor's block (participant: its index, or kNone for a monster or a stranger).
  // Works on views into the document; the event's own strings are built only when kept.
  void action(int turn, std::string_view actor, std::size_t participant, const pugi::xml_node& node) {
    const Attrs a(node);
    const int t = int_attr(a.t);
    Participant* p = participant == kNone ? nullptr : &log_.participants[participant];
    BattleEvent* e = nullptr;
    if (keep_events_) {
      e = &log_.events.emplace_back();
      e->turn = turn;
      e->sf = int_attr(a.sf);
      e->t = t;
      e->actor = actor;
      e->target = a.login;
    }
    switch (t) {
      case 5: {
        const HpHit h = parse_hp(a.hp);
        if (e) {
          e->type = a.type;
          e->xy = a.xy;
          e->hp = a.hp;
          e->piercing = h.armor_piercing;
          e->normal = h.normal;
          e->critical = h.critical;
          e->status_code = h.status_code;
          e->status_amount = h.status_amount;
          e->heal = h.heal();
        }
        if (p && h.total > 0) add_hit(is_monster(a.login) ? p->damage_monsters : p->damage_players, h);
        if (p) p->healing += h.heal();
        break;
      }
      case 6:
        if (e) e->run = int_attr(a.run);
        break;
      case 7:
        if (p) {
          ++p->deaths;
          p->survived = false;
        }
        dead_.insert(actor);
        break;
      case 8: {
        auto count = to_int<std::int64_t>(a.count);
        if (e) {
          e->item_id = a.id;
          e->item_name = a.txt;
          e->count = count.value_or(0);
        }
        if (p && count && *count > 0 && !a.id.empty() && !a.txt.empty())
          pickups_.push_back(Pickup{participant, a.id, a.txt, *count});
        break;
      }
      case 9:
        if (p) p->escaped = true;
        break;
      case 20:
        if (e) e->code = a.code;
        if (a.code == "7" && !a.login.empty()) kills_.emplace(actor, a.login);
        break;
      default: break;
    }
  }

  void finish_monsters() {
    struct Group {
      MonsterGroup g;
      bool any_level = false;
    };
    std::map<std::string, Group> groups;  // sorted by key, as the reference does
    std::set<std::string> counted;
    const bool any_active = std::any_of(roster_monsters_.begin(), roster_monsters_.end(),
                                        [&](const RosterMonster& m) { return active_monsters_.count(m.login) > 0; });
    auto count = [&](const RosterMonster& m) {
      if (!counted.insert(m.login).second) return;
      const std::string kind = monster_kind(m.login);
      const std::string& spec_value = !m.def.empty() ? m.def : m.color;
      const bool special = m.login.find('_') != std::string::npos || !spec_value.empty();
      std::string key = kind;
      if (special) key += spec_value.empty() ? "_spec" : "_spec::" + spec_value;
      auto [it, fresh] = groups.try_emplace(key);
      auto& gr = it->second;
      if (fresh) {
        gr.g.kind = special ? kind + "_spec" : kind;
        if (!spec_value.empty()) gr.g.spec = spec_value;
        gr.g.side = m.side;
      }
      ++gr.g.count;
      if (m.has_level) {
        gr.g.min_level = gr.any_level ? std::min(gr.g.min_level, m.level) : m.level;
        gr.g.max_level = gr.any_level ? std::max(gr.g.max_level, m.level) : m.level;
        gr.any_level = true;
      }
    };
    for (const auto& m : roster_monsters_)
      if (!any_active || active_monsters_.count(m.login)) count(m);
    // Summoned monsters (only in TURNs) count too; the reference missed them (battles.md §7.1.5).
    for (const auto& login : active_monsters_) {
      if (std::any_of(roster_monsters_.begin(), roster_monsters_.end(), [&](const RosterMonster& m) { return m.login == login; }))
        continue;
      count(RosterMonster{std::string(login), 0, 0, false, {}, {}});
    }
    for (auto& [key, gr] : groups) log_.monsters.push_back(std::move(gr.g));
  }

  BattleLog& log_;
  bool keep_events_;
  ViewMap<std::size_t> players_;
  std::vector<RosterMonster> roster_monsters_;
  std::set<std::string_view> active_monsters_;
  ViewSet map_ids_, picked_ids_, dead_;
  std::vector<Pickup> pickups_;
  std::set<std::pair<std::string_view, std::string_view>> kills_;  // (killer, victim), once each
};

}  // namespace

std::string monster_kind(std::string_view login) {
  if (!login.empty() && login.front() == '$') login.remove_prefix(1);
  std::string prefix;
  for (char c : login) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) break;
    prefix += static_cast<char>(c | 0x20);
  }
  if (prefix == "stich") return "sti";
  if (prefix == "scrp") return "scr";
  static const std::unordered_set<std::string> kKinds = {
      "bmi", "rat", "sti", "pco", "pcb", "std", "vzz", "tur", "dev", "bll", "dog", "srg", "enm", "gek",
      "rbt", "robot", "scr", "wrm", "spd", "zmb", "rdr", "alg", "als", "alb", "erg", "mts", "crs", "crm",
      "cdv", "hst", "col", "fgh", "sha", "pjm", "rjm", "rng"};
  return kKinds.count(prefix) ? prefix : "unknown";
}

ParseOutcome parse_battle_log(std::string_view raw, const ParseOptions& options) {
  ParseOutcome out;
  out.source.size_bytes = static_cast<std::int64_t>(raw.size());
  out.source.storage_key = options.storage_key;
  const bool known_sha = options.digests && !options.content_sha256.empty();
  CanonicalText canon = canonical_text(raw, options.max_text_bytes, options.digests && !known_sha, false);
  out.source.compressed = canon.compressed;
  if (known_sha) out.source.sha256 = options.content_sha256;
  else out.source.sha256 = canon.content_sha256.empty() && options.digests ? crypto::sha256_hex(raw) : canon.content_sha256;
  if (!canon.error.empty()) {
    out.error = canon.error;
    out.message = canon.message;
    return out;
  }
  if (options.digests) out.source.canonical_sha256 = crypto::sha256_hex(canon.text);

  pugi::xml_document doc;
  // No DTD, no entity definitions: pugixml expands only the five predefined entities and
  // character references, so entity tricks stay inert text.
  // Escapes are decoded only when the text has an '&' at all (the scan for it is cheaper than
  // pugixml's per-character check; the result is the same).
  const unsigned flags = pugi::parse_minimal | pugi::parse_fragment |
                         (std::memchr(canon.text.data(), '&', canon.text.size()) ? pugi::parse_escapes : 0u);
  const auto size = canon.text.size();
  const pugi::xml_parse_result parsed = doc.load_buffer_inplace(canon.text.data(), size, flags, pugi::encoding_utf8);

  Builder builder(out.log, options.keep_events);
  pugi::xml_node battle, repeat;
  for (auto n = doc.first_child(); n; n = n.next_sibling()) {
    if (!eq(n.name(), "BATTLE")) continue;
    if (!battle) battle = n;
    else {
      repeat = n;
      break;
    }
  }
  if (repeat) {
    // A repeated BATTLE block (battles.md §1.9): only the first copy counts. The text path tells
    // whether the copies are identical and gives the digest of the deduplicated text.
    out.log.battle.duplicated = true;
    const CanonicalText cut = canonical_text(raw, options.max_text_bytes, false, true);
    out.log.battle.duplicate_identical = cut.duplicate_identical;
    if (options.digests) out.source.canonical_sha256 = crypto::sha256_hex(cut.text);
  }
  if (battle) {
    builder.header(battle);
    builder.roster(battle);
    int index = 0;
    for (auto n = battle.next_sibling(); n && n != repeat; n = n.next_sibling())
      if (eq(n.name(), "TURN")) builder.turn(n, ++index);
    for (auto n = battle.first_child(); n; n = n.next_sibling())  // defensive: TURNs nested in BATTLE
      if (eq(n.name(), "TURN")) builder.turn(n, ++index);
    builder.finish();
  }
  if (!parsed) {
    out.error = "malformed_xml";
    out.message = std::string(parsed.description()) + " at byte " + std::to_string(parsed.offset) +
                  (canon.unterminated_wrapper || static_cast<std::size_t>(parsed.offset) + 1 >= size ? " (truncated log)" : "");
  } else if (!battle) {
    out.error = "not_a_battle_log";
    out.message = "no BATTLE element";
  } else if (out.log.battle.id == 0) {
    out.error = "no_battle_id";
    out.message = "no battleid in the roster";
  }
  return out;
}

}  // namespace tzr::battles
