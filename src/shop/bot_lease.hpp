#pragma once
// One owner per bot account across instances (several crawler processes on one database): a bot
// logs in to the game only while its instance holds the account's lease, a row renewed well
// inside its lifetime. A dead instance's leases run out and another instance takes the bot over.
// Blocking: call through a BlockingPool.
#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace tzr::shop {

class BotLeases {
 public:
  explicit BotLeases(storage::Database& db) : db_(db) {}
  // Times in Unix milliseconds. True when `owner` holds the lease of `login` until `until`: it
  // was free, already its own, or its holder let it run out.
  Result<bool> hold(const std::string& login, const std::string& owner, std::int64_t until, std::int64_t now);
  Status release(const std::string& login, const std::string& owner);
  // Who holds a live lease on `login`, if anyone.
  Result<std::optional<std::string>> holder(const std::string& login, std::int64_t now);

 private:
  storage::Database& db_;
};

}  // namespace tzr::shop
