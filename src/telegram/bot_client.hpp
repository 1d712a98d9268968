#pragma once
// The Bot API calls the registration bot makes (getUpdates long polling, sendMessage,
// deleteMessage, answerCallbackQuery) and the polling loop that feeds a BotDialog. The token is
// in the URL path only; errors name the method, never the URL.
#include "core/error.hpp"
#include "net/http_client.hpp"
#include "telegram/bot_dialog.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tzr::telegram {

struct BotClientOptions {
  std::string api_base = "https://api.telegram.org";
  std::string token;
  int poll_timeout_s = 25;  // getUpdates long-poll wait
};

struct ReceivedUpdate {
  std::int64_t update_id = 0;
  std::optional<BotUpdate> update;  // nullopt: a kind of update the bot ignores
};

// One element of getUpdates' result, as the dialog reads it.
ReceivedUpdate parse_update(const boost::json::value& v);

class BotClient {
 public:
  BotClient(net::HttpClient http, BotClientOptions options);
  boost::asio::awaitable<Result<std::vector<ReceivedUpdate>>> get_updates(std::int64_t offset);
  boost::asio::awaitable<Status> send_message(std::int64_t chat_id, BotMessage message);
  boost::asio::awaitable<Status> delete_message(std::int64_t chat_id, std::int64_t message_id);
  boost::asio::awaitable<Status> answer_callback(std::string callback_id);

 private:
  boost::asio::awaitable<Result<boost::json::value>> call(std::string method, boost::json::object params,
                                                          std::chrono::milliseconds timeout);
  net::HttpClient http_;
  BotClientOptions options_;
};

// Polls until stop is set: each update goes through the dialog, its answers back to Telegram.
// A failed poll waits (1 s, doubling up to 30 s) and tries again.
boost::asio::awaitable<void> run_bot(BotClient& client, BotDialog& dialog, const std::atomic<bool>& stop);

}  // namespace tzr::telegram
