#include "telegram/bot_dialog.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <string_view>

namespace tzr::telegram {
namespace {

enum class T {
  help, cancelled, nothing_to_cancel, ask_login, bad_login, ask_gender, use_buttons, ask_password, bad_password,
  registered, ask_new_password, no_accounts, reset_done, accounts, failed, finish_first, storage_down,
  login_taken, limit_exceeded, not_in_group, rate_limited, game_down
};

// RU first, then EN.
std::string_view text(T key, bool ru) {
  static const std::map<T, std::pair<std::string_view, std::string_view>> texts = {
      {T::help,
       {"Команды: /register — новый персонаж, /recover — новый пароль, /accounts — ваши персонажи, /cancel — отмена.",
        "Commands: /register — new character, /recover — new password, /accounts — your characters, /cancel — cancel."}},
      {T::cancelled, {"Отменено.", "Cancelled."}},
      {T::nothing_to_cancel, {"Нечего отменять.", "Nothing to cancel."}},
      {T::ask_login, {"Введите логин (3–16 символов, латиница или кириллица).", "Enter a login (3–16 characters, Latin or Cyrillic)."}},
      {T::bad_login, {"Ошибка: Логин должен быть от 3 до 16 символов. Попробуйте ещё раз.",
                      "The login must be 3–16 letters of one script, digits, _ - or space. Try again."}},
      {T::ask_gender, {"Выберите пол персонажа.", "Choose the character's gender."}},
      {T::use_buttons, {"Выберите пол кнопками ниже или /cancel.", "Choose with the buttons below, or /cancel."}},
      {T::ask_password, {"Введите пароль (6–20 символов на латинице).", "Enter a password (6–20 Latin characters)."}},
      {T::bad_password, {"Ошибка: Пароль должен быть от 6 до 20 символов на латинице. Попробуйте ещё раз.",
                         "The password must be 6–20 printable Latin characters. Try again."}},
      {T::registered, {"Регистрация успешна!", "Registration complete!"}},
      {T::ask_new_password, {"Введите новый пароль для всех ваших персонажей (6–20 символов на латинице).",
                             "Enter the new password for all your characters (6–20 Latin characters)."}},
      {T::no_accounts, {"У вас нет персонажей. Создайте одного: /register", "You have no characters yet. Create one: /register"}},
      {T::reset_done, {"Пароль изменён: ", "Password changed for: "}},
      {T::accounts, {"Ваши персонажи: ", "Your characters: "}},
      {T::failed, {"Не получилось, попробуйте позже.", "That did not work, please try again later."}},
      {T::finish_first, {"Сначала ответьте на вопрос выше или отправьте /cancel.", "Answer the question above first, or send /cancel."}},
      {T::storage_down, {"Сервис временно недоступен, попробуйте позже.", "The service is unavailable, please try again later."}},
      {T::login_taken, {"Этот логин уже занят. Начните заново: /register", "This login is taken. Start again: /register"}},
      {T::limit_exceeded, {"У вас уже максимальное число персонажей.", "You already have the maximum number of characters."}},
      {T::not_in_group, {"Сначала вступите в группу игры.", "Join the game's group first."}},
      {T::rate_limited, {"Слишком много попыток, подождите минуту.", "Too many attempts, wait a minute."}},
      {T::game_down, {"Игровой сервер не ответил, попробуйте позже.", "The game server did not answer, please try again later."}},
  };
  const auto& pair = texts.at(key);
  return ru ? pair.first : pair.second;
}

BotOutput say(T key, bool ru) { return BotOutput{{BotMessage{std::string(text(key, ru)), {}}}, {}, {}}; }

// The user's words for a use case's error code.
T for_error(const Error& e) {
  if (e.code == "login_taken") return T::login_taken;
  if (e.code == "limit_exceeded") return T::limit_exceeded;
  if (e.code == "not_in_telegram_group") return T::not_in_group;
  if (e.code == "rate_limited") return T::rate_limited;
  if (e.code == "login_not_found") return T::no_accounts;
  if (e.code.rfind("game_server", 0) == 0 || e.code == "password_reset_incomplete") return T::game_down;
  return T::failed;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

Result<std::optional<Conversation>> SqlConversationStore::load(std::int64_t chat_id) {
  std::vector<storage::Value> p{storage::Value{chat_id}};
  auto r = db_.query("SELECT chat_id, user_id, step, login, gender, updated_at FROM telegram_bot_conversations WHERE chat_id = ?", p);
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<Conversation>{};
  const auto& row = r->rows.front();
  Conversation c;
  c.chat_id = row.integer(0);
  c.user_id = row.integer(1);
  c.step = row.text(2);
  c.login = row.opt_text(3).value_or("");
  c.gender = static_cast<int>(row.opt_integer(4).value_or(-1));
  c.updated_at = row.integer(5);
  return std::optional<Conversation>{std::move(c)};
}

Status SqlConversationStore::save(const Conversation& c) {
  // DELETE + INSERT in one transaction: the same SQL on every backend.
  return db_.transaction([&c](storage::Session& s) -> Status {
    std::vector<storage::Value> key{storage::Value{c.chat_id}};
    if (auto r = s.query("DELETE FROM telegram_bot_conversations WHERE chat_id = ?", key); !r) return r.error();
    std::vector<storage::Value> p{storage::Value{c.chat_id}, storage::Value{c.user_id}, storage::Value{c.step},
                                  c.login.empty() ? storage::null() : storage::Value{c.login},
                                  c.gender < 0 ? storage::null() : storage::Value{std::int64_t{c.gender}},
                                  storage::Value{c.updated_at}};
    auto r = s.query("INSERT INTO telegram_bot_conversations (chat_id, user_id, step, login, gender, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     p);
    if (!r) return r.error();
    return Status{};
  });
}

Status SqlConversationStore::erase(std::int64_t chat_id) {
  std::vector<storage::Value> p{storage::Value{chat_id}};
  auto r = db_.query("DELETE FROM telegram_bot_conversations WHERE chat_id = ?", p);
  if (!r) return r.error();
  return Status{};
}

BotDialog::BotDialog(ConversationStore& store, BotAccounts& accounts, BlockingPool& blocking, Clock clock,
                     std::int64_t ttl_seconds)
    : store_(store), accounts_(accounts), blocking_(blocking), clock_(std::move(clock)), ttl_(ttl_seconds) {}

boost::asio::awaitable<Status> BotDialog::save(Conversation c) {
  c.updated_at = clock_();
  Status st = co_await blocking_.run([this, &c] { return store_.save(c); });
  co_return st;
}

boost::asio::awaitable<Status> BotDialog::forget(std::int64_t chat_id) {
  Status st = co_await blocking_.run([this, chat_id] { return store_.erase(chat_id); });
  co_return st;
}

boost::asio::awaitable<BotOutput> BotDialog::handle(BotUpdate u) {
  if (u.chat_type != "private") co_return BotOutput{};  // silent in groups
  const bool ru = u.language_code.rfind("ru", 0) == 0;
  if (!u.callback_id && !u.text.empty() && u.text.front() == '/') {
    BotOutput out = co_await command(std::move(u), ru);
    co_return out;
  }
  const std::int64_t chat_id = u.chat_id;
  auto loaded = co_await blocking_.run([this, chat_id] { return store_.load(chat_id); });
  if (!loaded) co_return say(T::storage_down, ru);
  if (!*loaded || (*loaded)->user_id != u.user_id || clock_() - (*loaded)->updated_at > ttl_) {
    BotOutput out = say(T::help, ru);
    if (u.callback_id) out.answer_callback_id = u.callback_id;
    co_return out;
  }
  Conversation c = std::move(**loaded);
  BotOutput out = co_await answer(std::move(u), std::move(c), ru);
  co_return out;
}

boost::asio::awaitable<BotOutput> BotDialog::command(BotUpdate u, bool ru) {
  std::string cmd = u.text.substr(0, u.text.find_first_of(" @"));
  if (cmd == "/cancel") {
    auto loaded = co_await blocking_.run([this, &u] { return store_.load(u.chat_id); });
    Status erased = co_await forget(u.chat_id);
    if (!loaded || !erased) co_return say(T::storage_down, ru);
    co_return say(*loaded ? T::cancelled : T::nothing_to_cancel, ru);
  }
  if (cmd == "/accounts") {
    auto logins = co_await accounts_.logins(u.user_id);
    if (!logins) co_return say(T::storage_down, ru);
    if (logins->empty()) co_return say(T::no_accounts, ru);
    co_return BotOutput{{BotMessage{std::string(text(T::accounts, ru)) + joined(*logins), {}}}, {}, {}};
  }
  if (cmd == "/register") {
    // A named object, not a temporary: GCC 12 destroys aggregate temporaries passed to co_await twice.
    Conversation fresh{u.chat_id, u.user_id, "register_login", "", -1, 0};
    Status saved = co_await save(fresh);
    co_return say(saved ? T::ask_login : T::storage_down, ru);
  }
  if (cmd == "/recover") {
    auto logins = co_await accounts_.logins(u.user_id);
    if (!logins) co_return say(T::storage_down, ru);
    if (logins->empty()) co_return say(T::no_accounts, ru);
    Conversation fresh{u.chat_id, u.user_id, "recover_password", "", -1, 0};
    Status saved = co_await save(fresh);
    co_return say(saved ? T::ask_new_password : T::storage_down, ru);
  }
  // /start, /help and unknown commands. Mid-conversation, a command is not an answer.
  auto loaded = co_await blocking_.run([this, &u] { return store_.load(u.chat_id); });
  if (loaded && *loaded && cmd != "/start" && cmd != "/help") co_return say(T::finish_first, ru);
  co_return say(T::help, ru);
}

boost::asio::awaitable<BotOutput> BotDialog::answer(BotUpdate u, Conversation c, bool ru) {
  if (c.step == "register_login") {
    if (u.callback_id) co_return BotOutput{{}, {}, u.callback_id};
    if (!registration::is_valid_login(u.text)) co_return say(T::bad_login, ru);
    c.login = u.text;
    c.step = "register_gender";
    Status saved = co_await save(c);
    if (!saved) co_return say(T::storage_down, ru);
    const bool ru_labels = ru;
    co_return BotOutput{{BotMessage{std::string(text(T::ask_gender, ru)),
                                    {{ru_labels ? "♀ Женский" : "♀ Female", "gender:0"},
                                     {ru_labels ? "♂ Мужской" : "♂ Male", "gender:1"}}}},
                        {},
                        {}};
  }
  if (c.step == "register_gender") {
    if (!u.callback_data || (*u.callback_data != "gender:0" && *u.callback_data != "gender:1")) {
      BotOutput out = say(T::use_buttons, ru);
      out.answer_callback_id = u.callback_id;
      co_return out;
    }
    c.gender = *u.callback_data == "gender:1" ? 1 : 0;
    c.step = "register_password";
    Status saved = co_await save(c);
    BotOutput out = say(saved ? T::ask_password : T::storage_down, ru);
    out.answer_callback_id = u.callback_id;
    co_return out;
  }
  if (c.step == "register_password" || c.step == "recover_password") {
    if (u.callback_id) co_return BotOutput{{}, {}, u.callback_id};
    // The password is in the chat history: take it out whatever happens next.
    const std::optional<std::int64_t> to_delete = u.message_id;
    if (!registration::is_valid_password(u.text)) {
      BotOutput out = say(T::bad_password, ru);
      out.delete_message_id = to_delete;
      co_return out;
    }
    Status erased = co_await forget(c.chat_id);
    if (!erased) spdlog::warn("telegram bot: could not clear the conversation of chat {}", c.chat_id);
    BotOutput out;
    if (c.step == "register_password") {
      registration::RegistrationRequest r;
      r.login = c.login;
      r.password = u.text;
      r.gender = c.gender;
      r.telegram_id = u.user_id;
      r.username = u.username;
      Status done = co_await accounts_.register_account(std::move(r));
      out = say(done ? T::registered : for_error(done.error()), ru);
    } else {
      registration::PasswordResetRequest r;
      r.telegram_id = u.user_id;
      r.password = u.text;
      auto done = co_await accounts_.reset_passwords(std::move(r));
      if (done.status) out = BotOutput{{BotMessage{std::string(text(T::reset_done, ru)) + joined(done.changed), {}}}, {}, {}};
      else out = say(for_error(done.status.error()), ru);
    }
    out.delete_message_id = to_delete;
    co_return out;
  }
  // A step this version does not know (a newer bot wrote it): start over.
  Status erased = co_await forget(c.chat_id);
  (void)erased;
  co_return say(T::help, ru);
}

}  // namespace tzr::telegram
