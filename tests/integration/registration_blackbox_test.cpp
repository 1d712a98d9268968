// Registration end to end: tzrhost serve + game-sim, game DB on SQLite and on MariaDB
// (registration.md §9, [T] where the reference is wrong).
#include "support/registration_env.hpp"

#include <thread>

using namespace tzr::test;

namespace {
using RegistrationTest = RegistrationEnv;
}

TEST_P(RegistrationTest, DirectSuccessCreatesAccountAndLinkOnce) {
  start();
  auto res = direct(body("alice", 1001));
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = res.json().as_object();
  EXPECT_EQ(j.at("ok"), true);
  EXPECT_EQ(j.at("message"), "Регистрация успешна!");
  EXPECT_EQ(rows("telegram_id = 1001 AND login = 'alice' AND username IS NULL"), 1);
  auto received_value = sim->received();
  const auto& received = received_value.as_array();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].at("raw"), R"(<ADDUSER l="alice" p="DBCC4A2812D8B09FC377B0B421D9977EA82C1333" g="1" m="test@test.ru"/>)");
}

TEST_P(RegistrationTest, RequestIdIsEchoed) {
  start();
  auto res = direct(body("alice", 1001, R"(,"Request-Id":"abc-1")"));
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.json().at("request_id"), "abc-1");
  auto via_header = facade(body("bobby", 1001), {{"X-Request-Id", "r-9"}});
  ASSERT_EQ(via_header.status, 200) << via_header.body;
  EXPECT_EQ(via_header.json().at("request_id"), "r-9");
}

TEST_P(RegistrationTest, CyrillicLoginAndUsernameAreStored) {
  start();
  auto res = facade(body("Игрок123", 1001, R"(,"username":"test_player")"));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(rows("username = 'test_player'"), 1);
  auto received = sim->received();
  EXPECT_NE(std::string(received.as_array()[0].at("raw").as_string()).find(R"(l="Игрок123")"), std::string::npos);
}

TEST_P(RegistrationTest, ValidationOnBothEntryPoints) {
  start();
  auto direct_bad = direct(R"({"login":"ab","password":"12345","gender":2,"telegram_id":0})");
  EXPECT_EQ(direct_bad.status, 422);
  auto fields = direct_bad.json().at("fields").as_object();
  for (auto f : {"login", "password", "gender", "telegram_id"}) EXPECT_TRUE(fields.contains(f)) << f;

  auto public_bad = facade(R"({"login":"AB","password":"mypass123","gender":1,"telegram_id":1})");
  EXPECT_EQ(public_bad.status, 400);
  EXPECT_EQ(public_bad.json().at("error"), "validation_error");
  EXPECT_EQ(public_bad.json().at("fields").at("login"), "Ошибка: Логин должен быть от 3 до 16 символов");

  auto only_tg = facade(R"({"login":"Player1","password":"mypass123","gender":1,"telegram_id":"x"})");
  EXPECT_EQ(only_tg.status, 400);
  EXPECT_EQ(only_tg.json().at("error"), "bad_request");
  EXPECT_EQ(only_tg.json().at("message"), "Ошибка");
  EXPECT_EQ(adduser_count(), 0u);
  EXPECT_EQ(rows(), 0);
}

TEST_P(RegistrationTest, BadInputIsRefusedBeforeAnythingHappens) {
  start();
  const std::vector<std::string> bodies = {
      R"({"login":"a\" g=\"0","password":"mypass123","gender":1,"telegram_id":5})",  // XML injection
      R"({"login":"x'; DROP TABLE tgplayers; --","password":"mypass123","gender":1,"telegram_id":5})",
      R"({"login":"abc\u0001","password":"mypass123","gender":1,"telegram_id":5})",
      R"({"login":"alice","password":"pässwörd1","gender":1,"telegram_id":5})",
      R"({"login":"alice","password":"mypass123","gender":1,"telegram_id":18446744073709551616})",
      R"({"login":"alice","password":"mypass123","gender":1,"telegram_id":9223372036854775808})",
      R"({"login":"alice","password":"mypass123","gender":true,"telegram_id":5})",
      R"({"login":"alice","password":"mypass123","gender":1,"telegram_id":5,"username":")" + std::string(65, 'u') + R"("})",
      R"({"password":"mypass123","gender":1,"telegram_id":5})",
  };
  for (const auto& b : bodies) {
    auto res = direct(b);
    EXPECT_EQ(res.status, 422) << b << " → " << res.body;
  }
  auto invalid_utf8 = direct(std::string("{\"login\":\"ab\xff\xfe\",\"password\":\"mypass123\",\"gender\":1,\"telegram_id\":5}"));
  EXPECT_EQ(invalid_utf8.status, 400);
  auto not_json = direct("{\"login\": ");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_NE(not_json.json().at("message").as_string().find("at byte"), std::string::npos);
  auto huge = direct(std::string(2 << 20, ' '));
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(adduser_count(), 0u);
  EXPECT_EQ(rows(), 0);
}

TEST_P(RegistrationTest, LimitPerTelegramUser) {
  start();
  for (int i = 0; i < 4; ++i) insert_row(2002, "acc" + std::to_string(i));
  EXPECT_EQ(direct(body("fifth", 2002)).status, 200);
  auto sixth = direct(body("sixth", 2002));
  EXPECT_EQ(sixth.status, 403);
  EXPECT_EQ(sixth.json().at("error"), "limit_exceeded");
  EXPECT_EQ(adduser_count(), 1u);
  EXPECT_EQ(rows("telegram_id = 2002"), 5);
}

