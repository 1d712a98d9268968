#include "gateway/api_keys.hpp"
#include "gateway/gateway.hpp"
#include "gateway/rate_limit.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

using namespace tzr;
using namespace tzr::gateway;

TEST(Gcra, AdmitsOnePlusBurstThenOnePerInterval) {
  std::int64_t now = 1'000'000;
  InProcessRateLimiter limiter([&] { return now; });
  RateRule register_rule{10, 3};  // 10/min, burst 3: the reference's register limit
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.take_now("ip", register_rule).allowed) << i;
  auto refused = limiter.take_now("ip", register_rule);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 6000);
  now += 5999;
  EXPECT_FALSE(limiter.take_now("ip", register_rule).allowed);
  now += 1;
  EXPECT_TRUE(limiter.take_now("ip", register_rule).allowed);
  EXPECT_FALSE(limiter.take_now("ip", register_rule).allowed);
  EXPECT_TRUE(limiter.take_now("other-ip", register_rule).allowed);  // buckets are per key
}

TEST(Gcra, StatusRuleAdmitsEleven) {
  std::int64_t now = 0;
  InProcessRateLimiter limiter([&] { return now; });
  int admitted = 0;
  for (int i = 0; i < 12; ++i) admitted += limiter.take_now("ip", RateRule{30, 10}).allowed;
  EXPECT_EQ(admitted, 11);
  now += 2000;
  EXPECT_TRUE(limiter.take_now("ip", RateRule{30, 10}).allowed);
}

TEST(Gcra, AClockReadOutOfOrderDoesNotRefuse) {
  // Two I/O threads: one reads the clock (100), the other reads it later (101) but takes the
  // lock first. At a rate the limit allows, the one that read the earlier time is admitted too.
  std::vector<std::int64_t> reads{101, 100, 101};
  std::size_t next = 0;
  InProcessRateLimiter limiter([&] { return reads[next++]; });
  const RateRule generous{1'000'000, 0};  // the highest configurable rate
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take_now("ip", generous).allowed) << i;
}

TEST(Gcra, RefusedRequestsDoNotSpendBudget) {
  auto step = gcra(10'000, 0, RateRule{10, 0});
  EXPECT_FALSE(step.decision.allowed);
  EXPECT_EQ(step.new_tat_ms, 10'000);
}

TEST(ApiKeys, NamedKeysFromConfigAndFile) {
  test::TempDir dir;
  auto file = (dir / "keys").string();
  std::ofstream(file) << "# rotated monthly\nsite2 bbbbbbbbbbbbbbbbbbbbbbbb\n\ncccccccccccccccccccc\n";
  auto ring = ApiKeyRing::load({"site:aaaaaaaaaaaaaaaaaaaaaaaa", "dddddddddddddddddddd"}, file);
  ASSERT_TRUE(ring) << ring.error().message;
  EXPECT_EQ(ring->size(), 4u);
  EXPECT_EQ(ring->match("aaaaaaaaaaaaaaaaaaaaaaaa"), "site");
  EXPECT_EQ(ring->match("bbbbbbbbbbbbbbbbbbbbbbbb"), "site2");
  EXPECT_EQ(ring->match("dddddddddddddddddddd"), "key1");
  EXPECT_EQ(ring->match("cccccccccccccccccccc"), "key2");
  EXPECT_EQ(ring->match("aaaaaaaaaaaaaaaaaaaaaaab"), std::nullopt);
  EXPECT_EQ(ring->match(""), std::nullopt);
}

TEST(ApiKeys, ShortOrDuplicateKeysAreRefusedWithoutEchoingThem) {
  auto short_key = ApiKeyRing::load({"site:short"}, "");
  ASSERT_FALSE(short_key);
  EXPECT_EQ(short_key.error().message.find("short"), short_key.error().message.find("shorter"));
  auto dup = ApiKeyRing::load({"a:aaaaaaaaaaaaaaaaaaaa", "a:bbbbbbbbbbbbbbbbbbbb"}, "");
  EXPECT_FALSE(dup);
  EXPECT_FALSE(ApiKeyRing::load({}, "/nonexistent/keys"));
}

TEST(ApiKeys, ReloadKeepsTheOldRingOnError) {
  test::TempDir dir;
  auto file = (dir / "keys").string();
  std::ofstream(file) << "site aaaaaaaaaaaaaaaaaaaa\n";
  ApiKeys keys({}, file);
  ASSERT_TRUE(keys.reload());
  EXPECT_EQ(keys.match("aaaaaaaaaaaaaaaaaaaa"), "site");
  std::ofstream(file) << "site bbbbbbbbbbbbbbbbbbbb\n";
  ASSERT_TRUE(keys.reload());
  EXPECT_EQ(keys.match("aaaaaaaaaaaaaaaaaaaa"), std::nullopt);
  EXPECT_EQ(keys.match("bbbbbbbbbbbbbbbbbbbb"), "site");
  std::ofstream(file) << "site tiny\n";
  EXPECT_FALSE(keys.reload());
  EXPECT_EQ(keys.match("bbbbbbbbbbbbbbbbbbbb"), "site");
  EXPECT_EQ(key_tag("secret").size(), 8u);
}

TEST(ClientIp, ForwardedForOnlyFromTrustedProxies) {
  net::HttpRequest req;
  req.remote_ip = "10.0.0.5";
  req.headers.set("X-Forwarded-For", "203.0.113.9, 10.0.0.4");
  EXPECT_EQ(client_ip(req, {}), "10.0.0.5");                          // peer not trusted: header ignored
  EXPECT_EQ(client_ip(req, {"10.0.0.5"}), "10.0.0.4");                // nearest untrusted hop
  EXPECT_EQ(client_ip(req, {"10.0.0.5", "10.0.0.4"}), "203.0.113.9");  // through two proxies
  req.headers.remove("X-Forwarded-For");
  EXPECT_EQ(client_ip(req, {"10.0.0.5"}), "10.0.0.5");
}
