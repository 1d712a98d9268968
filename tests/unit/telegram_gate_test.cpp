// The Telegram group gate against a fake Bot API on 127.0.0.1 (registration.md §2.3 [T]): the
// membership table, both failure policies, the one honoured 429, the positive cache, metrics,
// and a bot token that shows up in no error and no log line.
#include "support/fake_bot_api.hpp"
#include "telegram/group_gate.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace {

using namespace tzr::telegram;
using namespace std::chrono_literals;
using tzr::ErrorKind;
using tzr::test::FakeBotApi;
using tzr::test::FakeBotReply;

const std::string kToken = "424242:AAH-secret-token_value";
const std::string kGroup = "-100123";

// Sends every log line of the test to a string, and restores the process logger afterwards.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream text_;
};

class TelegramGateTest : public ::testing::Test {
 protected:
  std::unique_ptr<GroupGate> gate(GateOptions options = {}, std::chrono::milliseconds timeout = 2000ms,
                                  std::string api_base = {}) {
    options.bot_token = kToken;
    if (options.group_id.empty() && !no_group_) options.group_id = kGroup;
    BotApiOptions api;
    api.api_base = api_base.empty() ? fake_.base_url() : api_base;
    api.token = kToken;
    api.timeout = timeout;
    tzr::net::HttpClientOptions http;
    http.request_timeout = timeout;
    return std::make_unique<GroupGate>(BotApi(tzr::net::HttpClient(ioc_.get_executor(), http), api), options, metrics_,
                                       [this] { return now_; });
  }
  tzr::Status admit(GroupGate& g, std::int64_t id) {
    auto done = boost::asio::co_spawn(ioc_, g.admit(id, std::nullopt), boost::asio::use_future);
    ioc_.restart();
    ioc_.run();
    return done.get();
  }
  static void expect_error(const tzr::Status& st, const std::string& code, ErrorKind kind) {
    ASSERT_FALSE(st) << "admitted; expected " << code;
    EXPECT_EQ(st.error().code, code) << st.error().message;
    EXPECT_EQ(st.error().kind, kind);
    EXPECT_EQ(st.error().message.find(kToken), std::string::npos) << st.error().message;
  }
  std::string metric(const std::string& outcome) {
    std::string text = metrics_.render();
    std::string key = "tzr_telegram_checks_total{outcome=\"" + outcome + "\"} ";
    auto at = text.find(key);
    return at == std::string::npos ? "absent" : text.substr(at + key.size(), text.find('\n', at) - at - key.size());
  }

  FakeBotApi fake_{kToken};
  boost::asio::io_context ioc_;
  tzr::Metrics metrics_;
  std::int64_t now_ = 1'700'000'000;
  bool no_group_ = false;
};

TEST_F(TelegramGateTest, MembersPass) {
  auto g = gate();
  fake_.set(1, FakeBotReply::member("member"));
  fake_.set(2, FakeBotReply::member("administrator"));
  fake_.set(3, FakeBotReply::member("creator"));
  for (std::int64_t id : {1, 2, 3}) EXPECT_TRUE(admit(*g, id)) << id;
  EXPECT_EQ(fake_.calls(), 3);
  EXPECT_EQ(fake_.last_chat_id(), kGroup);
  EXPECT_EQ(metric("member"), "3");
}

TEST_F(TelegramGateTest, LeftKickedAndRestrictedNonMembersAreRefused) {
  auto g = gate();
  fake_.set(1, FakeBotReply::member("left"));
  fake_.set(2, FakeBotReply::member("kicked"));
  auto restricted_out = FakeBotReply::member("restricted");
  restricted_out.is_member = false;
  fake_.set(3, restricted_out);
  // 4 has no script: the fake answers Telegram's 400 "user not found".
  for (std::int64_t id : {1, 2, 3, 4}) expect_error(admit(*g, id), "not_in_telegram_group", ErrorKind::forbidden);
  auto restricted_in = FakeBotReply::member("restricted");
  restricted_in.is_member = true;
  fake_.set(5, restricted_in);
  EXPECT_TRUE(admit(*g, 5));
  auto ok_false = FakeBotReply::member();
  ok_false.ok = false;
  ok_false.description = "Bad Request: member list is inaccessible";
  fake_.set(6, ok_false);
  expect_error(admit(*g, 6), "not_in_telegram_group", ErrorKind::forbidden);
  EXPECT_EQ(metric("not_member"), "5");
  EXPECT_EQ(metric("member"), "1");
}

