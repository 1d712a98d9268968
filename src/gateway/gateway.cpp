#include "gateway/gateway.hpp"

#include "net/auth.hpp"
#include "net/http_errors.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace tzr::gateway {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

net::HttpResponse too_many(const net::HttpRequest& req, const RateDecision& d) {
  auto res = net::error_response(Error::make(ErrorKind::too_many_requests, "rate_limited", "Too Many Requests"),
                                 req.request_id);
  res.headers.set("Retry-After", std::to_string(std::max<std::int64_t>(1, (d.retry_after_ms + 999) / 1000)));
  return res;
}

bool json_content_type(const net::HttpRequest& req) {
  auto ct = req.headers.get("Content-Type");
  if (!ct) return false;
  auto type = trim(ct->substr(0, ct->find(';')));
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "application/json";
}

}  // namespace

std::string client_ip(const net::HttpRequest& req, const std::vector<std::string>& trusted) {
  if (!contains(trusted, req.remote_ip)) return req.remote_ip;
  auto xff = req.headers.get("X-Forwarded-For");
  if (!xff) return req.remote_ip;
  std::string_view rest = *xff;
  // Walk from the right: the nearest hops are our own proxies.
  while (!rest.empty()) {
    auto comma = rest.rfind(',');
    auto hop = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    if (!hop.empty() && !contains(trusted, hop)) return std::string(hop);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return req.remote_ip;
}

void add_gateway_routes(net::Router& router, const GatewayDeps& deps) {
  router.post("/api/register", [&deps](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    const auto& p = deps.policy;
    const auto started = std::chrono::steady_clock::now();
    const std::string ip = client_ip(req, p.trusted_proxies);
    auto presented = req.headers.get("X-API-Key");
    auto key_name = presented ? deps.keys.match(*presented) : std::nullopt;
    if (!key_name) {
      // Failed authentications spend their own budget, so key guessing is slowed down too.
      auto failures = co_await deps.limiter.take("authfail:" + ip, p.auth_failures_per_ip);
      spdlog::warn("gateway: invalid API key from {} (key tag {})", ip, presented ? key_tag(*presented) : "none");
      // Refusals before the registration code are outcomes too (without a login: the body is not read).
      if (!failures.allowed) {
        registration::record_outcome(deps.registration, "rate_limited", "gateway", "", started);
        co_return too_many(req, failures);
      }
      registration::record_outcome(deps.registration, "invalid_api_key", "gateway", "", started);
      co_return net::error_response(Error::make(ErrorKind::forbidden, "invalid_api_key", "API key is missing or invalid"),
                                    req.request_id);
    }
    const std::string source = "gateway:" + *key_name;
    auto per_ip = co_await deps.limiter.take("register:ip:" + ip, p.register_per_ip);
    if (per_ip.allowed) per_ip = co_await deps.limiter.take("register:key:" + *key_name, p.register_per_key);
    if (!per_ip.allowed) {
      registration::record_outcome(deps.registration, "rate_limited", source, "", started);
      co_return too_many(req, per_ip);
    }
    if (!json_content_type(req)) {
      registration::record_outcome(deps.registration, "unsupported_media_type", source, "", started);
      co_return net::error_response(
          Error::make(ErrorKind::unsupported_media_type, "unsupported_media_type", "Content-Type must be application/json"),
          req.request_id);
    }
    net::HttpResponse res = co_await registration::handle_public_registration(deps.registration, req, source);
    co_return res;
  });

  router.get("/api/server/status", [&deps](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    auto per_ip = co_await deps.limiter.take("status:ip:" + client_ip(req, deps.policy.trusted_proxies),
                                             deps.policy.status_per_ip);
    if (!per_ip.allowed) co_return too_many(req, per_ip);
    auto snap = co_await deps.status.get();
    if (!snap) co_return net::error_response(snap.error(), req.request_id);
    co_return status::status_response(**snap);
  });
}

net::Middleware client_rate_limit(RateLimiter& limiter, std::string service, RateRule rule,
                                  std::vector<std::string> trusted_proxies, std::string admin_token) {
  net::Middleware m;
  if (rule.per_minute <= 0) return m;
  m.before = [&limiter, service = std::move(service), rule, trusted = std::move(trusted_proxies),
              token = std::move(admin_token)](net::HttpRequest& req) -> boost::asio::awaitable<std::optional<net::HttpResponse>> {
    if (req.path == "/health" || req.path == "/ready" || req.path == "/metrics") co_return std::nullopt;
    if (net::has_bearer(req, token)) co_return std::nullopt;
    auto decision = co_await limiter.take(service + ":ip:" + client_ip(req, trusted), rule);
    if (decision.allowed) co_return std::nullopt;
    co_return too_many(req, decision);
  };
  return m;
}

net::Middleware cors_and_security(std::vector<std::string> origins) {
  auto allowed = [origins](const net::HttpRequest& req) -> std::optional<std::string> {
    auto origin = req.headers.get("Origin");
    if (!origin || origins.empty()) return std::nullopt;
    if (contains(origins, "*")) return std::string("*");
    if (contains(origins, *origin)) return std::string(*origin);
    return std::nullopt;
  };
  net::Middleware m;
  m.before = [allowed](net::HttpRequest& req) -> boost::asio::awaitable<std::optional<net::HttpResponse>> {
    // A browser's preflight never carries the API key: answer it before authentication.
    if (req.method != "OPTIONS" || !req.headers.get("Access-Control-Request-Method")) co_return std::nullopt;
    auto res = net::HttpResponse::empty(204);
    if (auto origin = allowed(req)) {
      res.headers.set("Access-Control-Allow-Origin", *origin);
      res.headers.set("Access-Control-Allow-Methods", req.path == "/api/register" ? "POST, OPTIONS" : "GET, OPTIONS");
      res.headers.set("Access-Control-Allow-Headers", "Content-Type, X-Request-Id, X-API-Key");
      res.headers.set("Access-Control-Max-Age", "86400");
    }
    co_return res;
  };
  m.after = [allowed](const net::HttpRequest& req, net::HttpResponse& res) {
    if (auto origin = allowed(req)) {
      res.headers.set("Access-Control-Allow-Origin", *origin);
      res.headers.set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    }
    res.headers.set("Vary", "Origin");
    res.headers.set("X-Content-Type-Options", "nosniff");
    res.headers.set("X-Frame-Options", "DENY");
    res.headers.set("X-XSS-Protection", "1; mode=block");
    res.headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
    res.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  };
  return m;
}

}  // namespace tzr::gateway
