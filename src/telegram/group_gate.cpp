#include "telegram/group_gate.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>

namespace tzr::telegram {
namespace {

Error forbidden(std::string code, std::string message) {
  return Error::make(ErrorKind::forbidden, std::move(code), std::move(message));
}

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Error config_error(std::string message) { return Error::bad_request("config: " + std::move(message), "config_error"); }

}  // namespace

bool is_group_member(const ChatMember& m) {
  if (m.status == "member" || m.status == "administrator" || m.status == "creator") return true;
  return m.status == "restricted" && m.is_member;
}

GroupGate::GroupGate(BotApi api, GateOptions options, Metrics& metrics, UnixClock now)
    : api_(std::move(api)), options_(std::move(options)), now_(std::move(now)) {
  auto& family = prometheus::BuildCounter()
                     .Name("tzr_telegram_checks_total")
                     .Help("Telegram gate decisions on registrations, by outcome")
                     .Register(metrics.registry());
  auto outcome = [&family](const char* name) { return &family.Add({{"outcome", name}}); };
  count_ = Outcomes{outcome("member"),      outcome("cached"),       outcome("not_member"),  outcome("skipped"),
                    outcome("unavailable"), outcome("failed_open"), outcome("auth_invalid"), outcome("auth_required")};
}

boost::asio::awaitable<Status> GroupGate::admit(std::int64_t telegram_id, std::optional<registration::TelegramProof> proof) {
  // Identity first: a forged proof must not cost a Bot API call.
  if (auto st = check_identity(telegram_id, proof); !st) co_return st;
  auto st = co_await check_membership(telegram_id);
  co_return st;
}

Status GroupGate::check_identity(std::int64_t telegram_id, const std::optional<registration::TelegramProof>& proof) {
  if (!proof) {
    if (!options_.auth_required) return {};
    count_.auth_required->Increment();
    return forbidden("telegram_auth_required", "a verified Telegram login (telegram_auth or telegram_init_data) is required");
  }
  Result<std::int64_t> verified = forbidden("telegram_auth_invalid", "unknown Telegram proof kind");
  if (proof->kind == "login_widget")
    verified = verify_login_widget(proof->data, options_.bot_token, now_(), options_.identity);
  else if (proof->kind == "web_app")
    verified = verify_web_app(proof->data, options_.bot_token, now_(), options_.identity);
  if (verified && *verified != telegram_id)
    verified = forbidden("telegram_auth_invalid", "the Telegram authorization is for another telegram_id");
  if (!verified) {
    count_.auth_invalid->Increment();
    return verified.error();
  }
  return {};
}

boost::asio::awaitable<Status> GroupGate::check_membership(std::int64_t telegram_id) {
  if (options_.group_id.empty()) {
    count_.skipped->Increment();
    co_return Status{};
  }
  if (cached(telegram_id)) {
    count_.cached->Increment();
    co_return Status{};
  }
  auto answer = co_await api_.get_chat_member(options_.group_id, telegram_id);
  if (answer) {
    if (is_group_member(*answer)) {
      remember(telegram_id);
      count_.member->Increment();
      co_return Status{};
    }
    count_.not_member->Increment();
    co_return forbidden("not_in_telegram_group", "join the game's Telegram group first");
  }
  // A 400 is Telegram's answer about this user ("user not found"), not an outage.
  if (answer.error().code == "telegram_rejected") {
    count_.not_member->Increment();
    co_return forbidden("not_in_telegram_group", "join the game's Telegram group first");
  }
  co_return unavailable(telegram_id, answer.error());
}

Status GroupGate::unavailable(std::int64_t telegram_id, const Error& cause) {
  // A bad token or a bot outside the chat will not heal by itself: the operator must hear of it.
  auto level = cause.code == "telegram_misconfigured" ? spdlog::level::err : spdlog::level::warn;
  if (options_.fail_mode == FailMode::open) {
    count_.failed_open->Increment();
    spdlog::log(level, "telegram: membership unknown ({}: {}); admitting telegram_id={} (fail_mode=open)", cause.code,
                cause.message, telegram_id);
    return {};
  }
  count_.unavailable->Increment();
  spdlog::log(level, "telegram: membership unknown ({}: {}); refusing telegram_id={} (fail_mode=closed)", cause.code,
              cause.message, telegram_id);
  return Error::unavailable("telegram_unavailable", "Telegram cannot confirm the group membership now, try again later");
}

bool GroupGate::cached(std::int64_t telegram_id) {
  if (options_.cache_ttl_s <= 0) return false;
  std::lock_guard lock(cache_mu_);
  auto it = members_until_.find(telegram_id);
  return it != members_until_.end() && now_() < it->second;
}

void GroupGate::remember(std::int64_t telegram_id) {
  if (options_.cache_ttl_s <= 0) return;
  const std::int64_t now = now_();
  std::lock_guard lock(cache_mu_);
  if (members_until_.size() >= options_.cache_capacity) {
    std::erase_if(members_until_, [now](const auto& entry) { return entry.second <= now; });
    // Still full of live entries: forgetting them only costs extra Bot API calls.
    if (members_until_.size() >= options_.cache_capacity) members_until_.clear();
  }
  members_until_[telegram_id] = now + options_.cache_ttl_s;
}

Result<std::unique_ptr<registration::TelegramGate>> make_telegram_gate(const Config& c,
                                                                       boost::asio::any_io_executor executor,
                                                                       Metrics& metrics) {
  const std::string& token = c.string("telegram.bot_token");
  if (token.empty()) {
    if (c.boolean("telegram.auth_required"))
      return config_error("telegram.auth_required needs telegram.bot_token (proofs are checked with it)");
    return std::unique_ptr<registration::TelegramGate>(std::make_unique<registration::AllowAllTelegram>());
  }
  BotApiOptions api;
  api.api_base = c.string("telegram.api_base");
  if (api.api_base.rfind("http://", 0) != 0 && api.api_base.rfind("https://", 0) != 0)
    return config_error("telegram.api_base must be an http:// or https:// URL");
  api.token = token;
  api.timeout = std::chrono::milliseconds(c.integer("telegram.timeout_ms"));

  net::HttpClientOptions http;
  http.request_timeout = api.timeout;
  http.connect_timeout = std::min(api.timeout, http.connect_timeout);
  http.max_response_bytes = 256 * 1024;  // getChatMember answers are under 1 KiB

  GateOptions gate;
  gate.bot_token = token;
  gate.group_id = c.string("telegram.group_id");
  gate.fail_mode = c.string("telegram.fail_mode") == "open" ? FailMode::open : FailMode::closed;
  gate.cache_ttl_s = c.integer("telegram.cache_ttl_s");
  gate.auth_required = c.boolean("telegram.auth_required");
  gate.identity.max_age_s = c.integer("telegram.auth_max_age_s");

  if (gate.group_id.empty())
    spdlog::info("telegram: bot token set, no group_id: identity proofs checked, membership not");
  else
    spdlog::info("telegram: membership of {} checked via {} (fail_mode={}, cache {} s, auth_required={})",
                 gate.group_id, api.api_base, c.string("telegram.fail_mode"), gate.cache_ttl_s, gate.auth_required);
  return std::unique_ptr<registration::TelegramGate>(std::make_unique<GroupGate>(
      BotApi(net::HttpClient(std::move(executor), std::move(http)), std::move(api)), std::move(gate), metrics, system_now));
}

}  // namespace tzr::telegram
