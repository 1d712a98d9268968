#pragma once
// Routes every service answers: GET /health (liveness), GET /ready (dependencies), GET /metrics.
#include "core/metrics.hpp"
#include "net/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <vector>

namespace tzr::net {

struct ReadinessCheck {
  std::string name;
  std::function<boost::asio::awaitable<bool>()> check;
};

void add_system_routes(Router& router, Metrics& metrics, std::shared_ptr<const std::vector<ReadinessCheck>> checks);

}  // namespace tzr::net
