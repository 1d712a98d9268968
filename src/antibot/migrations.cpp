#include "antibot/migrations.hpp"

namespace tzr::antibot {

// Per-player incremental state (JSON of PlayerState) and its daily snapshot rows, and the last
// scan's verdicts. Keyed by the battles store's login_key. One SQL text for every backend (MySQL's
// derived by storage::mysql_ddl), like the battles tables it sits beside.
#define TZR_ANTIBOT_TABLES                                                                                \
  "CREATE TABLE antibot_player_state ("                                                                   \
  " login_key TEXT PRIMARY KEY, login TEXT NOT NULL, battles BIGINT NOT NULL, last_end BIGINT,"          \
  " state TEXT NOT NULL, updated_at BIGINT NOT NULL);"                                                    \
  "CREATE TABLE antibot_player_days ("                                                                    \
  " login_key TEXT NOT NULL, day BIGINT NOT NULL, battles BIGINT NOT NULL, pvp BIGINT NOT NULL,"          \
  " survived BIGINT NOT NULL, kills_monsters BIGINT NOT NULL, kills_players BIGINT NOT NULL,"            \
  " loot BIGINT NOT NULL, idle_n BIGINT NOT NULL, idle_sum DOUBLE PRECISION NOT NULL,"                   \
  " hours_mask BIGINT NOT NULL, PRIMARY KEY (login_key, day));"                                           \
  "CREATE INDEX antibot_player_days_day ON antibot_player_days(day);"                                     \
  "CREATE TABLE antibot_scores ("                                                                         \
  " login_key TEXT PRIMARY KEY, login TEXT NOT NULL, window_days INTEGER NOT NULL,"                      \
  " window_end BIGINT NOT NULL, score DOUBLE PRECISION NOT NULL, is_bot SMALLINT NOT NULL,"               \
  " method TEXT NOT NULL, result TEXT NOT NULL, scanned_at BIGINT NOT NULL);"                             \
  "CREATE INDEX antibot_scores_score ON antibot_scores(score);"

// Moderator labels (the latest verdict per player) and the append-only audit log of verdicts.
#define TZR_ANTIBOT_LABELS(id)                                                                          \
  "CREATE TABLE antibot_labels ("                                                                       \
  " login_key TEXT PRIMARY KEY, login TEXT NOT NULL, verdict TEXT NOT NULL, note TEXT NOT NULL,"        \
  " actor TEXT NOT NULL, updated_at BIGINT NOT NULL);"                                                  \
  "CREATE TABLE antibot_audit (id " id ", login_key TEXT NOT NULL, login TEXT NOT NULL,"                \
  " action TEXT NOT NULL, verdict TEXT NOT NULL, note TEXT NOT NULL, actor TEXT NOT NULL,"              \
  " created_at BIGINT NOT NULL);"                                                                       \
  "CREATE INDEX antibot_audit_login ON antibot_audit(login_key);"

std::vector<storage::Migration> migrations() {
  return {{600, "antibot", TZR_ANTIBOT_TABLES, TZR_ANTIBOT_TABLES, ""},
          {601, "antibot_labels", TZR_ANTIBOT_LABELS("INTEGER PRIMARY KEY AUTOINCREMENT"),
           TZR_ANTIBOT_LABELS("BIGSERIAL PRIMARY KEY"), ""},
          // MySQL serialises player-state writers on this row (lock_player_states).
          {602, "antibot_locks",
           "CREATE TABLE antibot_locks (name VARCHAR(64) NOT NULL PRIMARY KEY);"
           "INSERT INTO antibot_locks (name) VALUES ('player_state');",
           "", ""}};
}

#undef TZR_ANTIBOT_LABELS

#undef TZR_ANTIBOT_TABLES

}  // namespace tzr::antibot
