#include "app/dashboard_wiring.hpp"

#include "app/features.hpp"
#include "core/log.hpp"

namespace tzr::app {

std::map<std::string, std::string> dashboard_upstreams(const Config& c) {
  std::map<std::string, std::string> out;
  std::string host = c.string("server.bind");
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
  for (const char* name : {"gateway", "battles", "shop", "registration", "status"})
    out[name] = "http://" + host + ":" + std::to_string(c.integer(std::string(name) + ".port"));
  for (const auto& entry : c.list("dashboard.upstreams")) {
    const auto eq = entry.find('=');
    if (eq != std::string::npos && eq > 0) out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

Result<DashboardParts> build_dashboard(Runtime& rt, boost::asio::any_io_executor executor, gateway::RateLimiter* limiter) {
  const auto& c = rt.config;
  auto operators = dashboard::parse_operators(c.list("dashboard.operators"));
  if (!operators) return operators.error();
  if (operators->empty()) spdlog::warn("dashboard: no operator configured (dashboard.operators); nobody can sign in");
  dashboard::DashboardOptions o;
  o.web_dir = c.string("dashboard.web_dir").empty() ? std::string(TZR_WEB_DIR) : c.string("dashboard.web_dir");
  o.upstreams = dashboard_upstreams(c);
  o.service_token = c.string("admin.token");
  if (o.service_token.empty()) {
    auto dev = development_secret(c, "admin.token");
    if (!dev) return dev.error();
    o.service_token = *dev;
  }
  o.operators = std::move(*operators);
  o.secure_cookie = c.boolean("dashboard.secure_cookie");
  if (limiter) {
    const gateway::RateRule rule{c.integer("gateway.auth_failures_per_min"), c.integer("gateway.auth_failures_burst")};
    o.allow_sign_in = [limiter, rule](std::string ip) -> boost::asio::awaitable<bool> {
      auto decision = co_await limiter->take("ui-sign-in:" + ip, rule);
      co_return decision.allowed;
    };
  }
  DashboardParts parts;
  parts.sessions = std::make_unique<dashboard::SessionStore>(
      *rt.db, dashboard::SessionLimits{c.integer("dashboard.session_hours") * 3600, c.integer("dashboard.idle_minutes") * 60});
  parts.dashboard = std::make_unique<dashboard::Dashboard>(executor, std::move(o), *parts.sessions, *rt.blocking);
  // Without a built app the API and sign-in still work and /ui/ says what is missing.
  if (auto st = parts.dashboard->load(); !st) spdlog::warn("dashboard: {}", st.error().message);
  return parts;
}

}  // namespace tzr::app
