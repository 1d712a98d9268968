#pragma once
// The public gateway (site-bridge.md §8): POST /api/register behind API keys and rate limits,
// GET /api/server/status from the status cache, CORS with an origin allow-list and the security
// headers on every response.
#include "gateway/api_keys.hpp"
#include "gateway/rate_limit.hpp"
#include "net/http_service.hpp"
#include "registration/routes.hpp"
#include "status/server_status.hpp"

#include <string>
#include <vector>

namespace tzr::gateway {

struct GatewayPolicy {
  RateRule register_per_ip{10, 3};
  RateRule register_per_key{100, 20};
  RateRule status_per_ip{30, 10};
  RateRule auth_failures_per_ip{10, 5};
  std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For is believed
  std::vector<std::string> cors_origins;     // exact origins, or "*"; empty: no CORS headers
};

struct GatewayDeps {
  registration::RegistrationHttp registration;
  status::ConstantsCache& status;
  ApiKeys& keys;
  RateLimiter& limiter;
  GatewayPolicy policy;
};

void add_gateway_routes(net::Router& router, const GatewayDeps& deps);

// CORS (preflight answered before any authentication) and security headers.
net::Middleware cors_and_security(std::vector<std::string> origins);

// One budget per client IP for every request of a service (the battles API). Requests with the
// admin bearer token and the probes (/health, /ready, /metrics) are not counted; a spent budget
// answers 429 rate_limited with Retry-After. rule.per_minute <= 0: no limit (the middleware is inert).
net::Middleware client_rate_limit(RateLimiter& limiter, std::string service, RateRule rule,
                                  std::vector<std::string> trusted_proxies, std::string admin_token);

// The client's address: the peer, or — when the peer is a trusted proxy — the right-most
// X-Forwarded-For entry that is not itself a trusted proxy.
std::string client_ip(const net::HttpRequest& req, const std::vector<std::string>& trusted_proxies);

}  // namespace tzr::gateway
