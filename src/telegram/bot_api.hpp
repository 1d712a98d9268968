#pragma once
// The few Telegram Bot API calls tzr-host makes, over our own HttpClient. The bot token travels
// in the URL path (/bot<token>/<method>), so it appears in no error message and no log line:
// errors name only the Bot API method.
#include "core/error.hpp"
#include "net/http_client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tzr::telegram {

struct BotApiOptions {
  std::string api_base = "https://api.telegram.org";  // no trailing slash needed
  std::string token;
  std::chrono::milliseconds timeout{5000};  // per HTTP call
  // A 429 asking to wait longer than this is not waited for (the registration would time out).
  std::chrono::milliseconds max_retry_wait{5000};
};

// getChatMember's answer, reduced to what the membership rule reads.
struct ChatMember {
  std::string status;      // creator, administrator, member, restricted, left, kicked
  bool is_member = false;  // only sent for "restricted"
};

// Error codes of BotApi calls:
//   telegram_rejected      bad_request   HTTP 400, or ok:false: Telegram answered about the query
//                                        itself (e.g. "user not found")
//   telegram_misconfigured unavailable   HTTP 401/403/404: bad token, bot not in the chat, no chat
//   telegram_rate_limited  unavailable   HTTP 429 again after the one honoured retry_after, or a
//                                        retry_after above max_retry_wait
//   telegram_server_error  bad_gateway   HTTP 5xx or any other unexpected status
//   telegram_bad_response  bad_gateway   a 200 whose body is not the documented JSON
//   telegram_unreachable   (the HttpClient's kind) connect, TLS, timeout or protocol failure
class BotApi {
 public:
  BotApi(net::HttpClient http, BotApiOptions options);

  boost::asio::awaitable<Result<ChatMember>> get_chat_member(std::string chat_id, std::int64_t user_id);

  const BotApiOptions& options() const { return options_; }

 private:
  // One Bot API call with the 429 rule applied; returns the answer's `result` member.
  boost::asio::awaitable<Result<boost::json::value>> call(std::string method, std::string query);
  std::string scrub(std::string text) const;  // the token, should a peer echo it, becomes ***

  net::HttpClient http_;
  BotApiOptions options_;
};

// Percent-encodes a query value (RFC 3986 unreserved characters pass; "@group" stays valid).
std::string encode_query_value(std::string_view value);

}  // namespace tzr::telegram
