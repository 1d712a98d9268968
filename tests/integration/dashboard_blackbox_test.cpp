// The dashboard on the real gateway: the app shell and its assets with their headers (CSP,
// caching), sign-in with a cookie the page cannot read, and /ui/api forwarding to the battles
// service with what each role may do.
#include "crypto/password.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/game_sim_process.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <filesystem>
#include <fstream>

using namespace tzr;
using namespace tzr::test;

namespace {

int free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

class DashboardBlackBox : public ::testing::Test {
 protected:
  void SetUp() override {
    write(dir.path() / "web/index.html", "<!doctype html><title>tzr</title><script type=module src=/ui/assets/app-3f2a.js></script>");
    write(dir.path() / "web/assets/app-3f2a.js", "console.log('app')");
    const std::string hash = crypto::hash_password("secret-pass", 1000);
    battles_port = free_port();
    host = std::make_unique<TzrHost>(
        std::vector<std::string>{"serve", "--only", "gateway,battles"},
        std::map<std::string, std::string>{{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"},
                                           {"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                           {"TZR_BATTLES__PORT", std::to_string(battles_port)},
                                           {"TZR_ADMIN__TOKEN", "dashboard-test-admin-token"},
                                           {"TZR_GATEWAY__DASHBOARD", "true"},
                                           {"TZR_DASHBOARD__WEB_DIR", dir.str() + "/web"},
                                           {"TZR_DASHBOARD__OPERATORS", "vera:viewer:" + hash + ",max:moderator:" + hash + ",ada:admin:" + hash},
                                           {"TZR_GATEWAY__AUTH_FAILURES_BURST", "8"},
                                           {"TZR_LOG__ACCESS", "false"}},
        std::vector<std::string>{"gateway", "battles"});
    port = host->port("gateway");
  }

  // Signs in and returns the cookie to send back.
  std::string sign_in(const std::string& user) {
    auto r = http(port, "POST", "/ui/session", R"({"username":")" + user + R"(","password":"secret-pass"})",
                  {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = r.header("set-cookie");
    return set.substr(0, set.find(';'));
  }
  TestResponse as(const std::string& cookie, const std::string& method, const std::string& target, const std::string& body = {},
                  std::map<std::string, std::string> headers = {}) {
    headers["Cookie"] = cookie;
    return http(port, method, target, body, headers);
  }

  TempDir dir;
  GameSimProcess sim;
  int battles_port = 0, port = 0;
  std::unique_ptr<TzrHost> host;
};

TEST_F(DashboardBlackBox, TheShellAndItsAssetsAreServedWithAStrictPolicy) {
  auto redirect = http(port, "GET", "/ui");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(redirect.header("location"), "/ui/");
  for (const char* page : {"/ui/", "/ui/players/Some%20One", "/ui/battles?limit=5"}) {
    auto r = http(port, "GET", page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_NE(r.body.find("<title>tzr</title>"), std::string::npos) << page;
    EXPECT_EQ(r.header("cache-control"), "no-cache");
    EXPECT_NE(r.header("content-security-policy").find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(r.header("content-security-policy").find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(r.header("x-frame-options"), "DENY");
  }
  auto js = http(port, "GET", "/ui/assets/app-3f2a.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(http(port, "GET", "/ui/assets/missing.js").status, 404);
  EXPECT_EQ(http(port, "POST", "/ui/").status, 405);
  EXPECT_EQ(http(port, "GET", "/api/server/status").header("content-security-policy"), "") << "the public API is not the dashboard";
}

TEST_F(DashboardBlackBox, SignInGivesAnHttpOnlyStrictCookieAndSignOutEndsIt) {
  EXPECT_EQ(http(port, "GET", "/ui/session").status, 401);
  auto wrong = http(port, "POST", "/ui/session", R"({"username":"ada","password":"nope-nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json().at("error"), "invalid_credentials");
  EXPECT_EQ(wrong.header("set-cookie"), "");
  EXPECT_EQ(http(port, "POST", "/ui/session", R"({"username":"nobody","password":"secret-pass"})").status, 401);
  EXPECT_EQ(http(port, "POST", "/ui/session", R"({"username":1})").status, 400);

  auto ok = http(port, "POST", "/ui/session", R"({"username":"ada","password":"secret-pass"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("role"), "admin");
  const std::string set = ok.header("set-cookie");
  for (const char* flag : {"HttpOnly", "Secure", "SameSite=Strict", "Path=/ui"}) EXPECT_NE(set.find(flag), std::string::npos) << set;
  const std::string cookie = set.substr(0, set.find(';'));
  auto me = as(cookie, "GET", "/ui/session");
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json().at("user"), "ada");

  EXPECT_EQ(as(cookie, "DELETE", "/ui/session", {}, {{"Origin", "http://evil.example"}}).status, 403);
  EXPECT_EQ(as(cookie, "DELETE", "/ui/session").status, 204);
  EXPECT_EQ(as(cookie, "GET", "/ui/session").status, 401);
  EXPECT_EQ(as(cookie, "GET", "/ui/api/battles/battles/ingest/status").status, 401);
}

TEST_F(DashboardBlackBox, ApiCallsReachTheServiceWithWhatTheRoleMayDo) {
  const std::string viewer = sign_in("vera"), moderator = sign_in("max"), admin = sign_in("ada");
  EXPECT_EQ(http(port, "GET", "/ui/api/battles/battles/ingest/status").status, 401) << "no cookie";

  auto through = as(viewer, "GET", "/ui/api/battles/battles/ingest/status");
  auto direct = http(battles_port, "GET", "/battles/ingest/status");
  ASSERT_EQ(through.status, 200) << through.body;
  EXPECT_EQ(through.json().at("battles"), direct.json().at("battles"));
  EXPECT_EQ(as(viewer, "GET", "/ui/api/battles/battles?limit=2").json().as_object().contains("items"),
            http(battles_port, "GET", "/battles?limit=2").json().as_object().contains("items"));

  // The audit trail needs the service token: the dashboard adds it for moderators, never for viewers.
  EXPECT_EQ(as(viewer, "GET", "/ui/api/battles/analytics/antibot/audit").status, 403);
  EXPECT_EQ(as(moderator, "GET", "/ui/api/battles/analytics/antibot/audit").status, 200);
  EXPECT_EQ(http(battles_port, "GET", "/analytics/antibot/audit").status, 401) << "the service itself wants the token";

  EXPECT_EQ(as(moderator, "POST", "/ui/api/battles/admin/battles/reprocess").status, 403);
  auto forged = as(admin, "POST", "/ui/api/battles/api/admin/ml/train-botdetector", "{}", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.json().at("error"), "cross_origin");
  EXPECT_EQ(as(viewer, "GET", "/ui/api/nothing/here").status, 404);
  // A service that is not running is "backend down", not a session problem.
  auto down = as(viewer, "GET", "/ui/api/shop/shops");
  EXPECT_EQ(down.status, 502);
  EXPECT_EQ(down.json().at("error"), "upstream_unavailable");
}

TEST_F(DashboardBlackBox, GuessingPasswordsIsRateLimited) {
  int limited = 0;
  for (int i = 0; i < 20 && limited == 0; ++i)
    limited += http(port, "POST", "/ui/session", R"({"username":"ada","password":"guess-)" + std::to_string(i) + R"("})").status == 429;
  EXPECT_EQ(limited, 1);
}

}  // namespace
