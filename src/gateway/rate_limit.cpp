#include "gateway/rate_limit.hpp"

#include "core/blocking.hpp"

#include <boost/url/parse.hpp>
#include <hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

namespace tzr::gateway {

GcraStep gcra(std::int64_t stored_tat_ms, std::int64_t now_ms, const RateRule& rule) {
  const std::int64_t interval = rule.interval_ms();
  const std::int64_t tolerance = interval * rule.burst;
  const std::int64_t tat = std::max(stored_tat_ms, now_ms);
  const std::int64_t allow_at = tat - tolerance;
  if (now_ms < allow_at) return {{false, allow_at - now_ms}, stored_tat_ms};
  return {{true, 0}, tat + interval};
}

InProcessRateLimiter::InProcessRateLimiter(Clock clock) : clock_(std::move(clock)) {
  if (!clock_)
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
}

RateDecision InProcessRateLimiter::take_now(const std::string& key, const RateRule& rule) {
  std::lock_guard lk(mu_);
  // Read and clamp the clock under the lock: a thread that read an earlier "now" but took the
  // lock second would otherwise see its bucket's TAT in the future and be refused for nothing.
  const std::int64_t now = last_now_ms_ = std::max(clock_(), last_now_ms_);
  // Buckets whose TAT is in the past hold nothing: drop them now and then to bound memory.
  if (now >= next_sweep_ms_ && tat_.size() > 1024) {
    std::erase_if(tat_, [now](const auto& kv) { return kv.second <= now; });
    next_sweep_ms_ = now + 10'000;
  }
  auto it = tat_.find(key);
  auto step = gcra(it == tat_.end() ? 0 : it->second, now, rule);
  if (step.decision.allowed) tat_[key] = step.new_tat_ms;
  return step.decision;
}

boost::asio::awaitable<RateDecision> InProcessRateLimiter::take(std::string key, RateRule rule) {
  co_return take_now(key, rule);
}

std::size_t InProcessRateLimiter::buckets() const {
  std::lock_guard lk(mu_);
  return tat_.size();
}

namespace {

// The same GCRA step as gcra(), atomically in Redis, on the Redis server's clock.
constexpr const char* kGcraScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then return {0, allow_at - now} end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now + 1000)
return {1, 0}
)lua";

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

}  // namespace

struct RedisRateLimiter::Impl {
  std::string host;
  int port = 6379;
  std::string password;
  std::string prefix;
  int database = 0;
  BlockingPool* blocking = nullptr;
  std::mutex mu;
  std::vector<ContextPtr> idle;

  Result<ContextPtr> open() {
    timeval tv{1, 0};
    ContextPtr c(redisConnectWithTimeout(host.c_str(), port, tv));
    if (!c || c->err) return Error::unavailable("redis_unavailable", "cannot connect to Redis at " + host + ":" + std::to_string(port));
    redisSetTimeout(c.get(), tv);
    if (!password.empty()) {
      ReplyPtr r(static_cast<redisReply*>(redisCommand(c.get(), "AUTH %s", password.c_str())));
      if (!r || r->type == REDIS_REPLY_ERROR) return Error::unavailable("redis_unavailable", "Redis refused the password");
    }
    if (database != 0) {
      ReplyPtr r(static_cast<redisReply*>(redisCommand(c.get(), "SELECT %d", database)));
      if (!r || r->type == REDIS_REPLY_ERROR) return Error::unavailable("redis_unavailable", "Redis refused SELECT");
    }
    return c;
  }

  Result<RateDecision> eval(const std::string& key, const RateRule& rule) {
    ContextPtr c;
    {
      std::lock_guard lk(mu);
      if (!idle.empty()) {
        c = std::move(idle.back());
        idle.pop_back();
      }
    }
    if (!c) {
      auto opened = open();
      if (!opened) return opened.error();
      c = std::move(*opened);
    }
    const std::string interval = std::to_string(rule.interval_ms());
    const std::string tolerance = std::to_string(rule.interval_ms() * rule.burst);
    const std::string redis_key = prefix + "rl:" + key;
    ReplyPtr r(static_cast<redisReply*>(redisCommand(c.get(), "EVAL %s 1 %b %b %b", kGcraScript, redis_key.data(),
                                                     redis_key.size(), interval.data(), interval.size(),
                                                     tolerance.data(), tolerance.size())));
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return Error::unavailable("redis_unavailable", "Redis error");
    RateDecision d{r->element[0]->integer == 1, r->element[1]->integer};
    std::lock_guard lk(mu);
    if (idle.size() < 8) idle.push_back(std::move(c));
    return d;
  }
};

RedisRateLimiter::RedisRateLimiter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisRateLimiter::~RedisRateLimiter() = default;

Result<std::unique_ptr<RedisRateLimiter>> RedisRateLimiter::connect(std::string_view url, std::string prefix,
                                                                  BlockingPool& blocking) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "redis") return Error::bad_request("redis.url must look like redis://[:password@]host:port/db", "config_error");
  auto impl = std::make_unique<Impl>();
  impl->host = u->host().empty() ? "127.0.0.1" : std::string(u->host());
  if (u->has_port()) impl->port = u->port_number();
  if (u->has_password()) impl->password = u->password();
  auto path = std::string(u->path());
  if (path.size() > 1) impl->database = std::atoi(path.c_str() + 1);
  impl->blocking = &blocking;
  impl->prefix = std::move(prefix);
  auto probe = impl->open();
  if (!probe) return probe.error();
  std::lock_guard lk(impl->mu);
  impl->idle.push_back(std::move(*probe));
  return std::unique_ptr<RedisRateLimiter>(new RedisRateLimiter(std::move(impl)));
}

boost::asio::awaitable<RateDecision> RedisRateLimiter::take(std::string key, RateRule rule) {
  auto result = co_await impl_->blocking->run([this, &key, &rule] { return impl_->eval(key, rule); });
  if (!result) {
    spdlog::warn("rate limit: {} ({}); allowing the request", result.error().message, result.error().code);
    co_return RateDecision{};
  }
  co_return *result;
}

}  // namespace tzr::gateway
