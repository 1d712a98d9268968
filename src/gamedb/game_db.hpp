#pragma once
// The game's own database ("tzserver"): the tables are the game's, so their names and columns
// are kept (registration.md §3.1). SQLite for the embedded default, MySQL/MariaDB in production.
#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::gamedb {

// Creates `tgplayers` and `constants` when missing (CREATE TABLE IF NOT EXISTS; an operator's
// existing tables are left alone). SQLite adds a `login_key` column to tgplayers with a UNIQUE
// index, because SQLite has no case- and accent-insensitive collation for Cyrillic.
Status ensure_schema(storage::Database& db);

// Inserts the reference seed rows of `constants` that are missing (demo and tests).
Status seed_constants(storage::Database& db);

// The comparison key of a login: case-folded (Latin and Cyrillic) with ё folded to е, as the game
// DB's utf8mb4 collation compares them. Trailing spaces stay significant (NO PAD).
std::string login_key(std::string_view login);

// tgplayers: which game logins belong to which Telegram user.
// Blocking calls: run them on a BlockingPool. An interface, so use cases are tested with fakes.
class PlayerDirectory {
 public:
  virtual ~PlayerDirectory() = default;
  virtual Result<std::int64_t> count_for_telegram(std::int64_t telegram_id) const = 0;
  // Case- and accent-insensitive, as the game DB's collation compares logins.
  virtual Result<bool> login_exists(std::string_view login) const = 0;
  // db_unique_violation when SQLite's login_key index already holds the login.
  virtual Status insert(std::int64_t telegram_id, const std::optional<std::string>& username,
                        std::string_view login) const = 0;
  virtual Result<std::vector<std::string>> logins_for(std::int64_t telegram_id) const = 0;
};

class PlayerLinks final : public PlayerDirectory {
 public:
  explicit PlayerLinks(storage::Database& db) : db_(db) {}
  Result<std::int64_t> count_for_telegram(std::int64_t telegram_id) const override;
  Result<bool> login_exists(std::string_view login) const override;
  Status insert(std::int64_t telegram_id, const std::optional<std::string>& username,
                std::string_view login) const override;
  Result<std::vector<std::string>> logins_for(std::int64_t telegram_id) const override;

 private:
  storage::Database& db_;
};

struct Constant {
  std::string name;
  std::optional<double> value;  // DECIMAL(5,2) NULL
  std::optional<std::string> description;
};

// constants, ordered by Value ascending as the reference serves them (NULLs first).
Result<std::vector<Constant>> read_constants(storage::Database& db);

}  // namespace tzr::gamedb
