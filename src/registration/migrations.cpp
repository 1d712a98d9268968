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
  };
}

}  // namespace tzr::registration