TEST_F(TelegramGateTest, ServerErrorsFollowTheFailMode) {
  fake_.set(7, FakeBotReply::error(502, "Bad Gateway"));
  auto closed = gate();
  expect_error(admit(*closed, 7), "telegram_unavailable", ErrorKind::unavailable);
  GateOptions open;
  open.fail_mode = FailMode::open;
  auto opened = gate(open);
  EXPECT_TRUE(admit(*opened, 7));
  EXPECT_EQ(metric("unavailable"), "1");
  EXPECT_EQ(metric("failed_open"), "1");
  EXPECT_EQ(metric("member"), "0");
  // Admitted under fail-open is not a confirmed membership: the next call asks again.
  EXPECT_TRUE(admit(*opened, 7));
  EXPECT_EQ(fake_.calls_for(7), 3);
}

TEST_F(TelegramGateTest, MisconfigurationIsUnavailableNotNotMember) {
  auto g = gate();
  fake_.set(1, FakeBotReply::error(403, "Forbidden: bot is not a member of the supergroup chat"));
  fake_.set(2, FakeBotReply::error(404, "Not Found"));
  expect_error(admit(*g, 1), "telegram_unavailable", ErrorKind::unavailable);
  expect_error(admit(*g, 2), "telegram_unavailable", ErrorKind::unavailable);

  LogCapture logs;
  auto wrong_token = FakeBotApi("999:another-token");  // answers 401 to our token
  auto bad = gate({}, 2000ms, wrong_token.base_url());
  expect_error(admit(*bad, 1), "telegram_unavailable", ErrorKind::unavailable);
  EXPECT_EQ(wrong_token.unauthorized_calls(), 1);
  EXPECT_NE(logs.text().find("telegram_misconfigured"), std::string::npos) << logs.text();
  EXPECT_NE(logs.text().find("[error]"), std::string::npos) << logs.text();
}

TEST_F(TelegramGateTest, TimeoutFollowsTheFailMode) {
  auto slow = FakeBotReply::member();
  slow.delay = 1500ms;
  fake_.set(9, slow);
  auto closed = gate({}, 200ms);
  auto started = std::chrono::steady_clock::now();
  expect_error(admit(*closed, 9), "telegram_unavailable", ErrorKind::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1200ms);
  GateOptions open;
  open.fail_mode = FailMode::open;
  auto opened = gate(open, 200ms);
  EXPECT_TRUE(admit(*opened, 9));
}

TEST_F(TelegramGateTest, BadJsonAndUnreachableFollowTheFailMode) {
  auto garbage = FakeBotReply::member();
  garbage.raw_body = "<html>proxy error</html>";
  fake_.set(1, garbage);
  auto g = gate();
  expect_error(admit(*g, 1), "telegram_unavailable", ErrorKind::unavailable);
  auto nowhere = gate({}, 1000ms, "http://127.0.0.1:1");
  expect_error(admit(*nowhere, 1), "telegram_unavailable", ErrorKind::unavailable);
}

TEST_F(TelegramGateTest, FloodLimitIsWaitedOutOnce) {
  fake_.script(5, {FakeBotReply::flood(1), FakeBotReply::member()});
  auto g = gate();
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(admit(*g, 5));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);
  EXPECT_EQ(fake_.calls_for(5), 2);

  fake_.script(6, {FakeBotReply::flood(1), FakeBotReply::flood(1), FakeBotReply::member()});
  expect_error(admit(*g, 6), "telegram_unavailable", ErrorKind::unavailable);
  EXPECT_EQ(fake_.calls_for(6), 2);

  // Longer than a registration can wait: no retry at all.
  fake_.script(7, {FakeBotReply::flood(30), FakeBotReply::member()});
  expect_error(admit(*g, 7), "telegram_unavailable", ErrorKind::unavailable);
  EXPECT_EQ(fake_.calls_for(7), 1);
}

