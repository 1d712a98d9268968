// Black-box tests: the built tzrhost binary, started on free ports, spoken to over TCP.
#include "support/backends.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

using namespace tzr::test;
using namespace std::chrono_literals;

namespace {

std::map<std::string, std::string> sqlite_env(const TempDir& dir) {
  return {{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"}, {"TZR_LOG__LEVEL", "warn"}};
}

struct ServeTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<TzrHost> host;
  int port = 0;
  void start(std::map<std::string, std::string> extra = {}) {
    auto env = sqlite_env(dir);
    for (auto& [k, v] : extra) env[k] = v;
    host = std::make_unique<TzrHost>(std::vector<std::string>{"serve"}, env);
    port = host->port("gateway");
  }
};

}  // namespace

TEST_F(ServeTest, HealthReadyAndMetrics) {
  start();
  auto health = http(port, "GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json().at("status"), "ok");
  EXPECT_EQ(health.header("content-type"), "application/json");
  EXPECT_EQ(health.header("x-request-id").size(), 32u);

  auto ready = http(port, "GET", "/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.json().at("checks").at("storage"), true);

  auto metrics = http(port, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.header("content-type").find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(metrics.body.find(R"(route="/health",service="gateway",status="200")"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("tzr_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(ServeTest, EchoesRequestId) {
  start();
  auto res = http(port, "GET", "/health", "", {{"X-Request-Id", "site-req-7"}});
  EXPECT_EQ(res.header("x-request-id"), "site-req-7");
}

TEST_F(ServeTest, UnknownPathAndWrongMethod) {
  start();
  auto nf = http(port, "GET", "/no/such/thing", "", {{"X-Request-Id", "abc"}});
  EXPECT_EQ(nf.status, 404);
  auto body = nf.json().as_object();
  EXPECT_EQ(body.at("ok"), false);
  EXPECT_EQ(body.at("error"), "not_found");
  EXPECT_EQ(body.at("request_id"), "abc");

  auto wrong = http(port, "DELETE", "/health");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(wrong.json().at("error"), "method_not_allowed");

  auto options = http(port, "OPTIONS", "/health");
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.header("allow"), "GET, HEAD, OPTIONS");
}

TEST_F(ServeTest, HeadHasLengthButNoBody) {
  start();
  auto raw = raw_exchange(port, "HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
  auto get = http(port, "GET", "/health");
  EXPECT_NE(raw.find("Content-Length: " + std::to_string(get.body.size())), std::string::npos) << raw;
  EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), "");
}

TEST_F(ServeTest, MalformedRequestsAre400AndServerSurvives) {
  start();
  for (const std::string& bad : std::vector<std::string>{"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "GET /health HTTP/7.0\r\n\r\n",
                          "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                          std::string("GET /\0 HTTP/1.1\r\n\r\n", 19)}) {
    auto raw = raw_exchange(port, bad);
    EXPECT_EQ(raw.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << "for: " << bad << "\ngot: " << raw;
    EXPECT_NE(raw.find(R"("error":"malformed_request")"), std::string::npos) << raw;
  }
  EXPECT_EQ(http(port, "GET", "/health").status, 200);
}

TEST_F(ServeTest, OversizedBodyIs413AndHeadersAre431) {
  start({{"TZR_SERVER__MAX_BODY_BYTES", "1000"}, {"TZR_SERVER__MAX_HEADER_BYTES", "2048"}});
  auto big = http(port, "POST", "/health", std::string(5000, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.json().at("error"), "payload_too_large");

  auto raw = raw_exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 431", 0), 0u) << raw;
  EXPECT_EQ(http(port, "GET", "/health").status, 200);
}

TEST_F(ServeTest, KeepAliveAndPipelining) {
  start();
  auto responses = http_keepalive(port, {"/health", "/ready", "/nope"});
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(responses[2].status, 404);

  // Two requests in one write: both are answered, in order.
  auto raw = raw_exchange(port,
                          "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\n\r\n"
                          "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\nConnection: close\r\n\r\n");
  auto first = raw.find("X-Request-Id: one");
  auto second = raw.find("X-Request-Id: two");
  EXPECT_NE(first, std::string::npos) << raw;
  EXPECT_NE(second, std::string::npos) << raw;
  EXPECT_LT(first, second);
}

TEST_F(ServeTest, SlowClientIsDisconnected) {
  start({{"TZR_SERVER__READ_TIMEOUT_MS", "300"}});
  // Half a request, then silence: the server must close the connection on its own (the
  // exchange returns at close, or after 5 s if the server never closes).
  auto begin = std::chrono::steady_clock::now();
  auto raw = raw_exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\n", 5000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 4500ms);
  EXPECT_EQ(raw.find("200 OK"), std::string::npos);
  EXPECT_EQ(http(port, "GET", "/health").status, 200);
}

TEST_F(ServeTest, ConnectionsBeyondTheLimitAreClosed) {
  start({{"TZR_SERVER__MAX_CONNECTIONS", "2"}});
  namespace asio = boost::asio;
  asio::io_context ioc;
  auto connect = [&] {
    asio::ip::tcp::socket s(ioc);
    s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    return s;
  };
  auto a = connect();
  auto b = connect();
  std::this_thread::sleep_for(200ms);  // both accepted and counted
  auto c = connect();
  char byte;
  boost::system::error_code ec;
  c.read_some(asio::buffer(&byte, 1), ec);  // the server closes the third at once
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  a.close();
  b.close();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(http(port, "GET", "/health").status, 200);  // capacity is back
}

TEST_F(ServeTest, SigtermStopsCleanly) {
  start();
  ASSERT_EQ(http(port, "GET", "/health").status, 200);
  host->process().signal(SIGTERM);
  auto code = host->process().wait(10s);
  ASSERT_TRUE(code.has_value()) << "tzrhost did not stop on SIGTERM";
  EXPECT_EQ(*code, 0) << host->process().stderr_text();
}

TEST_F(ServeTest, ServesWithJsonLogsCarryingRequestIds) {
  start({{"TZR_LOG__FORMAT", "json"}, {"TZR_LOG__LEVEL", "info"}});
  http(port, "GET", "/health", "", {{"X-Request-Id", "trace-me-1"}});
  host->process().signal(SIGTERM);
  host->process().wait(10s);
  auto log = host->process().stderr_text();
  EXPECT_NE(log.find(R"("request_id":"trace-me-1")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("level":"info")"), std::string::npos) << log;
}

TEST(ServePostgres, ReadyOnPostgres) {
  TZR_REQUIRE_SERVER_URL(url, "TZR_TEST_POSTGRES_URL");
  TzrHost host({"serve"}, {{"TZR_STORAGE__URL", url}, {"TZR_LOG__LEVEL", "warn"}});
  auto ready = http(host.port("gateway"), "GET", "/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.json().at("checks").at("storage"), true);
}
