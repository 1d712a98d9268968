// The password reset use case with in-memory ports: only the caller's logins get a NEWPAS, each
// reply is checked, the Telegram gate and the per-user rate limit come first.
#include "registration/reset_password.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

using namespace tzr;
using namespace tzr::registration;

namespace {

class FakeDirectory : public gamedb::PlayerDirectory {
 public:
  Result<std::int64_t> count_for_telegram(std::int64_t) const override { return 0; }
  Result<bool> login_exists(std::string_view) const override { return false; }
  Status insert(std::int64_t, const std::optional<std::string>&, std::string_view) const override { return {}; }
  Result<std::vector<std::string>> logins_for(std::int64_t telegram_id) const override {
    if (down) return Error::unavailable("db_unavailable", "down");
    std::vector<std::string> out;
    for (const auto& [login, tg] : rows)
      if (tg == telegram_id) out.push_back(login);
    return out;
  }
  std::vector<std::pair<std::string, std::int64_t>> rows;
  bool down = false;
};

class FakePasswords : public GamePasswords {
 public:
  boost::asio::awaitable<Result<game::GameReply>> set_password(std::string login, std::string password) override {
    {
      std::lock_guard lk(mu);
      sent.emplace_back(login, password);
    }
    if (auto it = transport_errors.find(login); it != transport_errors.end())
      co_return Error::make(ErrorKind::bad_gateway, it->second, "fake");
    game::GameReply r;
    r.tag = "OK";
    if (auto it = refusals.find(login); it != refusals.end()) {
      r.tag = "ERR";
      r.attributes["code"] = it->second;
    }
    co_return r;
  }
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> sent;
  std::map<std::string, std::string> refusals;         // login → ERR code
  std::map<std::string, std::string> transport_errors;  // login → GameClient error code
};

class CountingGate : public TelegramGate {
 public:
  boost::asio::awaitable<Status> admit(std::int64_t, std::optional<TelegramProof> proof) override {
    ++calls;
    last_proof = proof;
    if (deny) co_return Error::make(ErrorKind::forbidden, "not_in_telegram_group", "join the group");
    co_return Status{};
  }
  std::atomic<int> calls{0};
  std::optional<TelegramProof> last_proof;
  bool deny = false;
};

struct Reset : ::testing::Test {
  FakeDirectory dir;
  FakePasswords game;
  CountingGate gate;
  // io before blocking: the pool's threads hold io executors until they are joined, so the pool
  // must be destroyed (joined) first.
  boost::asio::thread_pool io{2};
  BlockingPool blocking{2};
  std::int64_t now_ms = 1'000'000;
  gateway::InProcessRateLimiter limiter{[this] { return now_ms; }};
  ResetPassword uc{dir, game, gate, blocking, limiter, PasswordResetPolicy{}};

  void SetUp() override { dir.rows = {{"alice", 1}, {"Боб", 1}, {"carol", 2}}; }

  ResetResult run(std::int64_t tg, std::optional<std::string> login = std::nullopt, std::string password = "newpass1") {
    PasswordResetRequest r;
    r.telegram_id = tg;
    r.password = std::move(password);
    r.login = std::move(login);
    return boost::asio::co_spawn(io, uc.run(r), boost::asio::use_future).get();
  }
};

PasswordResetValidation validate(std::string_view text) { return validate_password_reset(boost::json::parse(text).as_object()); }

std::vector<std::string> fields_of(const PasswordResetValidation& v) {
  std::vector<std::string> out;
  if (const auto* f = std::get_if<ValidationFailure>(&v))
    for (const auto& e : f->fields) out.push_back(e.field);
  return out;
}

}  // namespace

TEST_F(Reset, EveryLoginOfTheCallerAndNoOther) {
  auto r = run(1);
  ASSERT_TRUE(r.status) << r.status.error().code;
  EXPECT_EQ(r.changed, (std::vector<std::string>{"alice", "Боб"}));
  ASSERT_EQ(game.sent.size(), 2u);
  EXPECT_EQ(game.sent[0], (std::pair<std::string, std::string>{"alice", "newpass1"}));
  EXPECT_EQ(game.sent[1].first, "Боб");
  EXPECT_EQ(gate.calls, 1);
}

TEST_F(Reset, OneLoginMatchedCaseInsensitivelyUsesTheStoredSpelling) {
  auto r = run(1, "бОб");
  ASSERT_TRUE(r.status);
  ASSERT_EQ(game.sent.size(), 1u);
  EXPECT_EQ(game.sent[0].first, "Боб");
  EXPECT_EQ(r.changed, (std::vector<std::string>{"Боб"}));
}

TEST_F(Reset, SomeoneElsesLoginLooksLikeAnUnknownOne) {
  auto other = run(1, "carol");
  ASSERT_FALSE(other.status);
  EXPECT_EQ(other.status.error().code, "login_not_found");
  EXPECT_EQ(other.status.error().kind, ErrorKind::not_found);
  auto unknown = run(1, "nobody");
  ASSERT_FALSE(unknown.status);
  EXPECT_EQ(unknown.status.error().message, other.status.error().message);
  auto none = run(3);
  ASSERT_FALSE(none.status);
  EXPECT_EQ(none.status.error().code, "login_not_found");
  EXPECT_TRUE(game.sent.empty());
}

TEST_F(Reset, TelegramGateRefusalSendsNothing) {
  gate.deny = true;
  auto r = run(1);
  ASSERT_FALSE(r.status);
  EXPECT_EQ(r.status.error().code, "not_in_telegram_group");
  EXPECT_TRUE(game.sent.empty());
}

