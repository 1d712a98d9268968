#include "telegram/bot_client.hpp"

#include "core/json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tzr::telegram {
namespace {

namespace asio = boost::asio;
// Named values, not temporaries, go into co_await calls (GCC 12 coroutine bug).
constexpr std::chrono::milliseconds kCallTimeout{10'000};

std::int64_t int_at(const boost::json::object& o, std::string_view key) { return json::get_int(o, key).value_or(0); }

const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

void read_sender(const boost::json::object& from, BotUpdate& u) {
  u.user_id = int_at(from, "id");
  if (auto name = json::get_string(from, "username")) u.username = std::string(*name);
  u.language_code = std::string(json::get_string(from, "language_code").value_or(""));
}

void read_chat(const boost::json::object& message, BotUpdate& u) {
  u.message_id = int_at(message, "message_id");
  if (const auto* chat = object_at(message, "chat")) {
    u.chat_id = int_at(*chat, "id");
    u.chat_type = std::string(json::get_string(*chat, "type").value_or(""));
  }
}

}  // namespace

ReceivedUpdate parse_update(const boost::json::value& v) {
  ReceivedUpdate out;
  if (!v.is_object()) return out;
  const auto& o = v.get_object();
  out.update_id = int_at(o, "update_id");
  if (const auto* message = object_at(o, "message")) {
    const auto* from = object_at(*message, "from");
    auto text = json::get_string(*message, "text");
    if (!from || !text) return out;  // photos, stickers, service messages
    BotUpdate u;
    read_sender(*from, u);
    read_chat(*message, u);
    u.text = std::string(*text);
    out.update = std::move(u);
  } else if (const auto* callback = object_at(o, "callback_query")) {
    const auto* from = object_at(*callback, "from");
    const auto* shown = object_at(*callback, "message");  // the bot's message with the buttons
    auto id = json::get_string(*callback, "id");
    if (!from || !shown || !id) return out;
    BotUpdate u;
    read_sender(*from, u);
    read_chat(*shown, u);
    u.message_id = 0;  // the bot's own message, not the user's
    u.callback_id = std::string(*id);
    u.callback_data = std::string(json::get_string(*callback, "data").value_or(""));
    out.update = std::move(u);
  }
  return out;
}

BotClient::BotClient(net::HttpClient http, BotClientOptions options) : http_(std::move(http)), options_(std::move(options)) {
  while (!options_.api_base.empty() && options_.api_base.back() == '/') options_.api_base.pop_back();
}

asio::awaitable<Result<boost::json::value>> BotClient::call(std::string method, boost::json::object params,
                                                            std::chrono::milliseconds timeout) {
  net::HttpClientRequest req;
  req.method = "POST";
  req.url = options_.api_base + "/bot" + options_.token + "/" + method;
  req.headers.set("Content-Type", "application/json");
  req.body = boost::json::serialize(params);
  req.timeout = timeout;
  auto sent = co_await http_.request(std::move(req));
  if (!sent) co_return Error::make(sent.error().kind, "telegram_unreachable", "Telegram " + method + ": unreachable");
  auto answer = json::parse_object(sent->body, {.max_depth = 32});
  if (sent->status != 200 || !answer || !json::get_bool(*answer, "ok").value_or(false) || !answer->contains("result"))
    co_return Error::make(ErrorKind::bad_gateway, "telegram_rejected", "Telegram " + method + ": HTTP " + std::to_string(sent->status));
  co_return answer->at("result");
}

asio::awaitable<Result<std::vector<ReceivedUpdate>>> BotClient::get_updates(std::int64_t offset) {
  boost::json::object params{{"offset", offset},
                             {"timeout", options_.poll_timeout_s},
                             {"allowed_updates", boost::json::array{"message", "callback_query"}}};
  const std::string method = "getUpdates";
  const std::chrono::milliseconds timeout = std::chrono::seconds(options_.poll_timeout_s + 10);
  auto result = co_await call(method, std::move(params), timeout);
  if (!result) co_return result.error();
  if (!result->is_array()) co_return Error::make(ErrorKind::bad_gateway, "telegram_bad_response", "getUpdates: no array");
  std::vector<ReceivedUpdate> updates;
  for (const auto& v : result->get_array()) updates.push_back(parse_update(v));
  co_return updates;
}

asio::awaitable<Status> BotClient::send_message(std::int64_t chat_id, BotMessage message) {
  boost::json::object params{{"chat_id", chat_id}, {"text", message.text}};
  if (!message.buttons.empty()) {
    boost::json::array row;
    for (const auto& [label, data] : message.buttons) row.push_back(boost::json::object{{"text", label}, {"callback_data", data}});
    params["reply_markup"] = boost::json::object{{"inline_keyboard", boost::json::array{std::move(row)}}};
  }
  const std::string method = "sendMessage";
  auto result = co_await call(method, std::move(params), kCallTimeout);
  if (!result) co_return result.error();
  co_return Status{};
}

asio::awaitable<Status> BotClient::delete_message(std::int64_t chat_id, std::int64_t message_id) {
  const std::string method = "deleteMessage";
  boost::json::object params{{"chat_id", chat_id}, {"message_id", message_id}};
  auto result = co_await call(method, std::move(params), kCallTimeout);
  if (!result) co_return result.error();
  co_return Status{};
}

asio::awaitable<Status> BotClient::answer_callback(std::string callback_id) {
  const std::string method = "answerCallbackQuery";
  boost::json::object params{{"callback_query_id", callback_id}};
  auto result = co_await call(method, std::move(params), kCallTimeout);
  if (!result) co_return result.error();
  co_return Status{};
}

asio::awaitable<void> run_bot(BotClient& client, BotDialog& dialog, const std::atomic<bool>& stop) {
  std::int64_t offset = 0;
  auto backoff = std::chrono::seconds(1);
  auto executor = co_await asio::this_coro::executor;
  while (!stop) {
    auto updates = co_await client.get_updates(offset);
    if (!updates) {
      spdlog::warn("telegram bot: {} (retrying in {} s)", updates.error().message, backoff.count());
      asio::steady_timer timer(executor, backoff);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)ec;
      backoff = std::min<std::chrono::seconds>(backoff * 2, std::chrono::seconds(30));
      continue;
    }
    backoff = std::chrono::seconds(1);
    for (auto& received : *updates) {
      offset = std::max(offset, received.update_id + 1);
      if (!received.update) continue;
      const std::int64_t chat_id = received.update->chat_id;
      BotOutput out = co_await dialog.handle(std::move(*received.update));
      if (out.delete_message_id) {
        Status deleted = co_await client.delete_message(chat_id, *out.delete_message_id);
        if (!deleted) spdlog::warn("telegram bot: could not delete a password message: {}", deleted.error().message);
      }
      if (out.answer_callback_id) {
        Status answered = co_await client.answer_callback(*out.answer_callback_id);
        (void)answered;
      }
      for (auto& message : out.messages) {
        Status sent = co_await client.send_message(chat_id, std::move(message));
        if (!sent) spdlog::warn("telegram bot: sendMessage failed: {}", sent.error().message);
      }
    }
  }
}

}  // namespace tzr::telegram
