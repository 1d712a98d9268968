#include "registration/register_player.hpp"

#include "game/game_client.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>

namespace tzr::registration {
namespace {

Error db_unavailable() {
  return Error::unavailable("db_unavailable", "the game database is unavailable, try again later");
}

// A failed call to the game server, by what is known about the game's side.
Error game_call_error(const Error& e) {
  if (e.code == game::kGameUnreachable)
    return Error::make(ErrorKind::bad_gateway, "game_server_unreachable", "the game server cannot be reached");
  if (e.code == game::kGameTimeout)
    return Error::make(ErrorKind::gateway_timeout, "game_server_timeout", "the game server did not answer in time");
  return Error::make(ErrorKind::bad_gateway, "game_server_error", "the game server answered abnormally");
}

}  // namespace

RegisterPlayer::RegisterPlayer(const gamedb::PlayerDirectory& players, GameAccounts& game, TelegramGate& telegram,
                               BlockingPool& blocking, EventOutbox& outbox, RegistrationPolicy policy,
                               GameDbLocks* db_locks)
    : players_(players),
      game_(game),
      telegram_(telegram),
      blocking_(blocking),
      outbox_(outbox),
      policy_(std::move(policy)),
      db_locks_(db_locks) {}

boost::asio::awaitable<Status> RegisterPlayer::run(RegistrationRequest request) {
  Status admitted = co_await telegram_.admit(request.telegram_id, request.telegram_proof);
  if (!admitted) co_return admitted;
  // Always the Telegram lock first, then the login lock: a holder of a login lock never waits,
  // so there is no cycle.
  auto tg_guard = co_await locks_.lock("tg:" + std::to_string(request.telegram_id));
  const std::string key = gamedb::login_key(request.login);
  auto login_guard = co_await locks_.lock("login:" + key);
  if (!db_locks_) {
    Status result = co_await run_locked(request);
    co_return result;
  }
  // The same two locks across processes, held on one game DB connection; at most lanes() such
  // holders at once (see GameDbLocks).
  auto lane = co_await locks_.lock("lane:" + std::to_string(std::hash<std::string>{}(key) % db_locks_->lanes()));
  auto held = co_await blocking_.run([&] { return db_locks_->acquire(GameDbLocks::names_for(request.telegram_id, key)); });
  if (!held) {
    if (held.error().code == "registration_busy") co_return held.error();
    co_return db_unavailable();
  }
  Status result = co_await run_locked(request);
  co_await blocking_.run([&] { held->reset(); });  // releasing is a database call too
  co_return result;
}

boost::asio::awaitable<Status> RegisterPlayer::run_locked(const RegistrationRequest& r) {
  // Both reads in one hop to the database pool.
  struct Standing {
    Result<std::int64_t> accounts;
    Result<bool> login_taken;
  };
  auto standing = co_await blocking_.run([&] {
    auto accounts = players_.count_for_telegram(r.telegram_id);
    Result<bool> taken = false;
    if (accounts && *accounts < policy_.max_accounts_per_telegram) taken = players_.login_exists(r.login);
    return Standing{std::move(accounts), std::move(taken)};
  });
  if (!standing.accounts || !standing.login_taken) co_return db_unavailable();
  if (*standing.accounts >= policy_.max_accounts_per_telegram)
    co_return Error::make(ErrorKind::forbidden, "limit_exceeded",
                          "this Telegram account already has the maximum of " +
                              std::to_string(policy_.max_accounts_per_telegram) + " game accounts");
  if (*standing.login_taken) co_return Error::make(ErrorKind::conflict, "login_taken", "this login is already taken");

  // Sent exactly once: a timeout after sending is reported, never blindly retried.
  game::AddUser account{r.login, r.password, r.gender, policy_.adduser_email};
  auto reply = co_await game_.add_user(account);
  if (!reply) {
    spdlog::warn("registration: game call failed: {}", reply.error().code);
    co_return game_call_error(reply.error());
  }
  if (!reply->ok()) {
    const std::string code = reply->code();
    auto mapped = policy_.game_error_codes.find(code);
    if (mapped != policy_.game_error_codes.end()) {
      if (mapped->second == "login_taken")
        co_return Error::make(ErrorKind::conflict, "login_taken", "this login is already taken");
      co_return Error::make(ErrorKind::forbidden, mapped->second, "the game server refused the registration");
    }
    co_return Error::make(ErrorKind::bad_gateway, "game_server_error",
                          "the game server refused the registration" + (code.empty() ? std::string() : " (" + code + ")"));
  }

  auto linked = co_await blocking_.run([&] { return players_.insert(r.telegram_id, r.username, r.login); });
  if (!linked) {
    // The game account exists but its link row does not: the operator must know.
    spdlog::error("registration: game account created but the tgplayers row failed ({}); telegram_id={}",
                  linked.error().code, r.telegram_id);
    co_return db_unavailable();
  }

  boost::json::object event{{"type", "register"},
                            {"login", r.login},
                            {"telegram_id", r.telegram_id},
                            {"v", 1},
                            {"request_id", r.request_id ? boost::json::value(*r.request_id) : boost::json::value(nullptr)},
                            {"ts", std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()}};
  auto queued = co_await blocking_.run([&] { return outbox_.append("register", boost::json::serialize(event)); });
  if (!queued) spdlog::error("registration: outbox append failed ({}); the account is created", queued.error().code);
  co_return Status{};
}

}  // namespace tzr::registration
