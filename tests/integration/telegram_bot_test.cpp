// The registration bot (registration.md §2.6): its conversations over a real SQLite platform DB
// (a whole /register, a restart in the middle of one, /recover, /accounts, /cancel, groups), then
// `tzrhost telegram-bot` end to end against a fake Bot API, the game simulator and the game DB.
#include "app/platform_migrations.hpp"
#include "support/fake_bot_api.hpp"
#include "support/registration_env.hpp"
#include "support/temp_dir.hpp"
#include "telegram/bot_dialog.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <map>

using namespace tzr;
using namespace tzr::telegram;

namespace {

class FakeAccounts : public BotAccounts {
 public:
  boost::asio::awaitable<Status> register_account(registration::RegistrationRequest r) override {
    registered.push_back(r);
    if (!refuse_with.empty()) co_return Error::make(ErrorKind::conflict, refuse_with, "refused");
    owned[r.telegram_id].push_back(r.login);
    co_return Status{};
  }
  boost::asio::awaitable<registration::ResetResult> reset_passwords(registration::PasswordResetRequest r) override {
    resets.push_back(r);
    registration::ResetResult out;
    out.changed = owned[r.telegram_id];
    co_return out;
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> logins(std::int64_t telegram_id) override {
    co_return owned[telegram_id];
  }
  std::vector<registration::RegistrationRequest> registered;
  std::vector<registration::PasswordResetRequest> resets;
  std::map<std::int64_t, std::vector<std::string>> owned;
  std::string refuse_with;
};

class BotDialogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = storage::open_database("sqlite://" + dir.str() + "/platform.db");
    ASSERT_TRUE(opened) << opened.error().message;
    db = std::move(*opened);
    auto migrated = storage::migrate(*db, app::platform_migrations());
    ASSERT_TRUE(migrated) << migrated.error().message;
    restart();
  }
  // A new bot process over the same database.
  void restart() {
    dialog.reset();
    store = std::make_unique<SqlConversationStore>(*db);
    dialog = std::make_unique<BotDialog>(*store, accounts, blocking, [this] { return now; });
  }
  BotOutput send(const std::string& text, std::string lang = "en", std::int64_t user = 42) {
    BotUpdate u;
    u.chat_id = user;
    u.user_id = user;
    u.username = "ann";
    u.language_code = std::move(lang);
    u.message_id = ++message_id;
    u.text = text;
    return boost::asio::co_spawn(io, dialog->handle(u), boost::asio::use_future).get();
  }
  BotOutput press(const std::string& data, std::int64_t user = 42) {
    BotUpdate u;
    u.chat_id = user;
    u.user_id = user;
    u.language_code = "en";
    u.callback_id = "cb" + std::to_string(++message_id);
    u.callback_data = data;
    return boost::asio::co_spawn(io, dialog->handle(u), boost::asio::use_future).get();
  }
  static std::string first(const BotOutput& o) { return o.messages.empty() ? std::string() : o.messages.front().text; }
  std::int64_t stored_rows() {
    auto r = db->query("SELECT COUNT(*) FROM telegram_bot_conversations");
    return r ? r->rows.at(0).integer(0) : -1;
  }

  test::TempDir dir;
  std::unique_ptr<storage::Database> db;
  FakeAccounts accounts;
  // io before blocking: the pool's threads hold io executors until they are joined.
  boost::asio::thread_pool io{1};
  BlockingPool blocking{1};
  std::unique_ptr<SqlConversationStore> store;
  std::unique_ptr<BotDialog> dialog;
  std::int64_t now = 1'700'000'000;
  std::int64_t message_id = 0;
};

}  // namespace

TEST_F(BotDialogTest, FullRegisterConversation) {
  EXPECT_NE(first(send("/register")).find("login"), std::string::npos);
  EXPECT_NE(first(send("ab")).find("3–16"), std::string::npos);  // refused, asked again
  auto gender = send("alice");
  ASSERT_EQ(gender.messages.size(), 1u);
  ASSERT_EQ(gender.messages[0].buttons.size(), 2u);
  EXPECT_EQ(gender.messages[0].buttons[1].second, "gender:1");
  EXPECT_NE(first(send("male")).find("buttons"), std::string::npos);  // text is not a button press
  auto pressed = press("gender:1");
  EXPECT_TRUE(pressed.answer_callback_id.has_value());
  EXPECT_NE(first(pressed).find("password"), std::string::npos);
  auto short_pw = send("12345");
  EXPECT_EQ(short_pw.delete_message_id, message_id);  // a password never stays in the chat
  EXPECT_TRUE(accounts.registered.empty());
  auto done = send("mypass123");
  EXPECT_EQ(first(done), "Registration complete!");
  EXPECT_EQ(done.delete_message_id, message_id);
  ASSERT_EQ(accounts.registered.size(), 1u);
  const auto& r = accounts.registered[0];
  EXPECT_EQ(r.login, "alice");
  EXPECT_EQ(r.password, "mypass123");
  EXPECT_EQ(r.gender, 1);
  EXPECT_EQ(r.telegram_id, 42);
  EXPECT_EQ(r.username, "ann");
  EXPECT_EQ(stored_rows(), 0);
  EXPECT_EQ(first(send("/accounts")), "Your characters: alice");
}

