// The public gateway end to end (site-bridge.md §8 and the V14 scenarios of §13, FIX behaviour).
#include "support/registration_env.hpp"

#include <unistd.h>

#include <csignal>
#include <fstream>

#include <thread>

using namespace tzr::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kKey = "site-key-0123456789abcdef";

class GatewayTest : public RegistrationEnv {
 protected:
  void start_gateway(std::map<std::string, std::string> extra = {}) {
    extra.try_emplace("TZR_GATEWAY__API_KEYS", std::string("site:") + kKey);
    extra.try_emplace("TZR_GATEWAY__CORS_ORIGINS", "https://game.example");
    start(extra);
  }
  int port() { return host->port("gateway"); }
  TestResponse reg(const std::string& b, std::map<std::string, std::string> h = {{"X-API-Key", kKey}}) {
    h.try_emplace("Content-Type", "application/json");
    return http(port(), "POST", "/api/register", b, h);
  }
};

}  // namespace

TEST_P(GatewayTest, RegisterIsLimitedToFourBackToBackThenOnePerSixSeconds) {
  start_gateway();
  for (int i = 0; i < 4; ++i) {
    auto res = reg(body("gw" + std::to_string(i), 100 + i));
    EXPECT_EQ(res.status, 200) << i << " " << res.body;
  }
  auto fifth = reg(body("gw4", 104));
  EXPECT_EQ(fifth.status, 429);
  EXPECT_EQ(fifth.json().at("error"), "rate_limited");
  EXPECT_EQ(fifth.json().at("message"), "Too Many Requests");
  EXPECT_GE(std::stoi(fifth.header("retry-after")), 1);
  std::this_thread::sleep_for(6100ms);
  EXPECT_EQ(reg(body("gw5", 105)).status, 200);
  EXPECT_EQ(reg(body("gw6", 106)).status, 429);
  EXPECT_EQ(adduser_count(), 5u);
}

TEST_P(GatewayTest, InvalidKeysAre403DoNotSpendTheBudgetAndAreLimitedThemselves) {
  start_gateway({{"TZR_GATEWAY__AUTH_FAILURES_BURST", "2"}});
  auto missing = reg(body("nokey", 1), {});
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.json().at("error"), "invalid_api_key");
  EXPECT_EQ(missing.json().at("message"), "API key is missing or invalid");
  EXPECT_EQ(reg(body("badkey", 1), {{"X-API-Key", "wrong-key-0000000000000"}}).status, 403);
  EXPECT_EQ(reg(body("badkey", 1), {{"X-API-Key", "wrong-key-0000000000001"}}).status, 403);
  EXPECT_EQ(reg(body("badkey", 1), {{"X-API-Key", "wrong-key-0000000000002"}}).status, 429);  // guessing slowed
  for (int i = 0; i < 4; ++i) EXPECT_EQ(reg(body("good" + std::to_string(i), 10 + i)).status, 200) << i;
  EXPECT_EQ(adduser_count(), 4u);
  // The key never appears in the logs, only a short tag.
  host->process().signal(SIGTERM);
  host->process().wait(10s);
  EXPECT_EQ(host->process().stderr_text().find("wrong-key-000"), std::string::npos);
}

TEST_P(GatewayTest, StatusIsPublicCachedAndLimited) {
  start_gateway();
  int ok = 0, limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto res = http(port(), "GET", "/api/server/status");
    if (res.status == 200) {
      ++ok;
      EXPECT_EQ(res.json().at("rates").at("exp").to_number<double>(), 1.0);
      EXPECT_EQ(res.header("cache-control"), "public, max-age=30");
      EXPECT_FALSE(res.header("age").empty());
    } else {
      EXPECT_EQ(res.status, 429);
      ++limited;
    }
  }
  EXPECT_EQ(ok, 11);
  EXPECT_EQ(limited, 1);
}

TEST_P(GatewayTest, StatusServesTheLastValueWhileTheGameDbIsDown) {
  start_gateway({{"TZR_STATUS__CACHE_TTL_MS", "0"}});
  ASSERT_EQ(http(port(), "GET", "/api/server/status").status, 200);
  ASSERT_TRUE(game_db->db().query("DROP TABLE constants"));
  auto stale = http(port(), "GET", "/api/server/status");
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.header("x-status-stale"), "true");
  EXPECT_EQ(stale.json().at("server_status").to_number<double>(), 1.0);
}

