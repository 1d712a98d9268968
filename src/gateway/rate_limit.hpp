#pragma once
// GCRA rate limiting (the leaky bucket nginx's limit_req implements, site-bridge.md §8.6): a rule
// of `per_minute` requests with `burst` extra admits 1 + burst back-to-back requests from idle,
// then one every 60 s / per_minute. In process by default; in Redis (one atomic script) when
// several gateway instances must share one budget.
#include "core/error.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tzr {
class BlockingPool;
}

namespace tzr::gateway {

struct RateRule {
  std::int64_t per_minute = 10;
  std::int64_t burst = 3;
  std::int64_t interval_ms() const { return 60'000 / (per_minute > 0 ? per_minute : 1); }
};

struct RateDecision {
  bool allowed = true;
  std::int64_t retry_after_ms = 0;  // when refused: how long until one request would pass
};

// The pure GCRA step: given the stored theoretical arrival time (ms, 0 = none) and now, decide
// and return the new TAT to store.
struct GcraStep {
  RateDecision decision;
  std::int64_t new_tat_ms;
};
GcraStep gcra(std::int64_t stored_tat_ms, std::int64_t now_ms, const RateRule& rule);

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // key names the bucket (route + client IP, route + API key name, …).
  virtual boost::asio::awaitable<RateDecision> take(std::string key, RateRule rule) = 0;
};

class InProcessRateLimiter final : public RateLimiter {
 public:
  using Clock = std::function<std::int64_t()>;  // milliseconds, monotonic
  explicit InProcessRateLimiter(Clock clock = {});
  boost::asio::awaitable<RateDecision> take(std::string key, RateRule rule) override;
  RateDecision take_now(const std::string& key, const RateRule& rule);  // synchronous core
  std::size_t buckets() const;

 private:
  Clock clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::int64_t> tat_;
  std::int64_t next_sweep_ms_ = 0;
  std::int64_t last_now_ms_ = 0;
};

// Redis-backed: one EVALSHA per decision, using the Redis server's clock so that every instance
// agrees. When Redis cannot be reached the request is allowed (availability first) and a
// warning is logged.
class RedisRateLimiter final : public RateLimiter {
 public:
  // prefix namespaces the keys (several deployments, or test runs, on one Redis).
  static Result<std::unique_ptr<RedisRateLimiter>> connect(std::string_view url, std::string prefix, BlockingPool& blocking);
  ~RedisRateLimiter() override;
  boost::asio::awaitable<RateDecision> take(std::string key, RateRule rule) override;

 private:
  struct Impl;
  explicit RedisRateLimiter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tzr::gateway
