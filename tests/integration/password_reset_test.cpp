// Password reset end to end: `tzrhost serve` + game-sim, POST /internal/password/reset on the
// orchestrator (registration.md §2.6 /recover, §8.3), game DB on SQLite and on MariaDB.
#include "game/protocol.hpp"
#include "support/fake_bot_api.hpp"
#include "support/registration_env.hpp"

#include <boost/json/string.hpp>

#include <algorithm>
#include <chrono>
#include <map>

using namespace tzr::test;

namespace {

class PasswordResetTest : public RegistrationEnv {
 protected:
  TestResponse reset(const std::string& body, std::map<std::string, std::string> headers = {}) {
    headers.try_emplace("Authorization", std::string("Bearer ") + kAdminToken);
    return http(host->port("orchestrator"), "POST", "/internal/password/reset", body, headers);
  }
  // Registers alice and bobby for 1001, carol for 1002.
  void register_three() {
    for (auto [login, tg] : std::vector<std::pair<std::string, std::int64_t>>{{"alice", 1001}, {"bobby", 1001}, {"carol", 1002}}) {
      auto res = direct(body(login, tg));
      ASSERT_EQ(res.status, 200) << res.body;
    }
  }
  std::vector<std::string> newpas_frames() {
    std::vector<std::string> out;
    auto received = sim->received();
    for (const auto& m : received.as_array())
      if (m.at("tag") == "NEWPAS") out.emplace_back(m.at("raw").as_string());
    return out;
  }
  std::map<std::string, std::string> hashes() {
    std::map<std::string, std::string> out;
    auto accounts = sim->accounts();
    for (const auto& a : accounts.as_array())
      out[std::string(a.at("login").as_string())] = std::string(a.at("password_hash").as_string());
    return out;
  }
  static std::string hash(const std::string& password) { return tzr::game::password_hash(password).value(); }
};

}  // namespace

