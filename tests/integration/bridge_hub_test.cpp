// The whole bridge on loopback, every piece the real binary: game-sim ← `tzrhost serve`
// (registration, orchestrator) ← `tzrhost agent` → `tzrhost site-hub` ← the test as the site's
// back end. Registrations are exactly once through retries, agent crashes and hub restarts.
#include "crypto/jwt.hpp"
#include "net/websocket.hpp"
#include "storage/database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/fake_bot_api.hpp"
#include "support/game_sim_process.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <future>
#include <thread>

using namespace tzr;
using namespace tzr::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kHmac = "hub-test-hmac-secret-0123456789";
constexpr const char* kAes = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr const char* kJwtSecret = "hub-test-jwt-secret";
constexpr const char* kKey = "hub-test-site-key-0123456789";
constexpr const char* kAdmin = "hub-test-admin-token";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::map<std::string, std::string> bridge_secrets() {
  return {{"TZR_BRIDGE__HMAC_SECRET", kHmac}, {"TZR_BRIDGE__AES_KEY", kAes}, {"TZR_BRIDGE__JWT_SECRET", kJwtSecret},
          {"TZR_LOG__LEVEL", "warn"},         {"TZR_LOG__ACCESS", "false"}};
}

class BridgeHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    start_serve();
    hub_port = free_port();
    start_hub();
  }

  void start_serve(std::map<std::string, std::string> extra = {}) {
    serve.reset();
    auto env = bridge_secrets();
    env.merge(std::map<std::string, std::string>{{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/platform.db"},
                                                 {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"},
                                                 {"TZR_GAME_DB__SEED_CONSTANTS", "true"},
                                                 {"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                                 {"TZR_GAME__TIMEOUT_MS", "5000"},
                                                 {"TZR_ADMIN__TOKEN", kAdmin},
                                                 {"TZR_BATTLES__ENABLED", "false"},
                                                 {"TZR_SHOP__ENABLED", "false"}});
    for (auto& [k, v] : extra) env[k] = v;
    serve = std::make_unique<TzrHost>(std::vector<std::string>{"serve"}, env,
                                      std::vector<std::string>{"registration", "orchestrator"});
  }

  void start_hub(std::map<std::string, std::string> extra = {}) {
    hub.reset();  // a restart: the same port and database
    auto env = bridge_secrets();
    env["TZR_STORAGE__URL"] = "sqlite://" + dir.str() + "/hub.db";
    env["TZR_HUB__PORT"] = std::to_string(hub_port);
    env["TZR_HUB__API_KEYS"] = std::string("site:") + kKey;
    env["TZR_HUB__JOB_TIMEOUT_MS"] = "10000";
    for (auto& [k, v] : extra) env[k] = v;
    hub = std::make_unique<TzrHost>(std::vector<std::string>{"site-hub"}, env, std::vector<std::string>{"hub"});
  }

  void start_agent() {
    auto env = bridge_secrets();
    env["TZR_STORAGE__URL"] = "sqlite://" + dir.str() + "/agent.db";
    env["TZR_AGENT__SITE_URL"] = "ws://127.0.0.1:" + std::to_string(hub_port) + "/ws/pull";
    env["TZR_AGENT__REGISTER_URL"] = "http://127.0.0.1:" + std::to_string(serve->port("registration")) + "/register";
    const std::string orchestrator = "http://127.0.0.1:" + std::to_string(serve->port("orchestrator"));
    env["TZR_AGENT__STATUS_URL"] = orchestrator + "/internal/constants";
    env["TZR_AGENT__RESET_URL"] = orchestrator + "/internal/password/reset";
    env["TZR_AGENT__LOCAL_TOKEN"] = kAdmin;
    env["TZR_AGENT__BACKOFF_MIN_MS"] = "200";
    agent = std::make_unique<TzrHost>(std::vector<std::string>{"agent"}, env, std::vector<std::string>{"agent"});
    wait_agents(1);
  }

  void wait_agents(std::size_t n) {
    for (int i = 0; i < 200; ++i) {
      auto r = http(hub_port, "GET", "/proxy/agents", "", {{"X-API-Key", kKey}});
      if (r.status == 200 && r.json().at("agents").as_array().size() == n) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the hub never saw " << n << " agent(s)";
  }

  TestResponse proxy_register(const std::string& login, const std::string& request_id, std::int64_t telegram_id = 7001) {
    const std::string body = R"({"login":")" + login + R"(","password":"mypass123","gender":1,"telegram_id":)" +
                             std::to_string(telegram_id) + "}";
    return http(hub_port, "POST", "/proxy/register", body, {{"X-API-Key", kKey}, {"X-Request-Id", request_id}});
  }

  std::int64_t accounts(const std::string& login) {
    auto db = storage::open_database("sqlite://" + dir.str() + "/game.db").value();
    const storage::Value p[] = {login};
    return db->query("SELECT COUNT(*) FROM tgplayers WHERE login = ?", p).value().rows.at(0).integer(0);
  }

  std::size_t addusers() {
    std::size_t n = 0;
    const auto received = sim.received();
    for (const auto& m : received.as_array())
      if (m.at("tag") == "ADDUSER") ++n;
    return n;
  }

  TempDir dir;
  GameSimProcess sim;
  int hub_port = 0;
  std::unique_ptr<TzrHost> serve, hub, agent;
};

TEST_F(BridgeHubTest, RegistrationThroughTheHubCreatesExactlyOneAccount) {
  start_agent();
  auto first = proxy_register("Bridged1", "req-1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json().at("ok"), true);
  EXPECT_EQ(first.json().at("request_id"), "req-1");

  auto retry = proxy_register("Bridged1", "req-1");  // the site retries the same request
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  auto conflict = proxy_register("Other1", "req-1");  // the same id for another body
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.json().at("error"), "idempotency_conflict");

  auto taken = proxy_register("Bridged1", "req-2");
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(taken.json().at("error"), "login_taken");
  auto invalid = proxy_register("AB", "req-3");
  EXPECT_EQ(invalid.status, 400) << invalid.body;
  EXPECT_EQ(invalid.json().at("error"), "validation_error");
  EXPECT_TRUE(invalid.json().at("fields").as_object().contains("login"));
  auto no_key = http(hub_port, "POST", "/proxy/register", R"({"login":"x"})");
  EXPECT_EQ(no_key.status, 403);

  EXPECT_EQ(accounts("Bridged1"), 1);
  EXPECT_EQ(addusers(), 1u);
}

TEST_F(BridgeHubTest, ServerStatusThroughTheHub) {
  start_agent();
  auto r = http(hub_port, "GET", "/proxy/server-status", "", {{"X-API-Key", kKey}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json().as_object();
  EXPECT_TRUE(j.at("server_status").is_int64());
  EXPECT_TRUE(j.at("rates").at("exp").is_double());
  EXPECT_NE(r.body.find("\"exp\":"), std::string::npos);
  EXPECT_EQ(r.body.find("E0"), std::string::npos) << "doubles must print as 1.0, not 1E0: " << r.body;
  EXPECT_TRUE(j.at("revision").is_int64());
}

TEST_F(BridgeHubTest, NoAgentMeans504AndTheJobRunsWhenOneConnects) {
  start_hub({{"TZR_HUB__JOB_TIMEOUT_MS", "700"}});  // replaces the hub of SetUp (same port, same DB)
  auto waiting = proxy_register("Later1", "late-1");
  EXPECT_EQ(waiting.status, 504) << waiting.body;
  EXPECT_EQ(waiting.json().at("error"), "agent_timeout");
  start_agent();  // the pending job is pushed to it
  for (int i = 0; i < 100 && accounts("Later1") == 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(accounts("Later1"), 1);
  std::this_thread::sleep_for(200ms);
  auto again = proxy_register("Later1", "late-1");  // the site retries: the job's outcome
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(addusers(), 1u);
}

TEST_F(BridgeHubTest, HubRestartPushesUnfinishedJobsAgain) {
  start_hub({{"TZR_HUB__JOB_TIMEOUT_MS", "500"}});
  EXPECT_EQ(proxy_register("Restart1", "restart-1").status, 504);
  hub->process().signal(SIGKILL);
  hub.reset();
  start_hub();
  start_agent();
  for (int i = 0; i < 100 && accounts("Restart1") == 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(accounts("Restart1"), 1);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(proxy_register("Restart1", "restart-1").status, 200);
  EXPECT_EQ(addusers(), 1u);
}

TEST_F(BridgeHubTest, AgentKilledMidJobGivesOneResultAndOneAccount) {
  start_agent();
  sim.set_mode("slow", 1500);
  auto pending = std::async(std::launch::async, [this] { return proxy_register("Killed1", "kill-1"); });
  for (int i = 0; i < 100 && addusers() == 0; ++i) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(addusers(), 1u) << "the registration never reached the game";
  agent->process().signal(SIGKILL);  // mid-job: the game call is still running behind it
  agent.reset();
  start_agent();
  auto r = pending.get();
  EXPECT_EQ(r.status, 200) << r.body;
  sim.set_mode("ok");
  EXPECT_EQ(accounts("Killed1"), 1);
  EXPECT_EQ(addusers(), 1u);
}

TEST_F(BridgeHubTest, AgentTokensAreChecked) {
  boost::asio::io_context io;
  auto dial = [&](std::string token) {
    net::Headers h;
    if (!token.empty()) h.set("Authorization", "Bearer " + token);
    auto f = boost::asio::co_spawn(io, net::websocket_connect(io.get_executor(), "ws://127.0.0.1:" + std::to_string(hub_port) + "/ws/pull",
                                                              h, {}),
                                   boost::asio::use_future);
    io.restart();
    io.run();
    return f.get();
  };
  auto claims = [](std::int64_t iat, std::int64_t exp) {
    return boost::json::object{{"sub", "t"}, {"aud", "ws/pull"}, {"iat", iat}, {"exp", exp}};
  };
  auto none = dial("");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "ws_rejected");
  EXPECT_EQ(none.error().kind, ErrorKind::unauthorized);
  EXPECT_FALSE(dial(crypto::jwt::make(claims(now(), now() + 600), "wrong-secret")));
  EXPECT_FALSE(dial(crypto::jwt::make(claims(now() - 1000, now() - 100), kJwtSecret)));  // expired
  auto aud = claims(now(), now() + 600);
  aud["aud"] = "elsewhere";
  EXPECT_FALSE(dial(crypto::jwt::make(aud, kJwtSecret)));
  auto ok = dial(crypto::jwt::make(claims(now(), now() + 600), kJwtSecret));
  ASSERT_TRUE(ok) << ok.error().message;
}

TEST_F(BridgeHubTest, TelegramProofAndPasswordResetTravelThroughTheBridge) {
  const std::string token = "5550002:AAF-bridge_SECRET-token";
  FakeBotApi bot{token};
  start_serve({{"TZR_TELEGRAM__BOT_TOKEN", token},
               {"TZR_TELEGRAM__API_BASE", "http://127.0.0.1:" + std::to_string(bot.port())},
               {"TZR_TELEGRAM__AUTH_REQUIRED", "true"}});
  start_agent();
  auto widget = [&](std::int64_t id) {
    return signed_widget(token, {{"id", id}, {"first_name", "Ann"}, {"auth_date", now()}});
  };
  auto post = [&](const std::string& path, const std::string& body, const std::string& id) {
    return http(hub_port, "POST", path, body, {{"X-API-Key", kKey}, {"X-Request-Id", id}});
  };
  auto bare = post("/proxy/register", R"({"login":"Proven1","password":"mypass123","gender":0,"telegram_id":7101})", "tg-1");
  EXPECT_EQ(bare.status, 403) << bare.body;
  EXPECT_EQ(bare.json().at("error"), "telegram_auth_required");
  auto proven = post("/proxy/register",
                     R"({"login":"Proven1","password":"mypass123","gender":0,"telegram_id":7101,"telegram_auth":)" + widget(7101) + "}",
                     "tg-2");
  ASSERT_EQ(proven.status, 200) << proven.body;
  auto borrowed = post("/proxy/register",
                       R"({"login":"Proven2","password":"mypass123","gender":0,"telegram_id":7101,"telegram_auth":)" + widget(7102) + "}",
                       "tg-3");
  EXPECT_EQ(borrowed.status, 403) << borrowed.body;
  EXPECT_EQ(borrowed.json().at("error"), "telegram_auth_invalid");
  EXPECT_EQ(accounts("Proven1"), 1);
  EXPECT_EQ(accounts("Proven2"), 0);

  auto reset = post("/proxy/password-reset", R"({"telegram_id":7101,"password":"newpass456","telegram_auth":)" + widget(7101) + "}",
                    "tg-reset-1");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(reset.json().at("logins"), boost::json::array{"Proven1"});
  std::vector<std::string> newpas;
  const auto received = sim.received();
  for (const auto& m : received.as_array())
    if (m.at("tag") == "NEWPAS") newpas.emplace_back(m.at("raw").as_string());
  ASSERT_EQ(newpas.size(), 1u);
  EXPECT_NE(newpas[0].find(R"(l="Proven1")"), std::string::npos);
  auto unproven = post("/proxy/password-reset", R"({"telegram_id":7101,"password":"newpass789"})", "tg-reset-2");
  EXPECT_EQ(unproven.status, 403) << unproven.body;
}

}  // namespace
