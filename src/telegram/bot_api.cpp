#include "telegram/bot_api.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "core/json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <utility>

namespace tzr::telegram {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxDescription = 200;  // Telegram's texts are short; a proxy's page is not

Error api_error(ErrorKind kind, std::string code, const std::string& method, std::string detail) {
  return Error::make(kind, std::move(code), "Telegram " + method + ": " + std::move(detail));
}

// The body of any Bot API answer, when it is the documented JSON object.
std::optional<boost::json::object> answer_object(const std::string& body) {
  auto parsed = json::parse_object(body, {.max_depth = 16});
  if (!parsed) return std::nullopt;
  return std::move(*parsed);
}

std::string describe(int status, const std::optional<boost::json::object>& answer) {
  std::string text = "HTTP " + std::to_string(status);
  if (answer)
    if (auto d = json::get_string(*answer, "description"))
      text += " (" + std::string(d->substr(0, kMaxDescription)) + ")";
  return text;
}

std::optional<std::chrono::seconds> retry_after(const std::optional<boost::json::object>& answer) {
  if (!answer) return std::nullopt;
  const auto* params = answer->if_contains("parameters");
  if (!params || !params->is_object()) return std::nullopt;
  auto seconds = json::get_int(params->get_object(), "retry_after");
  if (!seconds || *seconds < 0) return std::nullopt;
  return std::chrono::seconds(*seconds);
}

}  // namespace

std::string encode_query_value(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

BotApi::BotApi(net::HttpClient http, BotApiOptions options) : http_(std::move(http)), options_(std::move(options)) {
  while (!options_.api_base.empty() && options_.api_base.back() == '/') options_.api_base.pop_back();
}

std::string BotApi::scrub(std::string text) const {
  if (options_.token.empty()) return text;
  for (auto at = text.find(options_.token); at != std::string::npos; at = text.find(options_.token, at))
    text.replace(at, options_.token.size(), "***");
  return text;
}

asio::awaitable<Result<ChatMember>> BotApi::get_chat_member(std::string chat_id, std::int64_t user_id) {
  const std::string method = "getChatMember";
  auto result = co_await call(method, "chat_id=" + encode_query_value(chat_id) + "&user_id=" + std::to_string(user_id));
  if (!result) co_return result.error();
  if (!result->is_object())
    co_return api_error(ErrorKind::bad_gateway, "telegram_bad_response", method, "result is not an object");
  const auto& fields = result->get_object();
  auto status = json::get_string(fields, "status");
  if (!status) co_return api_error(ErrorKind::bad_gateway, "telegram_bad_response", method, "result has no status");
  ChatMember member;
  member.status = std::string(*status);
  member.is_member = json::get_bool(fields, "is_member").value_or(false);
  co_return member;
}

asio::awaitable<Result<boost::json::value>> BotApi::call(std::string method, std::string query) {
  net::HttpClientRequest req;
  req.method = "GET";
  req.url = options_.api_base + "/bot" + options_.token + "/" + method + "?" + query;
  req.timeout = options_.timeout;
  // Telegram's flood control names how long to wait; waiting once is worth it when that is short,
  // a second 429 means the bot is throttled for longer than a registration can wait.
  for (int attempt = 0;; ++attempt) {
    auto sent = co_await http_.request(req);
    if (!sent)
      co_return api_error(sent.error().kind, "telegram_unreachable", method, scrub(sent.error().message));
    const int status = sent->status;
    auto answer = answer_object(sent->body);
    if (status == 429) {
      auto wait = retry_after(answer);
      if (attempt == 0 && wait && *wait <= options_.max_retry_wait) {
        auto executor = co_await asio::this_coro::executor;
        asio::steady_timer timer(executor, *wait);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        (void)ec;
        continue;
      }
      co_return api_error(ErrorKind::unavailable, "telegram_rate_limited", method, scrub(describe(status, answer)));
    }
    if (status == 400)
      co_return api_error(ErrorKind::bad_request, "telegram_rejected", method, scrub(describe(status, answer)));
    if (status == 401 || status == 403 || status == 404)
      co_return api_error(ErrorKind::unavailable, "telegram_misconfigured", method, scrub(describe(status, answer)));
    if (status != 200)
      co_return api_error(ErrorKind::bad_gateway, "telegram_server_error", method, scrub(describe(status, answer)));
    if (!answer) co_return api_error(ErrorKind::bad_gateway, "telegram_bad_response", method, "the body is not JSON");
    auto ok = json::get_bool(*answer, "ok");
    if (ok && !*ok)
      co_return api_error(ErrorKind::bad_request, "telegram_rejected", method, scrub(describe(status, answer)));
    const auto* result = answer->if_contains("result");
    if (!ok || !result) co_return api_error(ErrorKind::bad_gateway, "telegram_bad_response", method, "no ok/result");
    co_return *result;
  }
}

}  // namespace tzr::telegram
