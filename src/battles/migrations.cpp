#include "battles/migrations.hpp"

#include "battles/reference_data.hpp"

namespace tzr::battles {

// Battles keyed by the game's battle id; typed columns for what the API filters on, the full
// model as JSON text in `data` (the event stream is re-derived from the raw log on demand).
// The same SQL serves SQLite and PostgreSQL except for the ingest log's serial key; MySQL's is
// derived from SQLite's (storage::mysql_ddl: keyed TEXT as VARCHAR(255), binary collation).
#define TZR_BATTLES_TABLES                                                                                   \
  "CREATE TABLE battles ("                                                                                   \
  " battle_id BIGINT PRIMARY KEY, ts BIGINT, start_ts BIGINT, turns INTEGER NOT NULL, battle_type TEXT,"     \
  " loc_x INTEGER NOT NULL, loc_y INTEGER NOT NULL, map_id TEXT NOT NULL,"                                  \
  " players_cnt INTEGER NOT NULL, monsters_cnt INTEGER NOT NULL, has_pvp SMALLINT NOT NULL,"                \
  " has_monsters SMALLINT NOT NULL, duplicated SMALLINT NOT NULL, complete SMALLINT NOT NULL,"              \
  " content_sha256 TEXT NOT NULL, canonical_sha256 TEXT NOT NULL, size_bytes BIGINT NOT NULL,"              \
  " parser_version INTEGER NOT NULL, data TEXT NOT NULL, ingested_at BIGINT NOT NULL);"                     \
  "CREATE INDEX battles_ts ON battles(ts, battle_id);"                                                       \
  "CREATE INDEX battles_loc ON battles(loc_x, loc_y);"                                                       \
  "CREATE INDEX battles_content ON battles(content_sha256);"                                                 \
  "CREATE INDEX battles_parser ON battles(parser_version);"                                                  \
  "CREATE TABLE battle_participants ("                                                                       \
  " battle_id BIGINT NOT NULL, login TEXT NOT NULL, login_key TEXT NOT NULL, clan TEXT,"                     \
  " side SMALLINT NOT NULL, profession SMALLINT NOT NULL, level SMALLINT NOT NULL, gender SMALLINT NOT NULL," \
  " rank_points DOUBLE PRECISION NOT NULL, pve_points BIGINT NOT NULL, survived SMALLINT NOT NULL,"          \
  " kills_monsters INTEGER NOT NULL, kills_players INTEGER NOT NULL, damage_monsters BIGINT NOT NULL,"      \
  " damage_players BIGINT NOT NULL, healing BIGINT NOT NULL, intervened_turn INTEGER, ts BIGINT,"           \
  " PRIMARY KEY (battle_id, login));"                                                                        \
  "CREATE INDEX battle_participants_login ON battle_participants(login_key, ts, battle_id);"                 \
  "CREATE INDEX battle_participants_clan ON battle_participants(clan, ts, battle_id);"                       \
  "CREATE TABLE battle_monsters ("                                                                           \
  " battle_id BIGINT NOT NULL, kind TEXT NOT NULL, spec TEXT NOT NULL, side SMALLINT NOT NULL,"             \
  " count INTEGER NOT NULL, min_level SMALLINT NOT NULL, max_level SMALLINT NOT NULL,"                      \
  " PRIMARY KEY (battle_id, kind, spec));"                                                                   \
  "CREATE INDEX battle_monsters_kind ON battle_monsters(kind, battle_id);"                                   \
  "CREATE TABLE battle_loot ("                                                                               \
  " battle_id BIGINT NOT NULL, login TEXT NOT NULL, battle_ts BIGINT, kind TEXT NOT NULL,"                   \
  " item_name TEXT NOT NULL, qty BIGINT NOT NULL, PRIMARY KEY (battle_id, login, item_name));"               \
  "CREATE INDEX battle_loot_ts ON battle_loot(battle_ts);"                                                   \
  "CREATE TABLE battle_players ("                                                                            \
  " login_key TEXT PRIMARY KEY, login TEXT NOT NULL, battles BIGINT NOT NULL, last_ts BIGINT);"             \
  "CREATE TABLE battle_sync ("                                                                               \
  " battle_id BIGINT PRIMARY KEY, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_at BIGINT NOT NULL,"  \
  " last_error TEXT, updated_at BIGINT NOT NULL);"                                                           \
  "CREATE INDEX battle_sync_due ON battle_sync(state, next_at);"                                             \
  "CREATE TABLE battle_sync_cursors (name TEXT PRIMARY KEY, value BIGINT NOT NULL);"

#define TZR_BATTLES_INGEST_LOG(SERIAL)                                                                   \
  "CREATE TABLE battle_ingest_log ("                                                                     \
  " id " SERIAL ", at BIGINT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL,"                        \
  " content_sha256 TEXT NOT NULL, battle_id BIGINT, status TEXT NOT NULL, error_code TEXT,"              \
  " error_message TEXT, parser_version INTEGER NOT NULL, size_bytes BIGINT NOT NULL,"                    \
  " parse_us BIGINT NOT NULL, store_us BIGINT NOT NULL);"                                                \
  "CREATE INDEX battle_ingest_log_content ON battle_ingest_log(content_sha256);"                         \
  "CREATE INDEX battle_ingest_log_status ON battle_ingest_log(status, id);"

std::vector<storage::Migration> migrations() {
  return {
      {300, "battles",
       TZR_BATTLES_TABLES TZR_BATTLES_INGEST_LOG("INTEGER PRIMARY KEY AUTOINCREMENT"),
       TZR_BATTLES_TABLES TZR_BATTLES_INGEST_LOG("BIGSERIAL PRIMARY KEY"), ""},
      {301, "battle_raw",
       // Where each raw log lives: a record of an append-only pack file.
       "CREATE TABLE battle_raw (content_sha256 TEXT PRIMARY KEY, pack TEXT NOT NULL, byte_offset BIGINT NOT NULL,"
       " length BIGINT NOT NULL);",
       "", ""},
      reference_data_migration(),
  };
}

#undef TZR_BATTLES_TABLES
#undef TZR_BATTLES_INGEST_LOG

}  // namespace tzr::battles
