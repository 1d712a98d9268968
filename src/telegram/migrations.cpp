#include "telegram/migrations.hpp"

namespace tzr::telegram {

std::vector<storage::Migration> migrations() {
  return {
      // One open conversation per private chat; it survives a restart of the bot. Never holds a
      // password: the bot asks for it last and acts on it at once.
      {200, "telegram_bot_conversations",
       "CREATE TABLE telegram_bot_conversations ("
       " chat_id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, step VARCHAR(32) NOT NULL,"
       " login VARCHAR(64) NULL, gender INTEGER NULL, updated_at BIGINT NOT NULL);",
       "", ""},
  };
}

}  // namespace tzr::telegram
