#include "registration/migrations.hpp"

namespace tzr::registration {

std::vector<storage::Migration> migrations() {
  return {
      {100, "idempotency_keys",
       "CREATE TABLE idempotency_keys ("
       " scope TEXT NOT NULL, idem_key TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL,"
       " status INTEGER NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
       " PRIMARY KEY (scope, idem_key));"
       "CREATE INDEX idempotency_keys_expires ON idempotency_keys(expires_at);",
       "", ""},
      {101, "outbox",
       "CREATE TABLE outbox ("
       " id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL,"
       " created_at BIGINT NOT NULL, delivered_at BIGINT NULL);"
       "CREATE INDEX outbox_pending ON outbox(delivered_at, id);",
       "CREATE TABLE outbox ("
       " id BIGSERIAL PRIMARY KEY, topic TEXT NOT NULL, payload TEXT NOT NULL,"
       " created_at BIGINT NOT NULL, delivered_at BIGINT NULL);"
       "CREATE INDEX outbox_pending ON outbox(delivered_at, id);",
       ""},
      // One row per registration attempt (outcomes.hpp); no password, Telegram id or IP.
      {102, "registration_outcomes",
       "CREATE TABLE registration_outcomes ("
       " id INTEGER PRIMARY KEY AUTOINCREMENT, at BIGINT NOT NULL, code TEXT NOT NULL, login TEXT NOT NULL,"
       " source TEXT NOT NULL, duration_ms BIGINT NOT NULL);"
       "CREATE INDEX registration_outcomes_at ON registration_outcomes(at);"
       "CREATE INDEX registration_outcomes_code ON registration_outcomes(code, id);",
       "CREATE TABLE registration_outcomes ("
       " id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, code TEXT NOT NULL, login TEXT NOT NULL,"
       " source TEXT NOT NULL, duration_ms BIGINT NOT NULL);"
       "CREATE INDEX registration_outcomes_at ON registration_outcomes(at);"
       "CREATE INDEX registration_outcomes_code ON registration_outcomes(code, id);",
       "CREATE TABLE registration_outcomes ("
       " id BIGINT AUTO_INCREMENT PRIMARY KEY, at BIGINT NOT NULL, code VARCHAR(64) NOT NULL,"
       " login VARCHAR(255) NOT NULL, source VARCHAR(255) NOT NULL, duration_ms BIGINT NOT NULL,"
       " INDEX registration_outcomes_at (at), INDEX registration_outcomes_code (code, id))"
       " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"},
  };
}

}  // namespace tzr::registration
