#include "registration/reset_password.hpp"

#include "game/game_client.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <limits>

namespace tzr::registration {
namespace {

constexpr std::size_t kMaxProofBytes = 4096;

std::optional<std::int64_t> strict_int(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return static_cast<std::int64_t>(v.get_uint64());
  return std::nullopt;
}

Error login_not_found() {
  // The same answer whether the login exists for someone else or not at all.
  return Error::make(ErrorKind::not_found, "login_not_found", "no such game account is linked to this Telegram user");
}

// Why one login's NEWPAS did not take effect, as an API error.
Error game_failure(const Result<game::GameReply>& reply) {
  if (!reply) {
    if (reply.error().code == game::kGameUnreachable)
      return Error::make(ErrorKind::bad_gateway, "game_server_unreachable", "the game server cannot be reached");
    if (reply.error().code == game::kGameTimeout)
      return Error::make(ErrorKind::gateway_timeout, "game_server_timeout", "the game server did not answer in time");
    return Error::make(ErrorKind::bad_gateway, "game_server_error", "the game server answered abnormally");
  }
  const std::string code = reply->code();
  return Error::make(ErrorKind::bad_gateway, "game_server_error",
                     "the game server refused the new password" + (code.empty() ? std::string() : " (" + code + ")"));
}

std::string joined(const std::vector<std::string>& logins) {
  std::string out;
  for (const auto& l : logins) out += (out.empty() ? "" : ", ") + l;
  return out;
}

}  // namespace

boost::asio::awaitable<Result<game::GameReply>> SocketGamePasswords::set_password(std::string login, std::string password) {
  auto frame = game::newpas_frame(login, password);
  if (!frame) co_return frame.error();
  Result<game::GameReply> reply = co_await client_.call(std::move(*frame));
  co_return reply;
}

PasswordResetValidation validate_password_reset(const boost::json::object& body) {
  PasswordResetRequest r;
  ValidationFailure f;
  auto fail = [&f](std::string_view field, std::string_view message) {
    f.fields.push_back({std::string(field), std::string(message)});
  };

  if (const auto* v = body.if_contains("telegram_id"); v && strict_int(*v) && *strict_int(*v) >= 1)
    r.telegram_id = *strict_int(*v);
  else
    fail("telegram_id", "telegram_id must be an integer from 1 to 9223372036854775807");

  if (const auto* v = body.if_contains("password"); v && v->is_string() && is_valid_password(v->get_string()))
    r.password = std::string(v->get_string());
  else
    fail("password", "Ошибка: Пароль должен быть от 6 до 20 символов на латинице");

  if (const auto* v = body.if_contains("login"); v && !v->is_null()) {
    if (v->is_string() && is_valid_login(v->get_string())) r.login = std::string(v->get_string());
    else fail("login", "Ошибка: Логин должен быть от 3 до 16 символов");
  }

  if (const auto* v = body.if_contains("telegram_auth"); v && !v->is_null()) {
    if (v->is_object() && boost::json::serialize(*v).size() <= kMaxProofBytes)
      r.telegram_proof = TelegramProof{"login_widget", boost::json::serialize(*v)};
    else
      fail("telegram_auth", "telegram_auth must be the Telegram Login Widget object");
  }
  if (const auto* v = body.if_contains("telegram_init_data"); v && !v->is_null()) {
    if (v->is_string() && !v->get_string().empty() && v->get_string().size() <= kMaxProofBytes)
      r.telegram_proof = TelegramProof{"web_app", std::string(v->get_string())};
    else
      fail("telegram_init_data", "telegram_init_data must be the Mini App initData string");
  }

  if (!f.fields.empty()) return f;
  return r;
}

ResetPassword::ResetPassword(const gamedb::PlayerDirectory& players, GamePasswords& game, TelegramGate& telegram,
                             BlockingPool& blocking, gateway::RateLimiter& limiter, PasswordResetPolicy policy)
    : players_(players), game_(game), telegram_(telegram), blocking_(blocking), limiter_(limiter), policy_(policy) {}

boost::asio::awaitable<ResetResult> ResetPassword::run(PasswordResetRequest request) {
  // Before the gate: a flood must not turn into Bot API calls.
  auto decision = co_await limiter_.take("password_reset:tg:" + std::to_string(request.telegram_id), policy_.per_telegram);
  if (!decision.allowed)
    co_return ResetResult{Error::make(ErrorKind::too_many_requests, "rate_limited", "too many password resets, try again later"),
                          {},
                          decision.retry_after_ms};
  Status admitted = co_await telegram_.admit(request.telegram_id, request.telegram_proof);
  if (!admitted) co_return ResetResult{admitted.error(), {}, 0};
  auto guard = co_await locks_.lock("tg:" + std::to_string(request.telegram_id));
  ResetResult result = co_await run_locked(std::move(request));
  co_return result;
}

boost::asio::awaitable<ResetResult> ResetPassword::run_locked(PasswordResetRequest r) {
  const std::int64_t telegram_id = r.telegram_id;
  auto owned = co_await blocking_.run([this, telegram_id] { return players_.logins_for(telegram_id); });
  if (!owned)
    co_return ResetResult{Error::unavailable("db_unavailable", "the game database is unavailable, try again later"), {}, 0};

  std::vector<std::string> targets;
  if (r.login) {
    const std::string wanted = gamedb::login_key(*r.login);
    for (const auto& login : *owned)
      if (gamedb::login_key(login) == wanted) targets.push_back(login);  // the spelling the game knows
  } else {
    targets = *owned;
  }
  if (targets.empty()) co_return ResetResult{login_not_found(), {}, 0};

  ResetResult result;
  std::vector<std::pair<std::string, Error>> failed;
  for (const auto& login : targets) {
    // Sent once each: a timeout is reported, never retried blindly.
    auto reply = co_await game_.set_password(login, r.password);
    if (reply && reply->ok()) {
      result.changed.push_back(login);
      continue;
    }
    Error e = game_failure(reply);
    spdlog::warn("password reset: NEWPAS not confirmed for a login of telegram_id={} ({})", telegram_id,
                 reply ? "refused " + reply->code() : reply.error().code);
    failed.emplace_back(login, std::move(e));
  }
  if (failed.empty()) co_return result;
  if (result.changed.empty() && failed.size() == 1) {
    result.status = failed.front().second;
    co_return result;
  }
  Error e = result.changed.empty()
                ? failed.front().second
                : Error::make(ErrorKind::bad_gateway, "password_reset_incomplete",
                              "the password was changed for " + joined(result.changed) + " only");
  for (const auto& [login, why] : failed) e.fields.push_back({login, why.code + ": " + why.message});
  result.status = std::move(e);
  co_return result;
}

}  // namespace tzr::registration
