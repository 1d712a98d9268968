#include "gamedb/game_db.hpp"

#include "core/utf8.hpp"

namespace tzr::gamedb {
namespace {

using storage::Dialect;
using storage::Value;

constexpr std::string_view kSqliteSchema =
    "CREATE TABLE IF NOT EXISTS tgplayers ("
    " telegram_id INTEGER NOT NULL,"
    " username TEXT NULL,"
    " login TEXT NOT NULL,"
    " login_key TEXT NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_tgplayers_login_key ON tgplayers(login_key);"
    "CREATE INDEX IF NOT EXISTS ix_tgplayers_telegram ON tgplayers(telegram_id);"
    "CREATE TABLE IF NOT EXISTS constants ("
    " my_row_id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " Name TEXT NOT NULL UNIQUE,"
    " Value REAL NULL,"
    " Description TEXT NULL,"
    " created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,"
    " updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);";

// The game's schema as deployed (registration.md §3.1).
constexpr std::string_view kMysqlSchema =
    "CREATE TABLE IF NOT EXISTS tgplayers ("
    " telegram_id BIGINT NOT NULL,"
    " username VARCHAR(64) NULL,"
    " login VARCHAR(64) NOT NULL,"
    " KEY ix_tgplayers_telegram (telegram_id),"
    " KEY ix_tgplayers_login (login)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;"
    "CREATE TABLE IF NOT EXISTS constants ("
    " my_row_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " Name VARCHAR(50) NOT NULL,"
    " Value DECIMAL(5,2) NULL,"
    " Description VARCHAR(255) NULL,"
    " created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
    " updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,"
    " UNIQUE KEY uq_constants_name (Name)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;";

struct Seed {
  const char* name;
  double value;
  const char* description;
};
constexpr Seed kSeeds[] = {
    {"ServerStatus", 1.0, "1 = всем доступен серв"}, {"RateExp", 1.0, "Опыт"},     {"RatePvp", 1.0, "ПВП"},
    {"RatePve", 1.0, "ПВЕ"},                          {"RateColorMob", 1.0, "x1"}, {"RateSkill", 1.0, "Скиллы"},
    {"CLIENT_STATUS", 256.0, "статус"},
};

}  // namespace

std::string login_key(std::string_view login) {
  std::vector<char32_t> cps;
  if (!utf8::decode(login, cps)) return std::string(login);
  std::string out;
  out.reserve(login.size());
  for (char32_t c : cps) {
    if (c >= 'A' && c <= 'Z') c += 0x20;
    else if (c >= 0x0410 && c <= 0x042F) c += 0x20;  // А-Я → а-я
    if (c == 0x0401 || c == 0x0451) c = 0x0435;       // Ё, ё → е
    utf8::append(out, c);
  }
  return out;
}

Status ensure_schema(storage::Database& db) {
  if (db.dialect() == Dialect::postgres)
    return Error::bad_request("game_db.url must be sqlite:// or mysql:// (the game DB is MySQL)", "config_error");
  return db.transaction([&](storage::Session& s) {
    return s.execute_script(db.dialect() == Dialect::mysql ? kMysqlSchema : kSqliteSchema);
  });
}

Status seed_constants(storage::Database& db) {
  return db.transaction([&](storage::Session& s) -> Status {
    for (const auto& seed : kSeeds) {
      Value name{std::string(seed.name)};
      auto found = s.query("SELECT 1 FROM constants WHERE Name = ?", std::span(&name, 1));
      if (!found) return found.error();
      if (!found->rows.empty()) continue;
      Value params[] = {name, Value{seed.value}, Value{std::string(seed.description)}};
      auto ins = s.query("INSERT INTO constants (Name, Value, Description) VALUES (?, ?, ?)", params);
      if (!ins) return ins.error();
    }
    return {};
  });
}

Result<std::int64_t> PlayerLinks::count_for_telegram(std::int64_t telegram_id) const {
  Value p{telegram_id};
  auto r = db_.query("SELECT COUNT(*) FROM tgplayers WHERE telegram_id = ?", std::span(&p, 1));
  if (!r) return r.error();
  return r->rows.at(0).integer(0);
}

Result<bool> PlayerLinks::login_exists(std::string_view login) const {
  // MySQL compares with the column's case- and accent-insensitive collation; SQLite through the
  // folded key we store beside the login.
  bool mysql = db_.dialect() == Dialect::mysql;
  Value p{mysql ? std::string(login) : login_key(login)};
  auto r = db_.query(mysql ? "SELECT 1 FROM tgplayers WHERE login = ? LIMIT 1" : "SELECT 1 FROM tgplayers WHERE login_key = ? LIMIT 1",
                     std::span(&p, 1));
  if (!r) return r.error();
  return !r->rows.empty();
}

Status PlayerLinks::insert(std::int64_t telegram_id, const std::optional<std::string>& username, std::string_view login) const {
  Value user = username ? Value{*username} : storage::null();
  if (db_.dialect() == Dialect::mysql) {
    Value params[] = {Value{telegram_id}, user, Value{std::string(login)}};
    auto r = db_.query("INSERT INTO tgplayers (telegram_id, username, login) VALUES (?, ?, ?)", params);
    if (!r) return r.error();
    return {};
  }
  Value params[] = {Value{telegram_id}, user, Value{std::string(login)}, Value{login_key(login)}};
  auto r = db_.query("INSERT INTO tgplayers (telegram_id, username, login, login_key) VALUES (?, ?, ?, ?)", params);
  if (!r) return r.error();
  return {};
}

Result<std::vector<std::string>> PlayerLinks::logins_for(std::int64_t telegram_id) const {
  Value p{telegram_id};
  auto r = db_.query("SELECT login FROM tgplayers WHERE telegram_id = ? ORDER BY login", std::span(&p, 1));
  if (!r) return r.error();
  std::vector<std::string> out;
  for (const auto& row : r->rows) out.push_back(row.text(0));
  return out;
}

Result<std::vector<Constant>> read_constants(storage::Database& db) {
  auto r = db.query("SELECT Name, Value, Description FROM constants ORDER BY Value ASC, my_row_id ASC");
  if (!r) return r.error();
  std::vector<Constant> out;
  for (const auto& row : r->rows) {
    Constant c;
    c.name = row.text(0);
    if (!row.is_null(1)) c.value = row.real(1);
    c.description = row.opt_text(2);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tzr::gamedb