TEST_P(GatewayTest, PreflightBeforeAuthAndSecurityHeadersEverywhere) {
  start_gateway();
  auto pre = http(port(), "OPTIONS", "/api/register", "",
                  {{"Origin", "https://game.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.header("access-control-allow-origin"), "https://game.example");
  EXPECT_EQ(pre.header("access-control-allow-methods"), "POST, OPTIONS");
  EXPECT_NE(pre.header("access-control-allow-headers").find("X-API-Key"), std::string::npos);
  EXPECT_EQ(pre.header("access-control-max-age"), "86400");

  auto status_pre = http(port(), "OPTIONS", "/api/server/status", "",
                         {{"Origin", "https://game.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(status_pre.status, 204);
  EXPECT_EQ(status_pre.header("access-control-allow-methods"), "GET, OPTIONS");

  auto foreign = http(port(), "OPTIONS", "/api/register", "",
                      {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(foreign.status, 204);
  EXPECT_EQ(foreign.header("access-control-allow-origin"), "");

  auto nope = http(port(), "GET", "/nope", "", {{"Origin", "https://game.example"}});
  EXPECT_EQ(nope.status, 404);
  EXPECT_EQ(nope.json().at("error"), "not_found");
  for (const auto& res : {pre, nope}) {
    EXPECT_EQ(res.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(res.header("x-frame-options"), "DENY");
    EXPECT_EQ(res.header("vary"), "Origin");
    EXPECT_NE(res.header("strict-transport-security").find("max-age=31536000"), std::string::npos);
  }
  auto wrong_method = http(port(), "GET", "/api/register");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("allow"), "OPTIONS, POST");
}

TEST_P(GatewayTest, BadBodiesAreClear4xx) {
  start_gateway({{"TZR_GATEWAY__REGISTER_IP_BURST", "20"}});
  EXPECT_EQ(reg(std::string(2 << 20, 'x')).status, 413);
  auto text = http(port(), "POST", "/api/register", body("plain", 1), {{"X-API-Key", kKey}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(text.json().at("error"), "unsupported_media_type");
  auto bad_utf8 = reg(std::string("{\"login\":\"\xff\xfe\",\"password\":\"mypass123\",\"gender\":1,\"telegram_id\":5}"));
  EXPECT_EQ(bad_utf8.status, 400);
  EXPECT_EQ(bad_utf8.json().at("error"), "bad_request");
  auto invalid = reg(R"({"login":"AB","password":"mypass123","gender":1,"telegram_id":1})");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.json().at("error"), "validation_error");
  EXPECT_EQ(adduser_count(), 0u);
}

TEST_P(GatewayTest, RequestIdMakesTheCallIdempotent) {
  start_gateway();
  auto first = reg(body("idemgw", 1), {{"X-API-Key", kKey}, {"X-Request-Id", "site-42"}});
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.json().at("request_id"), "site-42");
  EXPECT_EQ(first.header("x-request-id"), "site-42");
  auto again = reg(body("idemgw", 1), {{"X-API-Key", kKey}, {"X-Request-Id", "site-42"}});
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(adduser_count(), 1u);
}

TEST_P(GatewayTest, KeysRotateOnSighupWithoutRestart) {
  auto file = (dir / "keys").string();
  std::ofstream(file) << "site " << kKey << "\n";
  start_gateway({{"TZR_GATEWAY__API_KEYS", ""}, {"TZR_GATEWAY__API_KEYS_FILE", file},
                 {"TZR_GATEWAY__REGISTER_IP_BURST", "20"}});
  EXPECT_EQ(reg(body("rot1", 1)).status, 200);
  std::ofstream(file) << "site2 next-key-0123456789abcdef\n";
  host->process().signal(SIGHUP);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(reg(body("rot2", 2)).status, 403);
  EXPECT_EQ(reg(body("rot3", 3), {{"X-API-Key", "next-key-0123456789abcdef"}}).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, GatewayTest, ::testing::Values("sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(GatewayRedis, TwoGatewaysShareOneBudget) {
  TZR_REQUIRE_SERVER_URL(redis_url, "TZR_TEST_REDIS_URL");
  TempDir dir;
  GameSimProcess sim;
  // A key prefix of this run's own, so earlier runs' buckets in the same Redis don't count.
  std::map<std::string, std::string> env{{"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                         {"TZR_GATEWAY__API_KEYS", std::string("site:") + kKey},
                                         {"TZR_REDIS__URL", redis_url},
                                         {"TZR_REDIS__PREFIX", "test:" + std::to_string(::getpid()) + ":" + dir.str() + ":"},
                                         {"TZR_GATEWAY__STATUS_IP_PER_MIN", "1"},
                                         {"TZR_GATEWAY__STATUS_IP_BURST", "3"},
                                         {"TZR_GAME_DB__SEED_CONSTANTS", "true"},
                                         {"TZR_LOG__LEVEL", "warn"}};
  auto env_a = env, env_b = env;
  env_a["TZR_STORAGE__URL"] = "sqlite://" + dir.str() + "/a.db";
  env_b["TZR_STORAGE__URL"] = "sqlite://" + dir.str() + "/b.db";
  TzrHost a({"serve"}, env_a), b({"serve"}, env_b);
  int ok = 0, limited = 0;
  for (int i = 0; i < 6; ++i) {
    auto res = http(i % 2 ? a.port("gateway") : b.port("gateway"), "GET", "/api/server/status");
    (res.status == 200 ? ok : limited) += 1;
  }
  EXPECT_EQ(ok, 4);  // 1 + burst 3 in total, across both processes
  EXPECT_EQ(limited, 2);
}
