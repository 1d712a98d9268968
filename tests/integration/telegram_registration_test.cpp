// Registration with the Telegram gate on, end to end: `tzrhost serve` + game-sim, Bot API calls
// going to a fake on 127.0.0.1 (registration.md §2.3 [T], §8.3).
#include "support/fake_bot_api.hpp"
#include "support/registration_env.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <chrono>

using namespace tzr::test;

namespace {

const std::string kToken = "5550001:AAF-blackbox_SECRET-token";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string widget_for(std::int64_t id) {
  return signed_widget(kToken, {{"id", id}, {"first_name", "Ann"}, {"username", "ann"}, {"auth_date", unix_now()}});
}

class TelegramRegistrationTest : public RegistrationEnv {
 protected:
  void start_with_telegram(std::map<std::string, std::string> extra = {}) {
    extra.emplace("TZR_TELEGRAM__BOT_TOKEN", kToken);
    extra.emplace("TZR_TELEGRAM__API_BASE", "http://127.0.0.1:" + std::to_string(fake.port()));
    extra.emplace("TZR_TELEGRAM__GROUP_ID", "-100123");
    extra.emplace("TZR_LOG__LEVEL", "info");
    start(extra);
  }
  std::string metrics_text() { return http(host->port("registration"), "GET", "/metrics").body; }

  FakeBotApi fake{kToken};
};

TEST_P(TelegramRegistrationTest, GroupMembershipDecides) {
  fake.set(1001, FakeBotReply::member());
  fake.set(1002, FakeBotReply::member("left"));
  fake.set(1003, FakeBotReply::error(500, "Internal Server Error"));
  start_with_telegram();

  auto member = direct(body("alice", 1001));
  ASSERT_EQ(member.status, 200) << member.body;
  EXPECT_EQ(rows("telegram_id = 1001"), 1);
  EXPECT_EQ(fake.last_chat_id(), "-100123");

  auto left = direct(body("bobby", 1002));
  EXPECT_EQ(left.status, 403) << left.body;
  EXPECT_EQ(left.json().at("error"), "not_in_telegram_group");
  EXPECT_EQ(rows("telegram_id = 1002"), 0);
  EXPECT_EQ(adduser_count(), 1u);

  auto outage = facade(body("carol", 1003));  // fail_mode closed by default
  EXPECT_EQ(outage.status, 503) << outage.body;
  EXPECT_EQ(outage.json().at("error"), "telegram_unavailable");
  EXPECT_EQ(rows("telegram_id = 1003"), 0);
  EXPECT_EQ(adduser_count(), 1u);

  auto metrics = metrics_text();
  EXPECT_NE(metrics.find(R"(tzr_telegram_checks_total{outcome="member"} 1)"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(R"(tzr_telegram_checks_total{outcome="not_member"} 1)"), std::string::npos);
  EXPECT_NE(metrics.find(R"(tzr_telegram_checks_total{outcome="unavailable"} 1)"), std::string::npos);

  std::string logs = host->process().stderr_text();
  EXPECT_NE(logs.find("telegram_server_error"), std::string::npos) << logs;
  EXPECT_EQ(logs.find(kToken), std::string::npos) << logs;
  EXPECT_EQ(logs.find("blackbox_SECRET"), std::string::npos);
}

TEST_P(TelegramRegistrationTest, FailOpenAdmitsWhenTelegramIsDown) {
  fake.set(1004, FakeBotReply::error(502, "Bad Gateway"));
  start_with_telegram({{"TZR_TELEGRAM__FAIL_MODE", "open"}});
  auto res = direct(body("daisy", 1004));
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(rows("telegram_id = 1004"), 1);
}

TEST_P(TelegramRegistrationTest, VerifiedIdentityWhenRequired) {
  fake.set(2001, FakeBotReply::member());
  fake.set(2002, FakeBotReply::member());
  start_with_telegram({{"TZR_TELEGRAM__AUTH_REQUIRED", "true"}});

  auto bare = direct(body("dave", 2001));
  EXPECT_EQ(bare.status, 403) << bare.body;
  EXPECT_EQ(bare.json().at("error"), "telegram_auth_required");
  EXPECT_EQ(fake.calls(), 0);  // identity before membership

  auto proven = direct(body("dave", 2001, R"(,"telegram_auth":)" + widget_for(2001)));
  EXPECT_EQ(proven.status, 200) << proven.body;
  EXPECT_EQ(rows("telegram_id = 2001 AND login = 'dave'"), 1);

  auto someone_else = direct(body("erin", 2001, R"(,"telegram_auth":)" + widget_for(2002)));
  EXPECT_EQ(someone_else.status, 403) << someone_else.body;
  EXPECT_EQ(someone_else.json().at("error"), "telegram_auth_invalid");

  auto init_data = signed_init_data(kToken, {{"query_id", "AAHdF6IQ"},
                                             {"user", R"({"id":2002,"first_name":"Erin"})"},
                                             {"auth_date", std::to_string(unix_now())}});
  auto mini_app = facade(body("erin", 2002, R"(,"telegram_init_data":)" +
                                                boost::json::serialize(boost::json::string(init_data))));
  EXPECT_EQ(mini_app.status, 200) << mini_app.body;
  EXPECT_EQ(rows("telegram_id = 2002 AND login = 'erin'"), 1);
  EXPECT_EQ(adduser_count(), 2u);
  EXPECT_EQ(host->process().stderr_text().find(kToken), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(GameDb, TelegramRegistrationTest, ::testing::Values("sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
