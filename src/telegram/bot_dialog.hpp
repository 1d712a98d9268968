#pragma once
// The registration bot's conversations (registration.md §2.6): /register asks login → gender
// (inline buttons) → password, /recover asks a new password for every login of the user,
// /accounts lists them, /cancel forgets the conversation. Private chats only; elsewhere the bot
// stays silent. Transport-free: an update in, the bot's answers out, so it is tested without
// Telegram. The conversation is stored after every step, so a restart loses nothing.
#include "core/blocking.hpp"
#include "core/error.hpp"
#include "registration/reset_password.hpp"
#include "registration/validation.hpp"
#include "storage/database.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tzr::telegram {

// What the bot reads of one Bot API update (a message or an inline-button press).
struct BotUpdate {
  std::int64_t chat_id = 0;
  std::string chat_type = "private";
  std::int64_t user_id = 0;
  std::optional<std::string> username;
  std::string language_code;  // "ru…" gets Russian texts, anything else English
  std::int64_t message_id = 0;
  std::string text;                          // a message's text
  std::optional<std::string> callback_id;    // set for a button press
  std::optional<std::string> callback_data;  // the pressed button's data
};

struct BotMessage {
  std::string text;
  std::vector<std::pair<std::string, std::string>> buttons;  // label, callback data
};

struct BotOutput {
  std::vector<BotMessage> messages;                 // sendMessage to the update's chat
  std::optional<std::int64_t> delete_message_id;    // deleteMessage (a message holding a password)
  std::optional<std::string> answer_callback_id;    // answerCallbackQuery
};

struct Conversation {
  std::int64_t chat_id = 0;
  std::int64_t user_id = 0;
  std::string step;  // register_login, register_gender, register_password, recover_password
  std::string login;
  int gender = -1;
  std::int64_t updated_at = 0;
};

class ConversationStore {
 public:
  virtual ~ConversationStore() = default;
  // Blocking.
  virtual Result<std::optional<Conversation>> load(std::int64_t chat_id) = 0;
  virtual Status save(const Conversation& c) = 0;
  virtual Status erase(std::int64_t chat_id) = 0;
};

// In the platform DB (telegram/migrations.hpp).
class SqlConversationStore final : public ConversationStore {
 public:
  explicit SqlConversationStore(storage::Database& db) : db_(db) {}
  Result<std::optional<Conversation>> load(std::int64_t chat_id) override;
  Status save(const Conversation& c) override;
  Status erase(std::int64_t chat_id) override;

 private:
  storage::Database& db_;
};

// What the bot does with accounts: the same use cases as the HTTP entry points.
class BotAccounts {
 public:
  virtual ~BotAccounts() = default;
  virtual boost::asio::awaitable<Status> register_account(registration::RegistrationRequest request) = 0;
  virtual boost::asio::awaitable<registration::ResetResult> reset_passwords(registration::PasswordResetRequest request) = 0;
  virtual boost::asio::awaitable<Result<std::vector<std::string>>> logins(std::int64_t telegram_id) = 0;
};

class BotDialog {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds
  // A conversation untouched for longer than ttl_seconds starts over.
  BotDialog(ConversationStore& store, BotAccounts& accounts, BlockingPool& blocking, Clock clock,
            std::int64_t ttl_seconds = 3600);

  boost::asio::awaitable<BotOutput> handle(BotUpdate update);

 private:
  // By value: a coroutine must own its arguments.
  boost::asio::awaitable<BotOutput> command(BotUpdate u, bool ru);
  boost::asio::awaitable<BotOutput> answer(BotUpdate u, Conversation c, bool ru);
  boost::asio::awaitable<Status> save(Conversation c);
  boost::asio::awaitable<Status> forget(std::int64_t chat_id);

  ConversationStore& store_;
  BotAccounts& accounts_;
  BlockingPool& blocking_;
  Clock clock_;
  std::int64_t ttl_;
};

}  // namespace tzr::telegram
