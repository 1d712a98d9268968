// The real `tzrhost agent` against a site played by the test (FakeSite): what it sends on the
// upgrade, how it answers forged, replayed, stale and malformed jobs (nothing reaches the local
// service), idempotency by job id, and reconnection after the site drops the socket.
#include "bridge/protocol.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/hmac.hpp"
#include "crypto/jwt.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/fake_site.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_http_server.hpp"
#include "support/tls_server.hpp"

#include <atomic>
#include <chrono>
#include <thread>

using namespace tzr;
using namespace tzr::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kHmac = "agent-test-hmac-secret-0123456789";
constexpr const char* kAes = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr const char* kJwtSecret = "agent-test-jwt-secret";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    local = std::make_unique<TinyHttpServer>([this](const TinyRequest& req) {
      ++calls;
      last_body = req.body;
      last_request_id = req.header("X-Request-Id");
      if (req.target == "/register" && slow_register) std::this_thread::sleep_for(800ms);
      if (req.target == "/status")
        return TinyReply{200, {{"Content-Type", "application/json"}}, R"({"ServerStatus":{"value":1.0},"RateExp":{"value":2.0}})"};
      return TinyReply{200, {{"Content-Type", "application/json"}}, R"({"ok":true,"message":"ok"})"};
    });
  }

  void start_agent(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{
        {"TZR_AGENT__SITE_URL", site.url()},
        {"TZR_AGENT__REGISTER_URL", local->url("/register")},
        {"TZR_AGENT__STATUS_URL", local->url("/status")},
        {"TZR_AGENT__RESET_URL", local->url("/reset")},
        {"TZR_AGENT__LOCAL_TOKEN", "local-token"},
        {"TZR_AGENT__ID", "agent-under-test"},
        {"TZR_BRIDGE__HMAC_SECRET", kHmac},
        {"TZR_BRIDGE__AES_KEY", kAes},
        {"TZR_BRIDGE__JWT_SECRET", kJwtSecret},
        {"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/agent.db"},
        {"TZR_LOG__LEVEL", "warn"},
    };
    for (auto& [k, v] : extra) env[k] = v;
    agent = std::make_unique<TzrHost>(std::vector<std::string>{"agent"}, env, std::vector<std::string>{"agent"});
  }

  bridge::SiteJob job(std::string id, std::string nonce, std::int64_t ts) {
    const auto key = crypto::aes_gcm::Key::from_base64(kAes).value();
    return {std::move(id), "register",
            boost::json::object{{"login", "Player1"},
                                {"password_encrypted", crypto::aes_gcm::encrypt("mypass123", key).value()},
                                {"gender", 1},
                                {"telegram_id", 42}},
            ts, std::move(nonce)};
  }

  // Sends a frame and returns the verified result that answers it.
  boost::json::object exchange(const std::string& frame) {
    EXPECT_TRUE(site.send(frame));
    auto answer = site.next_frame(10s);
    if (!answer) {
      ADD_FAILURE() << "no answer";
      return {};
    }
    EXPECT_TRUE(crypto::verify_message_text(*answer, kHmac)) << *answer;
    return boost::json::parse(*answer).as_object();
  }

  TempDir dir;
  FakeSite site;
  std::unique_ptr<TinyHttpServer> local;
  std::atomic<int> calls{0};
  std::atomic<bool> slow_register{false};
  std::string last_body, last_request_id;
  std::unique_ptr<TzrHost> agent;
};