TEST_F(BotDialogTest, RestartMidConversationLosesNothing) {
  send("/register", "ru");
  send("Игрок", "ru");
  press("gender:0");
  EXPECT_EQ(stored_rows(), 1);
  restart();
  auto done = send("mypass123", "ru");
  EXPECT_EQ(first(done), "Регистрация успешна!");
  ASSERT_EQ(accounts.registered.size(), 1u);
  EXPECT_EQ(accounts.registered[0].login, "Игрок");
  EXPECT_EQ(accounts.registered[0].gender, 0);
  // The stored row never held the password.
  auto r = db->query("SELECT COUNT(*) FROM telegram_bot_conversations");
  EXPECT_EQ(r->rows.at(0).integer(0), 0);
}

TEST_F(BotDialogTest, StaleConversationStartsOver) {
  send("/register");
  send("alice");
  now += 7200;
  auto late = press("gender:1");
  EXPECT_NE(first(late).find("/register"), std::string::npos);  // the help text
  EXPECT_TRUE(accounts.registered.empty());
}

TEST_F(BotDialogTest, RecoverSetsOnePasswordForEveryLogin) {
  EXPECT_NE(first(send("/recover")).find("/register"), std::string::npos);  // no characters yet
  accounts.owned[42] = {"alice", "bobby"};
  send("/recover");
  auto done = send("newpass77");
  EXPECT_EQ(first(done), "Password changed for: alice, bobby");
  EXPECT_EQ(done.delete_message_id, message_id);
  ASSERT_EQ(accounts.resets.size(), 1u);
  EXPECT_EQ(accounts.resets[0].telegram_id, 42);
  EXPECT_EQ(accounts.resets[0].password, "newpass77");
  EXPECT_FALSE(accounts.resets[0].login.has_value());
}

TEST_F(BotDialogTest, CancelAndCommandsAreNotAnswers) {
  EXPECT_EQ(first(send("/cancel")), "Nothing to cancel.");
  send("/register");
  EXPECT_NE(first(send("/accounts2")).find("/cancel"), std::string::npos);
  EXPECT_EQ(first(send("/cancel")), "Cancelled.");
  EXPECT_EQ(stored_rows(), 0);
  EXPECT_NE(first(send("alice")).find("/register"), std::string::npos);  // no conversation: help
}

TEST_F(BotDialogTest, RefusalsAreExplainedInTheUsersLanguage) {
  accounts.refuse_with = "login_taken";
  send("/register", "ru");
  send("alice", "ru");
  press("gender:1");
  EXPECT_EQ(first(send("mypass123", "ru")), "Этот логин уже занят. Начните заново: /register");
}

TEST_F(BotDialogTest, SilentOutsidePrivateChats) {
  BotUpdate u;
  u.chat_id = -100123;
  u.chat_type = "supergroup";
  u.user_id = 42;
  u.text = "/register";
  auto out = boost::asio::co_spawn(io, dialog->handle(u), boost::asio::use_future).get();
  EXPECT_TRUE(out.messages.empty());
  EXPECT_EQ(stored_rows(), 0);
}

TEST_F(BotDialogTest, ConversationsAreKeptPerChat) {
  send("/register", "en", 1);
  send("/register", "en", 2);
  send("alice", "en", 1);
  auto other = send("bobby", "en", 2);
  EXPECT_EQ(other.messages.at(0).buttons.size(), 2u);
  EXPECT_EQ(stored_rows(), 2);
}