TEST_F(TelegramGateTest, PositiveAnswersAreCachedForTheTtl) {
  fake_.set(1, FakeBotReply::member());
  fake_.set(2, FakeBotReply::member("left"));
  auto g = gate();  // cache_ttl_s 60
  EXPECT_TRUE(admit(*g, 1));
  now_ += 59;
  EXPECT_TRUE(admit(*g, 1));
  EXPECT_EQ(fake_.calls_for(1), 1);
  EXPECT_EQ(metric("cached"), "1");
  now_ += 1;
  EXPECT_TRUE(admit(*g, 1));
  EXPECT_EQ(fake_.calls_for(1), 2);
  // A refusal is not cached: joining the group helps at once.
  EXPECT_FALSE(admit(*g, 2));
  fake_.set(2, FakeBotReply::member());
  EXPECT_TRUE(admit(*g, 2));
  EXPECT_EQ(fake_.calls_for(2), 2);

  GateOptions uncached;
  uncached.cache_ttl_s = 0;
  auto fresh = gate(uncached);
  EXPECT_TRUE(admit(*fresh, 1));
  EXPECT_TRUE(admit(*fresh, 1));
  EXPECT_EQ(fake_.calls_for(1), 4);
}

TEST_F(TelegramGateTest, NoGroupMeansNoCall) {
  no_group_ = true;
  auto g = gate();
  EXPECT_TRUE(admit(*g, 1));
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_EQ(metric("skipped"), "1");
}

TEST_F(TelegramGateTest, GroupNamesAreSentIntact) {
  GateOptions named;
  named.group_id = "@tzr_players";
  fake_.set(1, FakeBotReply::member());
  auto g = gate(named);
  EXPECT_TRUE(admit(*g, 1));
  EXPECT_EQ(fake_.last_chat_id(), "@tzr_players");
}

TEST_F(TelegramGateTest, IdentityIsCheckedBeforeMembership) {
  GateOptions required;
  required.auth_required = true;
  auto g = gate(required);
  fake_.set(1, FakeBotReply::member());
  expect_error(admit(*g, 1), "telegram_auth_required", ErrorKind::forbidden);
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_EQ(metric("auth_required"), "1");

  auto proof = [&](std::int64_t id) {
    boost::json::object f{{"id", id}, {"first_name", "A"}, {"auth_date", now_}};
    return tzr::registration::TelegramProof{"login_widget", tzr::test::signed_widget(kToken, f)};
  };
  auto run = [&](std::int64_t id, std::int64_t proof_id) {
    // admit() borrows the proof until it completes, as RegisterPlayer's request lends it.
    std::optional<tzr::registration::TelegramProof> lent = proof(proof_id);
    auto done = boost::asio::co_spawn(ioc_, g->admit(id, lent), boost::asio::use_future);
    ioc_.restart();
    ioc_.run();
    return done.get();
  };
  expect_error(run(1, 2), "telegram_auth_invalid", ErrorKind::forbidden);
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_TRUE(run(1, 1));
  EXPECT_EQ(fake_.calls(), 1);
  fake_.set(3, FakeBotReply::member("left"));
  expect_error(run(3, 3), "not_in_telegram_group", ErrorKind::forbidden);
}

TEST_F(TelegramGateTest, TheTokenAppearsInNoErrorAndNoLogLine) {
  LogCapture logs;
  fake_.set(1, FakeBotReply::error(500, "Internal Server Error " + kToken));  // even echoed by the peer
  auto slow = FakeBotReply::member();
  slow.delay = 1000ms;
  fake_.set(2, slow);
  fake_.set(3, FakeBotReply::flood(60));
  GateOptions open;
  open.fail_mode = FailMode::open;
  auto g = gate(open, 200ms);
  for (std::int64_t id : {1, 2, 3}) EXPECT_TRUE(admit(*g, id));
  auto nowhere = gate(open, 500ms, "http://127.0.0.1:1");
  EXPECT_TRUE(admit(*nowhere, 4));
  auto closed = gate({}, 200ms);
  for (std::int64_t id : {1, 2, 3}) expect_error(admit(*closed, id), "telegram_unavailable", ErrorKind::unavailable);
  std::string text = logs.text();
  EXPECT_NE(text.find("getChatMember"), std::string::npos) << text;  // the method is named
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  EXPECT_EQ(text.find("AAH-secret"), std::string::npos) << text;
}

TEST(TelegramMembership, DecisionTable) {
  auto m = [](std::string status, bool is_member) { return ChatMember{std::move(status), is_member}; };
  EXPECT_TRUE(is_group_member(m("member", false)));
  EXPECT_TRUE(is_group_member(m("administrator", false)));
  EXPECT_TRUE(is_group_member(m("creator", false)));
  EXPECT_TRUE(is_group_member(m("restricted", true)));
  EXPECT_FALSE(is_group_member(m("restricted", false)));
  EXPECT_FALSE(is_group_member(m("left", true)));
  EXPECT_FALSE(is_group_member(m("kicked", false)));
  EXPECT_FALSE(is_group_member(m("", false)));
}

}  // namespace
