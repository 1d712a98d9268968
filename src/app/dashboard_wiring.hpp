#pragma once
// Builds the dashboard of the gateway (gateway.dashboard) from the configuration: operators,
// sessions in the platform database, the built app, the services behind /ui/api.
#include "app/runtime.hpp"
#include "dashboard/dashboard.hpp"
#include "gateway/rate_limit.hpp"

#include <memory>

namespace tzr::app {

struct DashboardParts {
  std::unique_ptr<dashboard::SessionStore> sessions;
  std::unique_ptr<dashboard::Dashboard> dashboard;
};

// limiter (may be null) bounds sign-in attempts per client IP.
Result<DashboardParts> build_dashboard(Runtime& rt, boost::asio::any_io_executor executor, gateway::RateLimiter* limiter);

// The services /ui/api/<name>/ reaches: dashboard.upstreams entries name=url, else this
// configuration's own ports on loopback.
std::map<std::string, std::string> dashboard_upstreams(const Config& config);

}  // namespace tzr::app