TEST_F(AgentTest, ConnectsWithAFreshTokenAndRunsAJobOnce) {
  start_agent();
  ASSERT_TRUE(site.wait_connections(1, 10s));
  const std::string auth = site.last_authorization();
  ASSERT_TRUE(auth.starts_with("Bearer "));
  auto claims = crypto::jwt::verify(auth.substr(7), kJwtSecret, now(), {.audience = std::string("ws/pull")});
  ASSERT_TRUE(claims) << claims.error().code;
  EXPECT_EQ(claims->at("sub"), "agent-under-test");

  const auto j = job("job-once", "nonce-1", now());
  auto result = exchange(bridge::make_job_frame(j, kHmac));
  EXPECT_EQ(result.at("id"), "job-once");
  EXPECT_EQ(result.at("ok"), true);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(last_request_id, "job-once");
  auto body = boost::json::parse(last_body).as_object();
  EXPECT_EQ(body.at("password"), "mypass123");
  EXPECT_EQ(body.at("request_id"), "job-once");

  // The same job id again (re-signed, as a site re-pushing it would): the first outcome, no call.
  auto again = exchange(bridge::make_job_frame(job("job-once", "nonce-2", now()), kHmac));
  EXPECT_EQ(again.at("ok"), true);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(AgentTest, RefusesForgedReplayedStaleAndFutureJobsWithoutCallingAnything) {
  start_agent();
  ASSERT_TRUE(site.wait_connections(1, 10s));
  auto good = bridge::make_job_frame(job("j-ok", "n-ok", now()), kHmac);
  EXPECT_EQ(exchange(good).at("ok"), true);
  ASSERT_EQ(calls.load(), 1);

  auto replay = exchange(good);
  EXPECT_EQ(replay.at("ok"), false);
  EXPECT_EQ(replay.at("code"), "replayed_nonce");

  auto forged = bridge::make_job_frame(job("j-forged", "n-forged", now()), kHmac);
  forged.replace(forged.find("\"gender\":1"), 10, "\"gender\":0");
  auto r1 = exchange(forged);
  EXPECT_EQ(r1.at("error"), "Invalid HMAC signature");
  EXPECT_EQ(r1.at("id"), "j-forged");

  auto r2 = exchange(bridge::make_job_frame(job("j-old", "n-old", now() - 100), kHmac));
  EXPECT_TRUE(std::string(r2.at("error").as_string()).starts_with("Job expired (age="));
  auto r3 = exchange(bridge::make_job_frame(job("j-future", "n-future", now() + 3600), kHmac));
  EXPECT_EQ(r3.at("code"), "job_expired");
  auto r4 = exchange(R"({"type":"job","id":"j-bad","job_type":"register"})");
  EXPECT_EQ(r4.at("error"), "Malformed job");
  auto r5 = exchange(bridge::make_job_frame(bridge::SiteJob{"j-x", "foo", {}, now(), "n-x"}, kHmac));
  EXPECT_EQ(r5.at("error"), "Unknown job_type: foo");
  // Garbage without an id is dropped: the next real job is still answered.
  EXPECT_TRUE(site.send("{not json"));
  auto status = exchange(bridge::make_job_frame(bridge::SiteJob{"s-1", "get_server_status", {}, now(), "n-s"}, kHmac));
  EXPECT_EQ(status.at("ok"), true);
  EXPECT_EQ(status.at("result").at("server_status"), 1);
  EXPECT_EQ(status.at("result").at("rates").at("exp"), 2.0);
  EXPECT_EQ(calls.load(), 2);  // the first register and the status call: nothing else ran
}

TEST_F(AgentTest, StoredOutcomeSurvivesAnAgentRestart) {
  start_agent();
  ASSERT_TRUE(site.wait_connections(1, 10s));
  EXPECT_EQ(exchange(bridge::make_job_frame(job("persisted", "p-1", now()), kHmac)).at("ok"), true);
  agent.reset();  // SIGTERM and wait
  start_agent();
  ASSERT_TRUE(site.wait_connections(2, 10s));
  EXPECT_EQ(exchange(bridge::make_job_frame(job("persisted", "p-2", now()), kHmac)).at("ok"), true);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(AgentTest, ReconnectsWithinTheBackoffBoundAfterTheSiteDropsIt) {
  start_agent();  // default backoff: 3 s, +0–30 %
  ASSERT_TRUE(site.wait_connections(1, 10s));
  const auto dropped_at = std::chrono::steady_clock::now();
  site.drop();
  ASSERT_TRUE(site.wait_connections(2, 10s));
  const auto waited = std::chrono::steady_clock::now() - dropped_at;
  EXPECT_GE(waited, 2900ms);
  EXPECT_LE(waited, 4500ms);
  // And it works on the new connection.
  EXPECT_EQ(exchange(bridge::make_job_frame(job("after-drop", "d-1", now()), kHmac)).at("ok"), true);
}

TEST_F(AgentTest, SigtermLetsTheRunningJobAnswerThenCloses) {
  start_agent();
  ASSERT_TRUE(site.wait_connections(1, 10s));
  slow_register = true;
  ASSERT_TRUE(site.send(bridge::make_job_frame(job("draining", "dr-1", now()), kHmac)));
  for (int i = 0; i < 100 && calls.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  agent->process().signal(SIGTERM);
  auto answer = site.next_frame(10s);
  ASSERT_TRUE(answer);
  auto result = boost::json::parse(*answer).as_object();
  EXPECT_EQ(result.at("id"), "draining");
  EXPECT_EQ(result.at("ok"), true);
  auto code = agent->process().wait(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << agent->process().stderr_text();
}

TEST_F(AgentTest, RefusesToStartWithABadAesKey) {
  std::map<std::string, std::string> env{{"TZR_BRIDGE__AES_KEY", "dGVzdF9hZXNfMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="},
                                         {"TZR_BRIDGE__HMAC_SECRET", kHmac},
                                         {"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/bad.db"},
                                         {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
                                         {"TZR_AGENT__HEALTH_PORT", "0"}};
  ChildProcess child({tzrhost_bin(), "agent"}, env);
  auto code = child.wait(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1);
  EXPECT_NE(child.stderr_text().find("32 bytes"), std::string::npos) << child.stderr_text();
}

// wss:// checks the site's certificate: the system store refuses a throwaway CA, the configured
// CA file admits it (the TLS peer here is `openssl s_server`, so the upgrade itself then fails
// with its plain HTTP answer), and a certificate for another host is refused.
TEST(AgentTls, SiteCertificateIsVerified) {
  TempDir certs;
  make_test_ca(certs.path());
  make_server_cert(certs.path(), "localhost", "DNS:localhost,IP:127.0.0.1");
  make_server_cert(certs.path(), "other", "DNS:other.example");
  boost::asio::io_context io;
  auto dial = [&](std::uint16_t port, std::string ca) {
    net::WebSocketClientOptions o;
    o.ca_file = std::move(ca);
    o.connect_timeout = 5s;
    auto f = boost::asio::co_spawn(
        io, net::websocket_connect(io.get_executor(), "wss://localhost:" + std::to_string(port) + "/ws/pull", {}, o),
        boost::asio::use_future);
    io.restart();
    io.run();
    return f.get();
  };
  OpenSslServer good(certs.path(), "localhost");
  auto untrusted = dial(good.port(), "");
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().code, "ws_tls_failed");
  auto trusted = dial(good.port(), (certs.path() / "ca.pem").string());
  ASSERT_FALSE(trusted);
  EXPECT_EQ(trusted.error().code, "ws_rejected") << trusted.error().message;  // TLS passed, s_server is no WebSocket
  OpenSslServer wrong(certs.path(), "other");
  auto mismatch = dial(wrong.port(), (certs.path() / "ca.pem").string());
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, "ws_tls_failed");
}

}  // namespace