TEST_F(Reset, ProofIsHandedToTheGate) {
  PasswordResetRequest req;
  req.telegram_id = 1;
  req.password = "newpass1";
  req.telegram_proof = TelegramProof{"web_app", "query_id=1&hash=ab"};
  auto r = boost::asio::co_spawn(io, uc.run(req), boost::asio::use_future).get();
  ASSERT_TRUE(r.status);
  ASSERT_TRUE(gate.last_proof.has_value());
  EXPECT_EQ(gate.last_proof->data, "query_id=1&hash=ab");
}

TEST_F(Reset, GameRefusalIsAnErrorAndOnlyOkCounts) {
  game.refusals["alice"] = "NO_USER";
  auto one = run(1, "alice");
  ASSERT_FALSE(one.status);
  EXPECT_EQ(one.status.error().code, "game_server_error");
  EXPECT_NE(one.status.error().message.find("NO_USER"), std::string::npos);
  EXPECT_TRUE(one.changed.empty());
}

TEST_F(Reset, PartialFailureNamesEachFailedLogin) {
  game.transport_errors["Боб"] = "game_timeout";
  auto r = run(1);
  ASSERT_FALSE(r.status);
  EXPECT_EQ(r.status.error().code, "password_reset_incomplete");
  EXPECT_EQ(r.changed, (std::vector<std::string>{"alice"}));
  ASSERT_EQ(r.status.error().fields.size(), 1u);
  EXPECT_EQ(r.status.error().fields[0].field, "Боб");
  EXPECT_EQ(r.status.error().fields[0].message.rfind("game_server_timeout", 0), 0u);
  EXPECT_EQ(game.sent.size(), 2u);  // one failure does not stop the others
}

TEST_F(Reset, TransportErrorsMapLikeRegistration) {
  game.transport_errors["alice"] = "game_unreachable";
  auto r = run(1, "alice");
  ASSERT_FALSE(r.status);
  EXPECT_EQ(r.status.error().code, "game_server_unreachable");
  EXPECT_EQ(r.status.error().kind, ErrorKind::bad_gateway);
}

TEST_F(Reset, DatabaseDownIs503) {
  dir.down = true;
  auto r = run(1);
  ASSERT_FALSE(r.status);
  EXPECT_EQ(r.status.error().code, "db_unavailable");
  EXPECT_TRUE(game.sent.empty());
}

TEST_F(Reset, RateLimitedPerTelegramUserBeforeTheGate) {
  // 3 per minute with a burst of 2: three back-to-back resets pass, the fourth waits 20 s.
  for (int i = 0; i < 3; ++i) {
    auto ok = run(1, "alice");
    EXPECT_TRUE(ok.status) << i;
  }
  auto limited = run(1, "alice");
  ASSERT_FALSE(limited.status);
  EXPECT_EQ(limited.status.error().code, "rate_limited");
  EXPECT_EQ(limited.status.error().kind, ErrorKind::too_many_requests);
  EXPECT_GT(limited.retry_after_ms, 0);
  EXPECT_EQ(gate.calls, 3);
  EXPECT_EQ(game.sent.size(), 3u);

  auto other_user = run(2);
  EXPECT_TRUE(other_user.status);  // budgets are per Telegram user
  now_ms += 20'000;
  auto later = run(1, "alice");
  EXPECT_TRUE(later.status);
}

TEST(ResetValidation, AcceptsTheDocumentedShape) {
  auto v = validate(R"({"telegram_id":7,"password":"newpass1","login":"alice","telegram_init_data":"a=1&hash=x"})");
  ASSERT_TRUE(std::holds_alternative<PasswordResetRequest>(v));
  const auto& r = std::get<PasswordResetRequest>(v);
  EXPECT_EQ(r.telegram_id, 7);
  EXPECT_EQ(r.login, "alice");
  ASSERT_TRUE(r.telegram_proof.has_value());
  EXPECT_EQ(r.telegram_proof->kind, "web_app");
  auto no_login = validate(R"({"telegram_id":7,"password":"newpass1","login":null})");
  ASSERT_TRUE(std::holds_alternative<PasswordResetRequest>(no_login));
  EXPECT_FALSE(std::get<PasswordResetRequest>(no_login).login.has_value());
}

TEST(ResetValidation, NamesEveryBadField) {
  EXPECT_EQ(fields_of(validate(R"({"telegram_id":"7","password":"12345","login":"ab"})")),
            (std::vector<std::string>{"telegram_id", "password", "login"}));
  EXPECT_EQ(fields_of(validate(R"({"telegram_id":7,"password":"pässwörd1"})")), std::vector<std::string>{"password"});
  EXPECT_EQ(fields_of(validate(R"({"telegram_id":7,"password":"123456789012345678901"})")), std::vector<std::string>{"password"});
  EXPECT_EQ(fields_of(validate(R"({"telegram_id":0,"password":"newpass1"})")), std::vector<std::string>{"telegram_id"});
  EXPECT_EQ(fields_of(validate(R"({"telegram_id":true,"password":"newpass1"})")), std::vector<std::string>{"telegram_id"});
  EXPECT_EQ(fields_of(validate(R"({"telegram_id":7,"password":"newpass1","telegram_auth":"x"})")),
            std::vector<std::string>{"telegram_auth"});
  EXPECT_EQ(fields_of(validate(R"({"telegram_id":7})")), std::vector<std::string>{"password"});
}