TEST_P(PasswordResetTest, ResetsEveryLoginOfTheCallerAndNoOther) {
  start();
  register_three();
  const auto old_hash = hash("mypass123");
  const auto new_hash = hash("newpass77");

  auto res = reset(R"({"telegram_id":1001,"password":"newpass77"})", {{"X-Request-Id", "rst-1"}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = res.json().as_object();
  EXPECT_EQ(j.at("ok"), true);
  EXPECT_EQ(j.at("request_id"), "rst-1");
  const auto& logins = j.at("logins").as_array();
  ASSERT_EQ(logins.size(), 2u);
  EXPECT_EQ(logins[0], "alice");
  EXPECT_EQ(logins[1], "bobby");

  auto frames = newpas_frames();
  std::sort(frames.begin(), frames.end());
  EXPECT_EQ(frames, (std::vector<std::string>{R"(<NEWPAS l="alice" pwd2=")" + new_hash + R"("/>)",
                                              R"(<NEWPAS l="bobby" pwd2=")" + new_hash + R"("/>)"}));
  auto h = hashes();
  EXPECT_EQ(h["alice"], new_hash);
  EXPECT_EQ(h["bobby"], new_hash);
  EXPECT_EQ(h["carol"], old_hash);
}

TEST_P(PasswordResetTest, OneNamedLogin) {
  start();
  register_three();
  auto res = reset(R"({"telegram_id":1001,"password":"other999","login":"BOBBY"})");
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_EQ(res.json().at("logins").as_array().size(), 1u);
  EXPECT_EQ(res.json().at("logins").as_array()[0], "bobby");
  EXPECT_EQ(newpas_frames().size(), 1u);
  auto h = hashes();
  EXPECT_EQ(h["bobby"], hash("other999"));
  EXPECT_EQ(h["alice"], hash("mypass123"));
}

TEST_P(PasswordResetTest, AnotherUsersOrAnUnknownLoginIs404AndSendsNothing) {
  start();
  register_three();
  auto foreign = reset(R"({"telegram_id":1001,"password":"newpass77","login":"carol"})");
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(foreign.json().at("error"), "login_not_found");
  auto unknown = reset(R"({"telegram_id":1001,"password":"newpass77","login":"nobody"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json().at("message"), foreign.json().at("message"));
  auto no_accounts = reset(R"({"telegram_id":4242,"password":"newpass77"})");
  EXPECT_EQ(no_accounts.status, 404);
  EXPECT_TRUE(newpas_frames().empty());
  EXPECT_EQ(hashes()["carol"], hash("mypass123"));
}

TEST_P(PasswordResetTest, BadInputIs422AndMalformedJson400) {
  start();
  register_three();
  auto bad = reset(R"({"telegram_id":1001,"password":"12345"})");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.json().at("error"), "validation_error");
  EXPECT_TRUE(bad.json().at("fields").as_object().contains("password"));
  auto ascii = reset(R"({"telegram_id":1001,"password":"пароль123"})");
  EXPECT_EQ(ascii.status, 422);
  auto no_id = reset(R"({"password":"newpass77"})");
  EXPECT_EQ(no_id.status, 422);
  EXPECT_TRUE(no_id.json().at("fields").as_object().contains("telegram_id"));
  auto broken = reset(R"({"telegram_id":1001,)");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(broken.json().at("ok"), false);
  EXPECT_TRUE(newpas_frames().empty());
}

TEST_P(PasswordResetTest, NeedsTheAdminToken) {
  start();
  register_three();
  auto none = http(host->port("orchestrator"), "POST", "/internal/password/reset",
                   R"({"telegram_id":1001,"password":"newpass77"})", {});
  EXPECT_EQ(none.status, 401) << none.body;
  auto wrong = reset(R"({"telegram_id":1001,"password":"newpass77"})", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_TRUE(newpas_frames().empty());
}

TEST_P(PasswordResetTest, RateLimitedPerTelegramUser) {
  start();
  register_three();
  for (int i = 0; i < 3; ++i) {
    auto ok = reset(R"({"telegram_id":1001,"password":"newpass77","login":"alice"})");
    EXPECT_EQ(ok.status, 200) << i << ' ' << ok.body;
  }
  auto limited = reset(R"({"telegram_id":1001,"password":"newpass77","login":"alice"})");
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.json().at("error"), "rate_limited");
  EXPECT_EQ(limited.header("retry-after"), "20");
  auto other = reset(R"({"telegram_id":1002,"password":"newpass77"})");
  EXPECT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(newpas_frames().size(), 4u);
}

TEST_P(PasswordResetTest, GameRefusalIsReportedNotHidden) {
  start();
  register_three();
  sim->set_mode("err");
  auto res = reset(R"({"telegram_id":1002,"password":"newpass77"})");
  EXPECT_EQ(res.status, 502) << res.body;
  EXPECT_EQ(res.json().at("error"), "game_server_error");
  EXPECT_NE(std::string(res.json().at("message").as_string()).find("REGISTER_DENIED"), std::string::npos);
  sim->set_mode("ok");
  EXPECT_EQ(hashes()["carol"], hash("mypass123"));
}

TEST_P(PasswordResetTest, TelegramIdentityIsCheckedAsForRegistration) {
  const std::string token = "5550002:AAF-reset_SECRET-token";
  FakeBotApi fake{token};
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto widget = [&](std::int64_t id) {
    return signed_widget(token, {{"id", id}, {"first_name", "Ann"}, {"auth_date", now}});
  };
  start({{"TZR_TELEGRAM__BOT_TOKEN", token},
         {"TZR_TELEGRAM__API_BASE", fake.base_url()},
         {"TZR_TELEGRAM__AUTH_REQUIRED", "true"}});
  ASSERT_EQ(direct(body("alice", 1001, R"(,"telegram_auth":)" + widget(1001))).status, 200);

  auto bare = reset(R"({"telegram_id":1001,"password":"newpass77"})");
  EXPECT_EQ(bare.status, 403) << bare.body;
  EXPECT_EQ(bare.json().at("error"), "telegram_auth_required");
  auto forged = reset(R"({"telegram_id":1001,"password":"newpass77","telegram_auth":)" + widget(1002) + "}");
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(forged.json().at("error"), "telegram_auth_invalid");
  EXPECT_TRUE(newpas_frames().empty());

  auto proven = reset(R"({"telegram_id":1001,"password":"newpass77","telegram_auth":)" + widget(1001) + "}");
  EXPECT_EQ(proven.status, 200) << proven.body;
  EXPECT_EQ(hashes()["alice"], hash("newpass77"));
}

INSTANTIATE_TEST_SUITE_P(GameDb, PasswordResetTest, ::testing::Values("sqlite", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });
