// HttpClient against real sockets on 127.0.0.1: a tiny in-process HTTP server for plain HTTP,
// and `openssl s_server` with a throwaway CA generated at test time for HTTPS.
#include "net/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_server.hpp"
#include "support/tiny_http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>


#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using tzr::ErrorKind;
using tzr::Result;
using tzr::net::HttpClient;
using tzr::net::HttpClientOptions;
using tzr::net::HttpClientRequest;
using tzr::net::HttpResponse;
using tzr::test::TinyHttpServer;
using tzr::test::TinyHttpServerOptions;
using tzr::test::TinyReply;
using tzr::test::TinyRequest;
using namespace std::chrono_literals;
using tzr::test::make_server_cert;
using tzr::test::make_test_ca;
using tzr::test::OpenSslServer;

TinyReply ok_reply(const TinyRequest&) { return TinyReply{200, {}, "ok"}; }

// Options from the defaults plus one tweak (designated initializers would trip
// -Wmissing-field-initializers on the string members).
template <class F>
HttpClientOptions options_with(F&& tweak) {
  HttpClientOptions o;
  tweak(o);
  return o;
}

class HttpClientTest : public ::testing::Test {
 protected:
  Result<HttpResponse> run(HttpClient& client, HttpClientRequest req) {
    auto done = asio::co_spawn(ioc_, client.request(std::move(req)), asio::use_future);
    ioc_.restart();
    ioc_.run();
    return done.get();
  }
  Result<HttpResponse> get(HttpClient& client, std::string url) {
    HttpClientRequest req;
    req.url = std::move(url);
    return run(client, std::move(req));
  }
  HttpClient make_client(HttpClientOptions options = {}) { return HttpClient(ioc_.get_executor(), std::move(options)); }

  asio::io_context ioc_;
};

// A port nobody listens on: bind an ephemeral port, then release it.
std::uint16_t free_port() {
  asio::io_context ioc;
  asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

TEST_F(HttpClientTest, GetSendsHeadersAndReturnsStatusHeadersBody) {
  std::mutex mu;
  TinyRequest seen;
  TinyHttpServer server([&](const TinyRequest& r) {
    std::lock_guard lock(mu);
    seen = r;
    return TinyReply{201, {{"X-Reply", "yes"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}, "hello"};
  });
  auto client = make_client();
  HttpClientRequest req;
  req.url = server.url("/path/x?q=1&r=a%20b");
  req.headers.add("X-Custom", "value 1");
  auto res = run(client, std::move(req));
  ASSERT_TRUE(res.has_value()) << res.error().code << ": " << res.error().message;
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "hello");
  EXPECT_EQ(res->headers.get("x-reply").value_or(""), "yes");
  int cookies = 0;
  for (const auto& [k, v] : res->headers.all()) cookies += k == "Set-Cookie" ? 1 : 0;
  EXPECT_EQ(cookies, 2);

  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/path/x?q=1&r=a%20b");
  EXPECT_EQ(seen.header("X-Custom"), "value 1");
  EXPECT_EQ(seen.header("User-Agent"), "tzrhost");
  EXPECT_EQ(seen.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST_F(HttpClientTest, PostJsonSendsBodyAndContentType) {
  std::mutex mu;
  TinyRequest seen;
  TinyHttpServer server([&](const TinyRequest& r) {
    std::lock_guard lock(mu);
    seen = r;
    return TinyReply{200, {{"Content-Type", "application/json"}}, "{\"echo\":" + r.body + "}"};
  });
  auto client = make_client(options_with([&](HttpClientOptions& o) { o.user_agent = "probe/1"; }));
  auto done = asio::co_spawn(ioc_, client.post_json(server.url("/api"), R"({"a":1})"), asio::use_future);
  ioc_.run();
  auto res = done.get();
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(res->body, R"({"echo":{"a":1}})");
  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.header("Content-Type"), "application/json");
  EXPECT_EQ(seen.header("Content-Length"), "7");
  EXPECT_EQ(seen.header("User-Agent"), "probe/1");
  EXPECT_EQ(seen.body, R"({"a":1})");
}

TEST_F(HttpClientTest, SequentialRequestsReuseOneConnection) {
  TinyHttpServer server(ok_reply);
  auto client = make_client();
  for (int i = 0; i < 3; ++i) {
    auto res = get(client, server.url("/n/" + std::to_string(i)));
    ASSERT_TRUE(res.has_value()) << res.error().message;
    EXPECT_EQ(res->body, "ok");
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(client.idle_connections(), 1u);
  client.close_idle();
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(HttpClientTest, NoReuseWhenPoolDisabledOrTtlZero) {
  const auto no_pool = options_with([](HttpClientOptions& o) { o.max_idle_per_host = 0; });
  const auto no_ttl = options_with([](HttpClientOptions& o) { o.idle_ttl = 0s; });
  for (const auto& options : {no_pool, no_ttl}) {
    TinyHttpServer server(ok_reply);
    auto client = make_client(options);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(get(client, server.url()).has_value());
    EXPECT_EQ(server.connections(), 3);
    EXPECT_EQ(client.idle_connections(), 0u);
  }
}

TEST_F(HttpClientTest, ServerClosingIdleConnectionsIsHandled) {
  TinyHttpServer server(ok_reply, TinyHttpServerOptions{.close_after_answer = true});
  auto client = make_client();
  for (int i = 0; i < 3; ++i) {
    auto res = get(client, server.url());
    ASSERT_TRUE(res.has_value()) << i << ": " << res.error().message;
  }
  EXPECT_EQ(server.connections(), 3);
}

// The server reads the request on the kept-alive connection and closes it unanswered (the
// race between its idle timeout and our reuse): the client retries once on a fresh connection.
TEST_F(HttpClientTest, DroppedReusedConnectionIsRetriedOnce) {
  TinyHttpServer server(ok_reply, TinyHttpServerOptions{.answers_per_connection = 1});
  auto client = make_client();
  for (int i = 0; i < 3; ++i) {
    auto res = get(client, server.url());
    ASSERT_TRUE(res.has_value()) << i << ": " << res.error().message;
  }
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(server.requests(), 5);  // 3 answered + 2 dropped on reused connections
}

// A POST may have been acted on before the server closed the reused connection: not resent.
TEST_F(HttpClientTest, DroppedReusedConnectionIsNotRetriedForPost) {
  TinyHttpServer server(ok_reply, TinyHttpServerOptions{.answers_per_connection = 1});
  auto client = make_client();
  ASSERT_TRUE(get(client, server.url()).has_value());
  HttpClientRequest req;
  req.method = "POST";
  req.url = server.url("/once");
  req.body = "{}";
  auto res = run(client, std::move(req));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(server.requests(), 2);  // the GET, and the POST that was dropped — not a third
}

TEST_F(HttpClientTest, FreshConnectionClosedWithoutAnswerIsNotRetried) {
  TinyHttpServer server(ok_reply, TinyHttpServerOptions{.answers_per_connection = 0});
  auto client = make_client();
  auto res = get(client, server.url());
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, "http_protocol_error");
  EXPECT_EQ(res.error().kind, ErrorKind::bad_gateway);
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpClientTest, ServerThatNeverAnswersTimesOut) {
  TinyHttpServer server(ok_reply, TinyHttpServerOptions{.answers_per_connection = 0, .hang_instead_of_close = true});
  auto client = make_client();  // default 10 s; the request overrides it
  HttpClientRequest req;
  req.url = server.url("/slow");
  req.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto res = run(client, std::move(req));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, "http_timeout");
  EXPECT_EQ(res.error().kind, ErrorKind::gateway_timeout);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(HttpClientTest, ResponseAboveLimitIsRejected) {
  TinyHttpServer server([](const TinyRequest& r) {
    return TinyReply{200, {}, std::string(r.target == "/big" ? 100 * 1024 : 16 * 1024, 'x')};
  });
  auto client = make_client(options_with([&](HttpClientOptions& o) { o.max_response_bytes = 16 * 1024; }));
  auto exact = get(client, server.url("/exact"));
  ASSERT_TRUE(exact.has_value()) << exact.error().message;
  EXPECT_EQ(exact->body.size(), 16u * 1024);
  auto big = get(client, server.url("/big"));
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code, "http_response_too_large");
  EXPECT_EQ(big.error().kind, ErrorKind::bad_gateway);
  EXPECT_EQ(client.idle_connections(), 0u);  // a half-read connection is never pooled
}

TEST_F(HttpClientTest, ConnectionRefusedNamesOnlyTheOrigin) {
  const auto port = free_port();
  auto client = make_client();
  auto res = get(client, "http://127.0.0.1:" + std::to_string(port) + "/botSECRET-TOKEN/getMe?chat=SECRETQ");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, "http_connect_failed");
  EXPECT_EQ(res.error().kind, ErrorKind::bad_gateway);
  EXPECT_NE(res.error().message.find("http://127.0.0.1:" + std::to_string(port)), std::string::npos);
  EXPECT_EQ(res.error().message.find("SECRET"), std::string::npos) << res.error().message;
}

TEST_F(HttpClientTest, BadUrlsAndUnsafeHeadersAreRejectedBeforeAnyIo) {
  auto client = make_client();
  for (const char* url : {"", "not a url", "ftp://example.com/", "http:///path", "http://exa mple.com/",
                          "http://example.com:0/", "http://example.com:70000/", "/relative",
                          "http://user:hunter2@example.com/"}) {
    auto res = get(client, url);
    ASSERT_FALSE(res.has_value()) << url;
    EXPECT_EQ(res.error().code, "http_bad_url") << url;
    EXPECT_EQ(res.error().kind, ErrorKind::bad_request);
    EXPECT_EQ(res.error().message.find("hunter2"), std::string::npos);
  }
  HttpClientRequest injected;
  injected.url = "http://127.0.0.1:1/";
  injected.headers.add("X-A", "1\r\nX-Injected: 1");
  auto res = run(client, std::move(injected));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, "http_bad_request");
}

TEST_F(HttpClientTest, SharedClientServesConcurrentCoroutinesOnTwoThreads) {
  TinyHttpServer server(ok_reply);
  auto client = make_client(options_with([&](HttpClientOptions& o) { o.max_idle_per_host = 4; }));
  std::atomic<int> ok{0};
  std::vector<std::future<Result<HttpResponse>>> results;
  for (int i = 0; i < 16; ++i) results.push_back(asio::co_spawn(ioc_, client.get(server.url()), asio::use_future));
  std::thread second([&] { ioc_.run(); });
  ioc_.run();
  second.join();
  for (auto& f : results) ok += f.get().has_value() ? 1 : 0;
  EXPECT_EQ(ok.load(), 16);
  EXPECT_LE(client.idle_connections(), 4u);
  const int opened = server.connections();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(get(client, server.url()).has_value());
  EXPECT_EQ(server.connections(), opened);  // served from the pool
}

TEST_F(HttpClientTest, RequestOutlivesTheClientObject) {
  TinyHttpServer server(ok_reply);
  std::future<Result<HttpResponse>> done;
  {
    auto client = make_client();
    done = asio::co_spawn(ioc_, client.get(server.url()), asio::use_future);
  }
  ioc_.run();
  auto res = done.get();
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(res->body, "ok");
}

// ---- TLS ----------------------------------------------------------------------------------


class HttpClientTlsTest : public HttpClientTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new tzr::test::TempDir();
    const auto d = dir_->path();
    make_test_ca(d);
    make_server_cert(d, "localhost", "DNS:localhost,IP:127.0.0.1");
    make_server_cert(d, "other", "DNS:other.example");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string ca_file() { return (dir_->path() / "ca.pem").string(); }

  static tzr::test::TempDir* dir_;
};
tzr::test::TempDir* HttpClientTlsTest::dir_ = nullptr;

TEST_F(HttpClientTlsTest, TrustedCaByNameAndByIp) {
  OpenSslServer server(dir_->path(), "localhost");
  auto client = make_client(options_with([&](HttpClientOptions& o) { o.ca_file = ca_file(); }));
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    auto res = get(client, "https://" + host + ":" + std::to_string(server.port()) + "/");
    ASSERT_TRUE(res.has_value()) << host << ": " << res.error().code << ": " << res.error().message;
    EXPECT_EQ(res->status, 200);
    EXPECT_NE(res->body.find("TLSv1."), std::string::npos);  // s_server's status page
  }
}

TEST_F(HttpClientTlsTest, DefaultTrustStoreRejectsThrowawayCa) {
  OpenSslServer server(dir_->path(), "localhost");
  auto client = make_client();
  auto res = get(client, "https://localhost:" + std::to_string(server.port()) + "/botSECRET/x");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, "http_tls_failed");
  EXPECT_EQ(res.error().kind, ErrorKind::bad_gateway);
  EXPECT_NE(res.error().message.find("verification failed"), std::string::npos) << res.error().message;
  EXPECT_EQ(res.error().message.find("SECRET"), std::string::npos);
}

TEST_F(HttpClientTlsTest, CertificateForAnotherHostIsRejected) {
  OpenSslServer server(dir_->path(), "other");
  auto client = make_client(options_with([&](HttpClientOptions& o) { o.ca_file = ca_file(); }));
  auto res = get(client, "https://localhost:" + std::to_string(server.port()) + "/");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, "http_tls_failed");
  EXPECT_NE(res.error().message.find("hostname mismatch"), std::string::npos) << res.error().message;
  // With verification off (tests and trusted networks only) the same server is accepted.
  auto lax = make_client(options_with([&](HttpClientOptions& o) { o.verify_peer = false; }));
  auto res2 = get(lax, "https://localhost:" + std::to_string(server.port()) + "/");
  ASSERT_TRUE(res2.has_value()) << res2.error().message;
  EXPECT_EQ(res2->status, 200);
}

TEST_F(HttpClientTlsTest, UnreadableCaFileFailsHttpsOnly) {
  const auto missing = (dir_->path() / "missing.pem").string();
  auto client = make_client(options_with([&](HttpClientOptions& o) { o.ca_file = missing; }));
  auto res = get(client, "https://127.0.0.1:" + std::to_string(free_port()) + "/");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, "http_tls_failed");
  TinyHttpServer plain(ok_reply);
  EXPECT_TRUE(get(client, plain.url()).has_value());
}

}  // namespace
