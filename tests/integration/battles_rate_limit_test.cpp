// The battles port's per-client-IP budget (battles.client_ip_per_min): off by default; when set,
// a client past its burst gets 429 rate_limited with Retry-After, while the admin token and the
// probes are not counted.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <gtest/gtest.h>

using namespace tzr::test;

namespace {

const std::string kToken = "battles-rate-admin-token";

std::unique_ptr<TzrHost> start_battles(const TempDir& dir, std::map<std::string, std::string> extra) {
  std::map<std::string, std::string> env{{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"},
                                         {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
                                         {"TZR_ADMIN__TOKEN", kToken},
                                         {"TZR_LOG__LEVEL", "warn"}};
  env.insert(extra.begin(), extra.end());
  return std::make_unique<TzrHost>(std::vector<std::string>{"serve", "--only", "battles"}, env, std::vector<std::string>{"battles"});
}

}  // namespace

TEST(BattlesRateLimit, AClientPastItsBurstIsRefusedWithRetryAfter) {
  TempDir dir;
  auto host = start_battles(dir, {{"TZR_BATTLES__CLIENT_IP_PER_MIN", "6"}, {"TZR_BATTLES__CLIENT_IP_BURST", "2"}});
  const int port = host->port("battles");
  // 1 + burst requests pass back to back, the next is refused for about 60 s / 6.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(http(port, "GET", "/battles?limit=1").status, 200) << i;
  auto refused = http(port, "GET", "/players/search?q=ab");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.json().at("error"), "rate_limited");
  const int retry_after = std::stoi(refused.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 10);
  // The admin token, the probes and the metrics are not counted.
  EXPECT_EQ(http(port, "GET", "/battles?limit=1", "", {{"Authorization", "Bearer " + kToken}}).status, 200);
  EXPECT_EQ(http(port, "GET", "/health").status, 200);
  EXPECT_EQ(http(port, "GET", "/metrics").status, 200);
  // A wrong token is an ordinary client: refused by the budget before anything else.
  EXPECT_EQ(http(port, "GET", "/admin/battles/sync", "", {{"Authorization", "Bearer wrong"}}).status, 429);
}

TEST(BattlesRateLimit, OffByDefault) {
  TempDir dir;
  auto host = start_battles(dir, {});
  const int port = host->port("battles");
  for (int i = 0; i < 40; ++i) ASSERT_EQ(http(port, "GET", "/battles?limit=1").status, 200) << i;
}
