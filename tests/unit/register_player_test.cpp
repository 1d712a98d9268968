// The registration use case with in-memory ports: ordering of checks, exactly-once game calls,
// no link row unless the game said OK, and the locks under a multi-threaded executor.
#include "registration/register_player.hpp"
#include "status/server_status.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

using namespace tzr;
using namespace tzr::registration;

namespace {

class FakeDirectory : public gamedb::PlayerDirectory {
 public:
  Result<std::int64_t> count_for_telegram(std::int64_t id) const override {
    std::lock_guard lk(mu);
    ++reads;
    if (down) return Error::unavailable("db_unavailable", "down");
    std::int64_t n = 0;
    for (auto& [login, tg] : rows) n += tg == id;
    return n;
  }
  Result<bool> login_exists(std::string_view login) const override {
    std::lock_guard lk(mu);
    return rows.count(gamedb::login_key(login)) > 0;
  }
  Status insert(std::int64_t id, const std::optional<std::string>&, std::string_view login) const override {
    std::lock_guard lk(mu);
    if (!rows.emplace(gamedb::login_key(login), id).second) return Error::make(ErrorKind::conflict, "db_unique_violation", "dup");
    return {};
  }
  Result<std::vector<std::string>> logins_for(std::int64_t) const override { return std::vector<std::string>{}; }

  mutable std::mutex mu;
  mutable std::map<std::string, std::int64_t> rows;
  mutable int reads = 0;
  bool down = false;
};

class FakeGame : public GameAccounts {
 public:
  boost::asio::awaitable<Result<game::GameReply>> add_user(game::AddUser) override {
    calls.fetch_add(1);
    // Yield so that concurrent callers really interleave.
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(1));
    co_await t.async_wait(boost::asio::use_awaitable);
    if (!error_code.empty()) co_return Error::make(ErrorKind::bad_gateway, error_code, "fake");
    game::GameReply r;
    r.tag = reply_tag;
    if (!reply_code.empty()) r.attributes["code"] = reply_code;
    co_return r;
  }
  std::atomic<int> calls{0};
  std::string reply_tag = "OK";
  std::string reply_code;
  std::string error_code;
};

class DenyTelegram : public TelegramGate {
 public:
  boost::asio::awaitable<Status> admit(std::int64_t, std::optional<TelegramProof>) override {
    co_return Error::make(ErrorKind::forbidden, "not_in_telegram_group", "join the group");
  }
};

class MemoryOutbox : public EventOutbox {
 public:
  Status append(std::string_view topic, std::string_view payload) override {
    std::lock_guard lk(mu);
    events.emplace_back(topic, payload);
    return {};
  }
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> events;
};

struct UseCase : ::testing::Test {
  FakeDirectory dir;
  FakeGame game;
  AllowAllTelegram telegram;
  MemoryOutbox outbox;
  // io first: members are destroyed in reverse, and the blocking pool's threads may still hold
  // io executors until they are joined.
  boost::asio::thread_pool io{4};
  BlockingPool blocking{2};

  Status run(RegisterPlayer& uc, RegistrationRequest r) {
    return boost::asio::co_spawn(io, uc.run(r), boost::asio::use_future).get();
  }
  RegisterPlayer make(TelegramGate* gate = nullptr) {
    return RegisterPlayer(dir, game, gate ? *gate : telegram, blocking, outbox, RegistrationPolicy{});
  }
  static RegistrationRequest request(std::string login, std::int64_t tg) {
    RegistrationRequest r;
    r.login = std::move(login);
    r.password = "mypass123";
    r.gender = 1;
    r.telegram_id = tg;
    return r;
  }
};

}  // namespace

TEST_F(UseCase, SuccessLinksAfterTheGameAndEmitsOneEvent) {
  auto uc = make();
  ASSERT_TRUE(run(uc, request("alice", 1)));
  EXPECT_EQ(game.calls, 1);
  EXPECT_EQ(dir.rows.count("alice"), 1u);
  ASSERT_EQ(outbox.events.size(), 1u);
  EXPECT_EQ(outbox.events[0].first, "register");
  EXPECT_NE(outbox.events[0].second.find(R"("login":"alice")"), std::string::npos);
  EXPECT_NE(outbox.events[0].second.find(R"("telegram_id":1)"), std::string::npos);
}

TEST_F(UseCase, TelegramRefusalComesFirstAndTouchesNothing) {
  DenyTelegram deny;
  auto uc = make(&deny);
  for (int i = 0; i < 5; ++i) dir.rows.emplace("x" + std::to_string(i), 9);
  auto st = run(uc, request("alice", 9));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "not_in_telegram_group");
  EXPECT_EQ(dir.reads, 0);
  EXPECT_EQ(game.calls, 0);
}

