// The bridge with more than one of each, as the real binary, on PostgreSQL: two site hubs on one
// job table behind a load balancer the test plays (a job made at one runs on an agent of the
// other; a hub killed mid-job hands its job over), and two agents on one database (a job or a
// captured frame sent to both runs once). Nothing lost, nothing done twice.
#include "bridge/protocol.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/hmac.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/backends.hpp"
#include "support/fake_site.hpp"
#include "support/game_sim_process.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"
#include "support/tiny_http_server.hpp"

#include <atomic>
#include <csignal>
#include <future>
#include <thread>

using namespace tzr;
using namespace tzr::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kHmac = "scale-test-hmac-secret-0123456789";
constexpr const char* kAes = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr const char* kJwtSecret = "scale-test-jwt-secret";
constexpr const char* kKey = "scale-test-site-key-0123456789";
constexpr const char* kAdmin = "scale-test-admin-token";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::map<std::string, std::string> bridge_env(std::map<std::string, std::string> extra) {
  std::map<std::string, std::string> env{{"TZR_BRIDGE__HMAC_SECRET", kHmac}, {"TZR_BRIDGE__AES_KEY", kAes},
                                         {"TZR_BRIDGE__JWT_SECRET", kJwtSecret}, {"TZR_LOG__LEVEL", "warn"},
                                         {"TZR_LOG__ACCESS", "false"}};
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

// Two hubs (A, B) on one PostgreSQL job table; agents on another PostgreSQL database; the
// registration service and the game simulator behind them.
class BridgeScaleOut : public ::testing::Test {
 protected:
  void SetUp() override {
    TZR_REQUIRE_SERVER_URL(server, "TZR_TEST_POSTGRES_URL");
    hub_db = std::make_unique<ScratchDatabase>("postgres", dir, server);
    agent_db = std::make_unique<ScratchDatabase>("postgres", dir, server);
    serve = std::make_unique<TzrHost>(std::vector<std::string>{"serve"},
                                      bridge_env({{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/platform.db"},
                                                  {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"},
                                                  {"TZR_GAME_DB__SEED_CONSTANTS", "true"},
                                                  {"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                                  {"TZR_GAME__TIMEOUT_MS", "5000"},
                                                  {"TZR_ADMIN__TOKEN", kAdmin},
                                                  {"TZR_BATTLES__ENABLED", "false"},
                                                  {"TZR_SHOP__ENABLED", "false"}}),
                                      std::vector<std::string>{"registration", "orchestrator"});
    for (auto& port : hub_ports) port = free_port();
  }

  void start_hub(int i) {
    hubs[i] = std::make_unique<TzrHost>(std::vector<std::string>{"site-hub"},
                                        bridge_env({{"TZR_STORAGE__URL", hub_db->url()},
                                                    {"TZR_HUB__PORT", std::to_string(hub_ports[i])},
                                                    {"TZR_HUB__API_KEYS", std::string("site:") + kKey},
                                                    {"TZR_HUB__JOB_TIMEOUT_MS", "20000"},
                                                    {"TZR_HUB__CLAIM_LEASE_MS", "1500"},
                                                    {"TZR_HUB__POLL_MS", "50"}}),
                                        std::vector<std::string>{"hub"});
  }

  // An agent connected to hub i.
  void start_agent(int slot, int hub) {
    const std::string orchestrator = "http://127.0.0.1:" + std::to_string(serve->port("orchestrator"));
    agents[slot] = std::make_unique<TzrHost>(
        std::vector<std::string>{"agent"},
        bridge_env({{"TZR_STORAGE__URL", agent_db->url()},
                    {"TZR_AGENT__ID", "agent-" + std::to_string(slot)},
                    {"TZR_AGENT__SITE_URL", "ws://127.0.0.1:" + std::to_string(hub_ports[hub]) + "/ws/pull"},
                    {"TZR_AGENT__REGISTER_URL", "http://127.0.0.1:" + std::to_string(serve->port("registration")) + "/register"},
                    {"TZR_AGENT__STATUS_URL", orchestrator + "/internal/constants"},
                    {"TZR_AGENT__RESET_URL", orchestrator + "/internal/password/reset"},
                    {"TZR_AGENT__LOCAL_TOKEN", kAdmin},
                    {"TZR_AGENT__BACKOFF_MIN_MS", "200"}}),
        std::vector<std::string>{"agent"});
    wait_agents(hub, 1);
  }

  void wait_agents(int hub, std::size_t n) {
    for (int i = 0; i < 200; ++i) {
      auto r = http(hub_ports[hub], "GET", "/proxy/agents", "", {{"X-API-Key", kKey}});
      if (r.status == 200 && r.json().at("agents").as_array().size() == n) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "hub " << hub << " never saw " << n << " agent(s)";
  }

  TestResponse proxy_register(int hub, const std::string& login, const std::string& request_id, int telegram_id = 7100) {
    const std::string body = R"({"login":")" + login + R"(","password":"mypass123","gender":1,"telegram_id":)" +
                             std::to_string(telegram_id) + "}";
    return http(hub_ports[hub], "POST", "/proxy/register", body, {{"X-API-Key", kKey}, {"X-Request-Id", request_id}});
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
  std::unique_ptr<ScratchDatabase> hub_db, agent_db;
  std::unique_ptr<TzrHost> serve;
  int hub_ports[2] = {0, 0};
  std::unique_ptr<TzrHost> hubs[2], agents[2];
};

TEST_F(BridgeScaleOut, AJobMadeAtAHubWithoutAgentsRunsOnAnAgentOfTheOtherHub) {
  start_hub(0);
  start_hub(1);
  start_agent(0, 1);  // only hub B has an agent
  auto r = proxy_register(0, "Across1", "across-1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("request_id"), "across-1");
  // The site's retry lands on the other hub: the stored outcome, nothing run again.
  auto retry = proxy_register(1, "Across1", "across-1");
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  auto status = http(hub_ports[0], "GET", "/proxy/server-status", "", {{"X-API-Key", kKey}});
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_TRUE(status.json().at("server_status").is_int64());
  EXPECT_EQ(accounts("Across1"), 1);
  EXPECT_EQ(addusers(), 1u);
}

TEST_F(BridgeScaleOut, AHubKilledMidJobHandsItOverAndTheAccountIsMadeOnce) {
  start_hub(0);
  start_hub(1);
  start_agent(0, 0);
  start_agent(1, 1);
  sim.set_mode("slow", 2500);
  // The site's call reaches hub B, whose agent starts the registration; B dies mid-job.
  auto first = std::async(std::launch::async, [this] {
    try {
      return proxy_register(1, "Handed1", "handed-1").status;
    } catch (const std::exception&) {
      return 0;  // the connection died with the hub
    }
  });
  for (int i = 0; i < 200 && addusers() == 0; ++i) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(addusers(), 1u) << "the registration never reached the game";
  hubs[1]->process().signal(SIGKILL);
  EXPECT_EQ(first.get(), 0);
  // The load balancer sends the site's retry to hub A: it takes the job once B's claim runs out;
  // agent 0 waits for agent 1's outcome (or finds it stored) instead of running it again.
  auto retry = proxy_register(0, "Handed1", "handed-1");
  EXPECT_EQ(retry.status, 200) << retry.body;
  sim.set_mode("ok");
  EXPECT_EQ(accounts("Handed1"), 1);
  EXPECT_EQ(addusers(), 1u);
  // Hub A serves on alone.
  auto next = proxy_register(0, "Handed2", "handed-2");
  EXPECT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(accounts("Handed2"), 1);
}

TEST_F(BridgeScaleOut, JobsPendingAtAHubWithoutAgentsAreAllDeliveredThroughTheOther) {
  start_hub(0);
  start_hub(1);
  start_agent(0, 1);
  std::vector<std::future<TestResponse>> calls;
  for (int i = 0; i < 12; ++i)
    calls.push_back(std::async(std::launch::async, [this, i] {
      return proxy_register(i % 2, "Many" + std::to_string(i), "many-" + std::to_string(i), 7200 + i);
    }));
  for (auto& c : calls) {
    auto r = c.get();
    EXPECT_EQ(r.status, 200) << r.body;
  }
  for (int i = 0; i < 12; ++i) EXPECT_EQ(accounts("Many" + std::to_string(i)), 1) << i;
  EXPECT_EQ(addusers(), 12u);
}

// Two agents on one database, each on a site the test plays, behind a local service that counts.
class AgentScaleOut : public ::testing::Test {
 protected:
  void SetUp() override {
    TZR_REQUIRE_SERVER_URL(server, "TZR_TEST_POSTGRES_URL");
    agent_db = std::make_unique<ScratchDatabase>("postgres", dir, server);
    local = std::make_unique<TinyHttpServer>([this](const TinyRequest&) {
      ++calls;
      std::this_thread::sleep_for(600ms);
      return TinyReply{200, {{"Content-Type", "application/json"}}, R"({"ok":true,"user_id":1})"};
    });
    for (int i = 0; i < 2; ++i) {
      agents[i] = std::make_unique<TzrHost>(std::vector<std::string>{"agent"},
                                            bridge_env({{"TZR_STORAGE__URL", agent_db->url()},
                                                        {"TZR_AGENT__ID", "agent-" + std::to_string(i)},
                                                        {"TZR_AGENT__SITE_URL", sites[i].url()},
                                                        {"TZR_AGENT__REGISTER_URL", local->url("/register")},
                                                        {"TZR_AGENT__STATUS_URL", local->url("/status")},
                                                        {"TZR_AGENT__RESET_URL", local->url("/reset")},
                                                        {"TZR_AGENT__LOCAL_TOKEN", "local-token"},
                                                        {"TZR_AGENT__REQUEST_TIMEOUT_MS", "1000"}}),
                                            std::vector<std::string>{"agent"});
      ASSERT_TRUE(sites[i].wait_connections(1, 10s));
    }
  }

  static std::string frame(const std::string& id, const std::string& nonce) {
    const auto key = crypto::aes_gcm::Key::from_base64(kAes).value();
    bridge::SiteJob job{id, "register",
                        boost::json::object{{"login", "Player1"},
                                            {"password_encrypted", crypto::aes_gcm::encrypt("mypass123", key).value()},
                                            {"gender", 1},
                                            {"telegram_id", 42}},
                        now(), nonce};
    return bridge::make_job_frame(job, kHmac);
  }

  boost::json::object answer(int site) {
    auto text = sites[site].next_frame(15s);
    if (!text) {
      ADD_FAILURE() << "agent " << site << " did not answer";
      return {};
    }
    EXPECT_TRUE(crypto::verify_message_text(*text, kHmac)) << *text;
    return boost::json::parse(*text).as_object();
  }

  TempDir dir;
  std::unique_ptr<ScratchDatabase> agent_db;
  std::unique_ptr<TinyHttpServer> local;
  std::atomic<int> calls{0};
  FakeSite sites[2];
  std::unique_ptr<TzrHost> agents[2];
};

TEST_F(AgentScaleOut, ACapturedFrameSentToBothAgentsRunsOnce) {
  const std::string captured = frame("both-1", "nonce-both-1");
  ASSERT_TRUE(sites[0].send(captured));
  ASSERT_TRUE(sites[1].send(captured));
  auto a = answer(0), b = answer(1);
  const int ok = (a.at("ok") == true) + (b.at("ok") == true);
  EXPECT_EQ(ok, 1) << a << " " << b;
  const auto& refused = a.at("ok") == true ? b : a;
  EXPECT_EQ(refused.at("code"), "replayed_nonce") << refused;
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(AgentScaleOut, AJobPushedToBothAgentsRunsOnceAndBothAnswerItsOutcome) {
  // A hub re-pushes a job (fresh nonce) to the second agent while the first still runs it.
  ASSERT_TRUE(sites[0].send(frame("twice-1", "nonce-a")));
  std::this_thread::sleep_for(150ms);
  ASSERT_TRUE(sites[1].send(frame("twice-1", "nonce-b")));
  auto second = answer(1);
  EXPECT_EQ(second.at("ok"), false);
  EXPECT_EQ(second.at("code"), "request_in_progress") << second;
  auto first = answer(0);
  EXPECT_EQ(first.at("ok"), true) << first;
  // The re-push after the first finished: its stored outcome.
  ASSERT_TRUE(sites[1].send(frame("twice-1", "nonce-c")));
  auto third = answer(1);
  EXPECT_EQ(third.at("ok"), true) << third;
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(AgentScaleOut, AnAgentKilledMidJobLeavesItToTheOtherOnceItsClaimRunsOut) {
  ASSERT_TRUE(sites[0].send(frame("killed-1", "nonce-k1")));
  for (int i = 0; i < 100 && calls.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(calls.load(), 1);
  agents[0]->process().signal(SIGKILL);
  // Its claim holds for the local timeout and a margin (nothing it started is run beside it),
  // then the other agent takes the job; the local service's own idempotency (the job id is its
  // X-Request-Id) makes the second call harmless.
  ASSERT_TRUE(sites[1].send(frame("killed-1", "nonce-k2")));
  EXPECT_EQ(answer(1).at("code"), "request_in_progress");
  bool done = false;
  for (int i = 0; i < 40 && !done; ++i) {
    std::this_thread::sleep_for(1s);
    ASSERT_TRUE(sites[1].send(frame("killed-1", "nonce-k3-" + std::to_string(i))));
    done = answer(1).at("ok") == true;
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
