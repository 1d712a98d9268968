// Rotating the bridge secrets (HMAC, AES, JWT) without downtime, every piece the real binary:
// game-sim ← `tzrhost serve` ← `tzrhost agent` → `tzrhost site-hub` ← the test as the site.
// Each end gets current = new and previous = old, in either order, and registrations keep
// working at every step; a third secret in neither slot is refused.
#include "storage/database.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/game_sim_process.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <fstream>
#include <thread>

using namespace tzr;
using namespace tzr::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kKey = "rotation-test-site-key-0123";
constexpr const char* kAdmin = "rotation-test-admin-token";

// One generation of the three bridge secrets.
struct Secrets {
  std::string hmac, aes, jwt;
};
const Secrets kOld{"old-hmac-secret-0123456789", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "old-jwt-secret-0123"};
const Secrets kNew{"new-hmac-secret-9876543210", "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=", "new-jwt-secret-9876"};
const Secrets kThird{"third-hmac-secret-5555555", "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=", "third-jwt-secret-555"};

int free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

class BridgeRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    serve = std::make_unique<TzrHost>(std::vector<std::string>{"serve"},
                                      std::map<std::string, std::string>{{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/platform.db"},
                                                                         {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"},
                                                                         {"TZR_GAME_DB__SEED_CONSTANTS", "true"},
                                                                         {"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                                                         {"TZR_ADMIN__TOKEN", kAdmin},
                                                                         {"TZR_BATTLES__ENABLED", "false"},
                                                                         {"TZR_SHOP__ENABLED", "false"},
                                                                         {"TZR_LOG__LEVEL", "warn"}},
                                      std::vector<std::string>{"registration", "orchestrator"});
    hub_port = free_port();
  }

  // The env of one end: current secrets, and previous ones when given. The previous HMAC secret
  // comes from a file, the _FILE variant an operator would use.
  std::map<std::string, std::string> secrets_env(const Secrets& current, const std::optional<Secrets>& previous,
                                                 const std::string& end) {
    std::map<std::string, std::string> env{{"TZR_BRIDGE__HMAC_SECRET", current.hmac}, {"TZR_BRIDGE__AES_KEY", current.aes},
                                           {"TZR_BRIDGE__JWT_SECRET", current.jwt},   {"TZR_LOG__LEVEL", "info"},
                                           {"TZR_LOG__ACCESS", "false"}};
    if (previous) {
      const auto file = dir / (end + "-hmac-previous");
      std::ofstream(file) << previous->hmac << "\n";
      env["TZR_BRIDGE__HMAC_SECRET_PREVIOUS_FILE"] = file.string();
      env["TZR_BRIDGE__AES_KEY_PREVIOUS"] = previous->aes;
      env["TZR_BRIDGE__JWT_SECRET_PREVIOUS"] = previous->jwt;
    }
    return env;
  }

  void start_hub(const Secrets& current, const std::optional<Secrets>& previous = std::nullopt) {
    hub.reset();  // a restart: the same port and database
    auto env = secrets_env(current, previous, "hub");
    env["TZR_STORAGE__URL"] = "sqlite://" + dir.str() + "/hub.db";
    env["TZR_HUB__PORT"] = std::to_string(hub_port);
    env["TZR_HUB__API_KEYS"] = std::string("site:") + kKey;
    env["TZR_HUB__JOB_TIMEOUT_MS"] = "3000";
    hub = std::make_unique<TzrHost>(std::vector<std::string>{"site-hub"}, env, std::vector<std::string>{"hub"});
  }

  void start_agent(const Secrets& current, const std::optional<Secrets>& previous = std::nullopt, bool expect_connected = true) {
    agent.reset();
    auto env = secrets_env(current, previous, "agent");
    env["TZR_STORAGE__URL"] = "sqlite://" + dir.str() + "/agent.db";
    env["TZR_AGENT__SITE_URL"] = "ws://127.0.0.1:" + std::to_string(hub_port) + "/ws/pull";
    env["TZR_AGENT__REGISTER_URL"] = "http://127.0.0.1:" + std::to_string(serve->port("registration")) + "/register";
    env["TZR_AGENT__STATUS_URL"] = "http://127.0.0.1:" + std::to_string(serve->port("orchestrator")) + "/internal/constants";
    env["TZR_AGENT__LOCAL_TOKEN"] = kAdmin;
    env["TZR_AGENT__BACKOFF_MIN_MS"] = "200";
    env["TZR_AGENT__BACKOFF_MAX_MS"] = "500";
    agent = std::make_unique<TzrHost>(std::vector<std::string>{"agent"}, env, std::vector<std::string>{"agent"});
    if (expect_connected) wait_agents(1);
  }

  std::size_t agents_seen() {
    auto r = http(hub_port, "GET", "/proxy/agents", "", {{"X-API-Key", kKey}});
    return r.status == 200 ? r.json().at("agents").as_array().size() : 0;
  }

  void wait_agents(std::size_t n) {
    for (int i = 0; i < 200; ++i) {
      if (agents_seen() == n) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the hub never saw " << n << " agent(s)";
  }

  TestResponse proxy_register(const std::string& login, const std::string& request_id) {
    const std::string body = R"({"login":")" + login + R"(","password":"mypass123","gender":1,"telegram_id":7001})";
    return http(hub_port, "POST", "/proxy/register", body, {{"X-API-Key", kKey}, {"X-Request-Id", request_id}});
  }

  std::int64_t accounts(const std::string& login) {
    auto db = storage::open_database("sqlite://" + dir.str() + "/game.db").value();
    const storage::Value p[] = {login};
    return db->query("SELECT COUNT(*) FROM tgplayers WHERE login = ?", p).value().rows.at(0).integer(0);
  }

  std::string metrics(int port) { return http(port, "GET", "/metrics").body; }

  // Registration and status both cross the bridge; the account exists once.
  void expect_jobs_work(const std::string& login) {
    auto r = proxy_register(login, "req-" + login);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(accounts(login), 1) << login;
    auto status = http(hub_port, "GET", "/proxy/server-status", "", {{"X-API-Key", kKey}});
    EXPECT_EQ(status.status, 200) << status.body;
  }

  TempDir dir;
  GameSimProcess sim;
  int hub_port = 0;
  std::unique_ptr<TzrHost> serve, hub, agent;
};

TEST_F(BridgeRotationTest, HubFirstThenAgentThenPreviousRemoved) {
  start_hub(kOld);
  start_agent(kOld);
  expect_jobs_work("Before1");
  auto before_restart = proxy_register("Across1", "req-across");
  ASSERT_EQ(before_restart.status, 200) << before_restart.body;

  // 1. The hub rotates; the agent still has only the old secrets.
  start_hub(kNew, kOld);
  wait_agents(1);
  expect_jobs_work("HubNew1");
  // A retry of a request made before the rotation is still the same request, not a conflict.
  auto retry = proxy_register("Across1", "req-across");
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  EXPECT_EQ(accounts("Across1"), 1);
  const std::string hub_metrics = metrics(hub->port("hub"));
  EXPECT_NE(hub_metrics.find(R"(tzr_bridge_previous_key_total{end="hub",key="jwt"})"), std::string::npos) << hub_metrics;
  EXPECT_NE(hub_metrics.find(R"(tzr_bridge_previous_key_total{end="hub",key="hmac"})"), std::string::npos) << hub_metrics;

  // 2. The agent rotates.
  start_agent(kNew, kOld);
  expect_jobs_work("AgentNew1");
  EXPECT_EQ(metrics(agent->port("agent")).find("tzr_bridge_previous_key_total{"), std::string::npos)
      << "a rotated agent spoken to in the new keys never needs the previous ones";

  // 3. Previous removed everywhere.
  start_hub(kNew);
  start_agent(kNew);
  expect_jobs_work("AfterAll1");

  // Secrets logged nowhere.
  for (const auto* text : {&kOld.hmac, &kOld.aes, &kOld.jwt, &kNew.hmac, &kNew.aes, &kNew.jwt}) {
    EXPECT_EQ(hub->process().stderr_text().find(*text), std::string::npos);
    EXPECT_EQ(agent->process().stderr_text().find(*text), std::string::npos);
  }
}

TEST_F(BridgeRotationTest, AgentFirstThenHub) {
  start_hub(kOld);
  // 1. The agent rotates first: its new-secret token is refused, the old one is not; it answers
  //    the hub's old-key jobs in the old key and decrypts the old-key passwords.
  start_agent(kNew, kOld);
  expect_jobs_work("AgentFirst1");
  const std::string agent_metrics = metrics(agent->port("agent"));
  EXPECT_NE(agent_metrics.find(R"(tzr_bridge_previous_key_total{end="agent",key="hmac"})"), std::string::npos) << agent_metrics;
  EXPECT_NE(agent_metrics.find(R"(tzr_bridge_previous_key_total{end="agent",key="aes"})"), std::string::npos) << agent_metrics;
  EXPECT_NE(agent->process().stderr_text().find("accepted with the previous bridge hmac key"), std::string::npos);

  // 2. The hub rotates.
  start_hub(kNew, kOld);
  wait_agents(1);
  expect_jobs_work("HubSecond1");

  // 3. Previous removed.
  start_agent(kNew);
  start_hub(kNew);
  wait_agents(1);
  expect_jobs_work("Done1");
}

TEST_F(BridgeRotationTest, AThirdSecretInNeitherSlotIsRefused) {
  start_hub(kNew, kOld);
  // A token of a third JWT secret: no connection at all.
  start_agent(kThird, std::nullopt, false);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(agents_seen(), 0u);
  EXPECT_NE(metrics(hub->port("hub")).find(R"(tzr_hub_refused_total{reason="jwt_bad_signature"})"), std::string::npos);

  // A valid token but a third HMAC secret: the jobs are refused, nothing is registered.
  start_agent(Secrets{kThird.hmac, kNew.aes, kNew.jwt});
  auto forged = proxy_register("Third1", "req-third-1");
  EXPECT_EQ(forged.status, 504) << forged.body;
  EXPECT_EQ(accounts("Third1"), 0);
  EXPECT_NE(agent->process().stderr_text().find("invalid_signature"), std::string::npos);

  // A third AES key: the job is authentic but its password opens with neither key.
  start_agent(Secrets{kNew.hmac, kThird.aes, kNew.jwt});
  auto undecryptable = proxy_register("Third2", "req-third-2");
  EXPECT_EQ(undecryptable.status, 502) << undecryptable.body;
  EXPECT_EQ(undecryptable.json().at("error"), "decrypt_failed");
  EXPECT_EQ(accounts("Third2"), 0);
}

}  // namespace