TEST_F(UseCase, LimitThenLoginThenGame) {
  auto uc = make();
  for (int i = 0; i < 5; ++i) dir.rows.emplace("acc" + std::to_string(i), 2);
  dir.rows.emplace("bob", 3);
  EXPECT_EQ(run(uc, request("Bob", 2)).error().code, "limit_exceeded");
  EXPECT_EQ(run(uc, request("BOB", 4)).error().code, "login_taken");
  EXPECT_EQ(game.calls, 0);
}

TEST_F(UseCase, GameOutcomesMapAndLeaveNoRow) {
  auto uc = make();
  struct Case {
    std::string tag, code, error, expect;
    ErrorKind kind;
  };
  for (const auto& c : std::vector<Case>{{"ERR", "REGISTER_DENIED", "", "game_server_error", ErrorKind::bad_gateway},
                                         {"ERR", "USER_EXISTS", "", "login_taken", ErrorKind::conflict},
                                         {"ERROR", "", "", "game_server_error", ErrorKind::bad_gateway},
                                         {"OK", "", "game_timeout", "game_server_timeout", ErrorKind::gateway_timeout},
                                         {"OK", "", "game_unreachable", "game_server_unreachable", ErrorKind::bad_gateway},
                                         {"OK", "", "game_no_response", "game_server_error", ErrorKind::bad_gateway}}) {
    game.reply_tag = c.tag;
    game.reply_code = c.code;
    game.error_code = c.error;
    auto st = run(uc, request("carol", 5));
    ASSERT_FALSE(st) << c.expect;
    EXPECT_EQ(st.error().code, c.expect);
    EXPECT_EQ(st.error().kind, c.kind) << c.expect;
    EXPECT_TRUE(dir.rows.empty());
  }
  EXPECT_EQ(game.calls, 6);  // one call per attempt, never retried
  EXPECT_TRUE(outbox.events.empty());
}

TEST_F(UseCase, DatabaseDownIsUnavailableBeforeTheGame) {
  auto uc = make();
  dir.down = true;
  auto st = run(uc, request("dave", 6));
  EXPECT_EQ(st.error().code, "db_unavailable");
  EXPECT_EQ(st.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(game.calls, 0);
}

TEST_F(UseCase, ConcurrentSameLoginAndSameUserHoldUnderThreads) {
  auto uc = make();
  std::vector<std::future<Status>> same_login, same_user;
  for (int i = 0; i < 50; ++i)
    same_login.push_back(boost::asio::co_spawn(io, uc.run(request("Racer", 100 + i)), boost::asio::use_future));
  for (int i = 0; i < 50; ++i)
    same_user.push_back(boost::asio::co_spawn(io, uc.run(request("user" + std::to_string(i), 77)), boost::asio::use_future));
  int ok_login = 0, ok_user = 0;
  for (auto& f : same_login) ok_login += static_cast<bool>(f.get());
  for (auto& f : same_user) ok_user += static_cast<bool>(f.get());
  EXPECT_EQ(ok_login, 1);
  EXPECT_EQ(ok_user, 5);
  EXPECT_EQ(game.calls, 6);
}

TEST(ConstantsCache, ServesStaleOnErrorAndFailsOnlyWhenNeverRead) {
  boost::asio::thread_pool io(1);
  BlockingPool blocking(1);
  int calls = 0;
  bool fail = true;
  status::ConstantsCache cache(
      [&]() -> Result<std::vector<gamedb::Constant>> {
        ++calls;
        if (fail) return Error::unavailable("db_unavailable", "down");
        return std::vector<gamedb::Constant>{{"ServerStatus", 1.0, "open"}};
      },
      blocking, std::chrono::milliseconds(0));
  auto get = [&] { return boost::asio::co_spawn(io, cache.get(), boost::asio::use_future).get(); };
  auto never = get();
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().kind, ErrorKind::bad_gateway);
  fail = false;
  auto good = get();
  ASSERT_TRUE(good);
  EXPECT_FALSE((*good)->stale);
  fail = true;
  auto stale = get();
  ASSERT_TRUE(stale);
  EXPECT_TRUE((*stale)->stale);
  EXPECT_EQ((*stale)->constants.at(0).name, "ServerStatus");
  EXPECT_NE((*stale)->status_json.find(R"("stale":true)"), std::string::npos);
  auto body = status::status_body((*stale)->constants, true);
  EXPECT_EQ(body.at("server_status").as_double(), 1.0);
  EXPECT_TRUE(body.at("rates").at("exp").is_null());  // a missing constant is null, not a default
  EXPECT_EQ(calls, 3);
}