namespace {

const std::string kBotToken = "5550003:AAF-bot_SECRET-token";

class TelegramBotProcessTest : public test::RegistrationEnv {
 protected:
  void start_bot() {
    bot.reset();
    std::map<std::string, std::string> env{
        {"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/platform.db"},
        {"TZR_GAME_DB__URL", game_db->url()},
        {"TZR_GAME__PORT", std::to_string(game_port)},
        {"TZR_GAME__TIMEOUT_MS", "1500"},
        {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
        {"TZR_TELEGRAM__BOT_TOKEN", kBotToken},
        {"TZR_TELEGRAM__API_BASE", fake.base_url()},
        {"TZR_LOG__LEVEL", "warn"},
    };
    bot = std::make_unique<test::ChildProcess>(std::vector<std::string>{test::tzrhost_bin(), "telegram-bot"}, env);
    auto line = bot->read_line(std::chrono::seconds(10));
    ASSERT_TRUE(line.has_value()) << bot->stderr_text();
    ASSERT_NE(line->find("tzrhost: telegram-bot polling"), std::string::npos) << *line;
  }
  // The text of the n-th sendMessage (1-based), once it is there.
  std::string reply(std::size_t n) {
    if (!fake.wait_for("sendMessage", n)) return "<no reply " + std::to_string(n) + ">";
    return std::string(fake.sent("sendMessage")[n - 1].at("text").as_string());
  }
  // Waits until the bot has polled again, so that it confirmed what it handled.
  void settle() {
    const int polls = fake.poll_calls();
    for (int i = 0; i < 200 && fake.poll_calls() < polls + 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  test::FakeBotApi fake{kBotToken};
  std::unique_ptr<test::ChildProcess> bot;
};

}  // namespace

TEST_P(TelegramBotProcessTest, RegisterAccountsAndRecoverThroughTelegram) {
  start_bot();
  fake.push_message(77, "/register");
  EXPECT_NE(reply(1).find("login"), std::string::npos);
  fake.push_message(77, "alice");
  const auto gender = reply(2);
  EXPECT_NE(gender.find("gender"), std::string::npos);
  const auto keyboard = fake.sent("sendMessage")[1].at("reply_markup").at("inline_keyboard").as_array();
  ASSERT_EQ(keyboard.at(0).as_array().size(), 2u);
  EXPECT_EQ(keyboard.at(0).as_array()[1].at("callback_data"), "gender:1");
  fake.push_callback(77, "gender:1");
  EXPECT_NE(reply(3).find("password"), std::string::npos);
  EXPECT_TRUE(fake.wait_for("answerCallbackQuery", 1));
  const auto password_message = fake.push_message(77, "mypass123");
  EXPECT_EQ(reply(4), "Registration complete!");
  ASSERT_TRUE(fake.wait_for("deleteMessage", 1));
  EXPECT_EQ(fake.sent("deleteMessage")[0].at("message_id").as_int64(), password_message);
  EXPECT_EQ(rows("telegram_id = 77 AND login = 'alice' AND username = 'ann'"), 1);
  EXPECT_EQ(adduser_count(), 1u);

  fake.push_message(77, "/accounts");
  EXPECT_EQ(reply(5), "Your characters: alice");
  fake.push_message(77, "/recover");
  reply(6);
  fake.push_message(77, "newpass77");
  EXPECT_EQ(reply(7), "Password changed for: alice");
  auto received = sim->received();
  std::size_t newpas = 0;
  for (const auto& m : received.as_array()) newpas += m.at("tag") == "NEWPAS";
  EXPECT_EQ(newpas, 1u);

  fake.push_message(77, "/register", "en", "supergroup");  // silent in groups
  fake.push_message(77, "/cancel");
  EXPECT_EQ(reply(8), "Nothing to cancel.");
  EXPECT_EQ(fake.sent("sendMessage")[7].at("chat_id").as_int64(), 77);
}

TEST_P(TelegramBotProcessTest, RestartInTheMiddleOfARegistration) {
  start_bot();
  fake.push_message(78, "/register", "ru");
  reply(1);
  fake.push_message(78, "Игрок", "ru");
  reply(2);
  fake.push_callback(78, "gender:0");
  reply(3);
  settle();
  bot->signal(SIGTERM);
  auto code = bot->wait(std::chrono::seconds(5));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);

  start_bot();
  fake.push_message(78, "mypass123", "ru");
  EXPECT_EQ(reply(4), "Регистрация успешна!");
  EXPECT_EQ(rows("telegram_id = 78"), 1);
  auto received = sim->received();
  ASSERT_EQ(received.as_array().size(), 1u);
  EXPECT_NE(std::string(received.as_array()[0].at("raw").as_string()).find(R"(g="0")"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(GameDb, TelegramBotProcessTest, ::testing::Values("sqlite", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });
