#include "shop/bot_lease.hpp"

namespace tzr::shop {

Result<bool> BotLeases::hold(const std::string& login, const std::string& owner, std::int64_t until, std::int64_t now) {
  const storage::Value take[] = {owner, until, login, owner, now};
  auto taken = db_.query("UPDATE shop_bot_leases SET owner = ?, lease_until = ? WHERE login = ? AND (owner = ? OR lease_until < ?)", take);
  if (!taken) return taken.error();
  if (taken->affected_rows > 0) return true;
  const storage::Value row[] = {login, owner, until};
  auto inserted = db_.query("INSERT INTO shop_bot_leases (login, owner, lease_until) VALUES (?, ?, ?)", row);
  if (inserted) return true;
  if (inserted.error().code == storage::kUniqueViolation) return false;  // held by a live owner
  return inserted.error();
}

Status BotLeases::release(const std::string& login, const std::string& owner) {
  const storage::Value params[] = {login, owner};
  auto r = db_.query("DELETE FROM shop_bot_leases WHERE login = ? AND owner = ?", params);
  if (!r) return r.error();
  return {};
}

Result<std::optional<std::string>> BotLeases::holder(const std::string& login, std::int64_t now) {
  const storage::Value params[] = {login, now};
  auto rows = db_.query("SELECT owner FROM shop_bot_leases WHERE login = ? AND lease_until >= ?", params);
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->rows.front().text(0));
}

}  // namespace tzr::shop
