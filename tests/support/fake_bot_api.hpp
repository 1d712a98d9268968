#pragma once
// A fake Telegram Bot API on 127.0.0.1 (free port), in process, for the Telegram gate's tests:
// GET /bot<token>/getChatMember answers from a per-user script (status, HTTP error, delay, 429
// with retry_after) and counts the calls. A wrong token gets Telegram's 401.
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tzr::test {

struct FakeBotReply {
  int http_status = 200;
  std::string status = "member";   // result.status of a 200
  std::optional<bool> is_member;   // result.is_member (sent for "restricted")
  bool ok = true;                  // a 200 with ok:false when false
  std::string description;         // of an error answer
  std::optional<int> retry_after;  // parameters.retry_after
  std::chrono::milliseconds delay{0};
  std::optional<std::string> raw_body;  // sent instead of the JSON built from the fields above

  static FakeBotReply member(std::string status = "member") {
    FakeBotReply r;
    r.status = std::move(status);
    return r;
  }
  static FakeBotReply error(int http_status, std::string description) {
    FakeBotReply r;
    r.http_status = http_status;
    r.ok = false;
    r.description = std::move(description);
    return r;
  }
  static FakeBotReply flood(int retry_after) {
    FakeBotReply r = error(429, "Too Many Requests: retry after " + std::to_string(retry_after));
    r.retry_after = retry_after;
    return r;
  }
};

class FakeBotApi {
 public:
  explicit FakeBotApi(std::string token);
  ~FakeBotApi();  // delayed replies are cut short
  FakeBotApi(const FakeBotApi&) = delete;
  FakeBotApi& operator=(const FakeBotApi&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // http://127.0.0.1:<port>, the value of telegram.api_base

  // Replies for user_id in this order; the last one then repeats.
  void script(std::int64_t user_id, std::vector<FakeBotReply> replies);
  void set(std::int64_t user_id, FakeBotReply reply) { script(user_id, {std::move(reply)}); }
  // For users without a script (by default Telegram's 400 "user not found").
  void set_default(FakeBotReply reply);

  // The bot side (getUpdates, sendMessage, deleteMessage, answerCallbackQuery): updates queued
  // here are served by getUpdates (held up to 300 ms when none is pending), and every other
  // call is recorded. A private chat's id is the user's id. Return the update's message_id.
  std::int64_t push_message(std::int64_t user_id, std::string text, std::string language_code = "en",
                            std::string chat_type = "private");
  void push_callback(std::int64_t user_id, std::string data, std::int64_t on_message_id = 1);
  // Recorded calls of one method (their JSON bodies), oldest first.
  std::vector<boost::json::object> sent(const std::string& method) const;
  // Waits until `method` was called at least count times; false on timeout.
  bool wait_for(const std::string& method, std::size_t count,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;
  int poll_calls() const;  // getUpdates calls

  int calls() const;                           // getChatMember calls with the right token
  int calls_for(std::int64_t user_id) const;
  int unauthorized_calls() const;              // calls with another token
  std::string last_chat_id() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Proofs signed as Telegram signs them (core.telegram.org, "Checking authorization" and "Validating
// data received via the Mini App"), written here independently of src/telegram.
// A Login Widget payload: fields (without hash) plus hash, as JSON text.
std::string signed_widget(const std::string& bot_token, boost::json::object fields);
// A Mini App initData query string: the pairs (decoded), percent-encoded, plus hash.
std::string signed_init_data(const std::string& bot_token, std::vector<std::pair<std::string, std::string>> pairs);

}  // namespace tzr::test