TEST_P(RegistrationTest, LoginTakenIsCaseInsensitiveAndLimitComesFirst) {
  start();
  insert_row(3003, "Bob");
  auto same = direct(body("Bob", 4004));
  EXPECT_EQ(same.status, 409);
  EXPECT_EQ(same.json().at("error"), "login_taken");
  EXPECT_EQ(direct(body("bob", 4004)).status, 409);
  for (int i = 0; i < 5; ++i) insert_row(5005, "full" + std::to_string(i));
  EXPECT_EQ(direct(body("Bob", 5005)).json().at("error"), "limit_exceeded");
  EXPECT_EQ(adduser_count(), 0u);
}

TEST_P(RegistrationTest, GameRefusalLeavesNoRowAndIsSentOnce) {
  start();
  sim->set_mode("err");
  auto res = direct(body("alice", 1001));
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(res.json().at("error"), "game_server_error");
  EXPECT_EQ(adduser_count(), 1u);
  EXPECT_EQ(rows(), 0);
  sim->set_mode("ok");
  EXPECT_EQ(direct(body("alice", 1001)).status, 200);  // no orphan row blocks the retry
  EXPECT_EQ(rows(), 1);
}

TEST_P(RegistrationTest, GameDuplicateLoginMapsToLoginTaken) {
  start();
  ASSERT_EQ(direct(body("carol", 1)).status, 200);
  // The link row disappears (say, an operator deleted it) but the game keeps the account.
  ASSERT_TRUE(game_db->db().query("DELETE FROM tgplayers"));
  auto res = direct(body("carol", 2));
  EXPECT_EQ(res.status, 409);
  EXPECT_EQ(res.json().at("error"), "login_taken");
  EXPECT_EQ(rows(), 0);
}

TEST_P(RegistrationTest, GameTimeoutIsNotRetriedAndLeavesNoRow) {
  start({{"TZR_GAME__TIMEOUT_MS", "400"}});
  sim->set_mode("slow", 1500);
  auto res = direct(body("slowpoke", 1001));
  EXPECT_EQ(res.status, 504) << res.body;
  EXPECT_EQ(res.json().at("error"), "game_server_timeout");
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_EQ(adduser_count(), 1u);
  EXPECT_EQ(rows(), 0);
}

TEST_P(RegistrationTest, DroppedOrUnframedRepliesAreErrors) {
  start({{"TZR_GAME__TIMEOUT_MS", "400"}});
  sim->set_mode("drop");
  auto dropped = direct(body("dropme", 1001));
  EXPECT_EQ(dropped.status, 502);
  EXPECT_EQ(dropped.json().at("error"), "game_server_error");
  sim->set_mode("no-nul");
  auto unframed = direct(body("nonul", 1001));
  EXPECT_EQ(unframed.status, 504);
  sim->set_mode("garbage");
  EXPECT_EQ(direct(body("garbage", 1001)).status, 502);
  EXPECT_EQ(rows(), 0);
}

TEST_P(RegistrationTest, UnreachableGameServer) {
  // A port nothing listens on: the simulator's, after it stops.
  sim.reset();
  start();
  auto res = direct(body("nobody", 1001));
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(res.json().at("error"), "game_server_unreachable");
  EXPECT_EQ(rows(), 0);
  auto ready = http(host->port("orchestrator"), "GET", "/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.json().at("checks").at("game_server"), false);
}

TEST_P(RegistrationTest, InternalRoutesNeedTheBearerToken) {
  start();
  auto none = http(host->port("orchestrator"), "POST", "/internal/register", body("alice", 1));
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.json().at("error"), "unauthorized");
  auto wrong = http(host->port("orchestrator"), "GET", "/internal/constants", "", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(http(host->port("orchestrator"), "GET", "/health").status, 200);
  auto legacy = http(host->port("orchestrator"), "GET", "/internal/health");  // probes need no token
  EXPECT_EQ(legacy.status, 200);
  EXPECT_EQ(legacy.json().at("status"), "ok");
  EXPECT_EQ(legacy.json().at("details").at("db"), true);
  EXPECT_EQ(http(host->port("orchestrator"), "GET", "/healthz").json().at("status"), "ok");
  EXPECT_EQ(adduser_count(), 0u);
}

TEST_P(RegistrationTest, ConstantsAndServerStatus) {
  start();
  auto constants = http(host->port("orchestrator"), "GET", "/internal/constants", "",
                        {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_EQ(constants.status, 200) << constants.body;
  auto c = constants.json().as_object();
  ASSERT_EQ(c.size(), 7u);
  EXPECT_EQ((c.end() - 1)->key(), "CLIENT_STATUS");  // ordered by value
  EXPECT_EQ(c.at("CLIENT_STATUS").at("value").to_number<double>(), 256.0);

  auto status = http(host->port("status"), "GET", "/server/status");
  ASSERT_EQ(status.status, 200);
  auto s = status.json().as_object();
  EXPECT_EQ(s.at("server_status").to_number<double>(), 1.0);
  EXPECT_EQ(s.at("rates").at("color_mob").to_number<double>(), 1.0);
  EXPECT_EQ(s.at("client_status").to_number<double>(), 256.0);
  EXPECT_EQ(s.at("_meta").at("RateExp"), "Опыт");
  EXPECT_EQ(status.header("cache-control"), "public, max-age=30");
}

INSTANTIATE_TEST_SUITE_P(GameDb, RegistrationTest, ::testing::Values("sqlite", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });
