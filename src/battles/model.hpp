#pragma once
// The parsed battle (battles.md §2): header, map, roster, monsters by kind, per-participant damage,
// kills, deaths, survival, healing and loot, plus one event per action. Plain values; the parser
// fills them, the JSON views and the store read them.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tzr::battles {

// Bumped whenever a change of the parser changes any derived value; stored with every battle so
// that `reprocess` can find the battles parsed by an older version.
inline constexpr int kParserVersion = 1;

struct Damage {
  std::int64_t hp = 0;        // armor + normal + critical of counted hits
  std::int64_t piercing = 0;  // armor-piercing part
  std::int64_t critical = 0;
  std::map<std::string, std::int64_t> status;  // status code (A, N, H, …) → amount, every code
  bool operator==(const Damage&) const = default;
};

struct LootLine {
  std::string name;
  std::int64_t qty = 0;
  bool operator==(const LootLine&) const = default;
};

enum class LootKind { resource, monster_part, other };
LootKind loot_kind(std::string_view item_name);

struct Loot {
  std::vector<LootLine> resources, monster_parts, other;  // each sorted by name (code points)
  bool operator==(const Loot&) const = default;
  bool empty() const { return resources.empty() && monster_parts.empty() && other.empty(); }
};

struct Participant {
  std::string login;
  std::optional<std::string> clan;
  int profession = 0;
  int side = 0;
  double rank_points = 0;
  std::int64_t pve_points = 0;
  int level = 0;
  int gender = 0;
  bool survived = true;
  bool escaped = false;               // t=9
  int deaths = 0;                     // t=7 in the player's own blocks
  std::optional<int> intervened_turn; // late joiner: the turn of the first action
  bool intervened = false;
  std::int64_t kills_monsters = 0, kills_players = 0;
  Damage damage_monsters, damage_players;
  std::int64_t healing = 0;           // typed negative hits the player dealt (the reference dropped them)
  Loot loot;
  bool operator==(const Participant&) const = default;
};

struct MonsterGroup {
  std::string kind;                   // "rat" or "rat_spec"
  std::optional<std::string> spec;    // def/color value of a special variant
  int side = 0;
  std::int64_t count = 0;
  int min_level = 0, max_level = 0;
  bool operator==(const MonsterGroup&) const = default;
};

// One action `<a …/>` inside a TURN's actor block.
struct BattleEvent {
  int turn = 0;
  int sf = 0;
  std::string actor;
  int t = 0;                  // action code (battles.md §1.8)
  std::string type;           // attack mode of t=5
  std::string target;         // login="…"
  std::string xy;
  std::string hp;             // HP string as written
  std::int64_t piercing = 0, normal = 0, critical = 0;
  std::string status_code;
  std::int64_t status_amount = 0;
  std::int64_t heal = 0;
  std::string item_id, item_name;  // t=8
  std::int64_t count = 0;
  int run = 0;                // t=6 stance
  std::string code;           // t=20
  bool operator==(const BattleEvent&) const = default;
};

struct BattleHeader {
  std::int64_t id = 0;                    // battleid of the roster; 0 if none
  std::optional<std::int64_t> ts;        // BATTLE@t2, unix seconds
  std::optional<std::int64_t> start_ts;   // note[2]
  int turns = 0;
  std::optional<std::string> battle_type; // BATTLE@f verbatim
  std::int64_t loc_x = 0, loc_y = 0;
  std::vector<std::string> map_rows;
  std::string map_id;                     // "m_<HEX16>", empty without MAP rows
  bool duplicated = false;                // a repeated BATTLE block was cut off
  bool duplicate_identical = false;       // … and it repeated the first copy byte for byte
  bool has_pvp = false;                   // humans on at least two sides
  bool has_monsters = false;
  bool operator==(const BattleHeader&) const = default;
};

struct BattleLog {
  BattleHeader battle;
  std::vector<Participant> participants;
  std::vector<MonsterGroup> monsters;
  Loot loot_total;
  std::vector<BattleEvent> events;
  std::int64_t players_cnt() const { return static_cast<std::int64_t>(participants.size()); }
  std::int64_t monsters_cnt() const;
  bool operator==(const BattleLog&) const = default;
};

// What the file was: sizes and digests of the bytes as received and of the canonical text
// (unwrapped, NUL-free, deduplicated) that was parsed.
struct SourceInfo {
  std::int64_t size_bytes = 0;
  std::string sha256;            // of the log's bytes (after gunzip: .tzb and .tzb.gz of one log agree)
  std::string canonical_sha256;
  bool compressed = false;       // the input was gzip
  std::string storage_key;
  bool operator==(const SourceInfo&) const = default;
};

// A parse never throws: a damaged log gives what could be read plus an error code.
struct ParseOutcome {
  BattleLog log;
  SourceInfo source;
  int parser_version = kParserVersion;
  std::string error;    // empty = complete; else a stable code (empty_input, not_a_battle_log, …)
  std::string message;  // human detail of the error
  bool ok() const { return error.empty(); }
  // A result worth storing as a battle (it has a battle id), even if the text was damaged.
  bool has_battle() const { return log.battle.id > 0; }
};

}  // namespace tzr::battles
