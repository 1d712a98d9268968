#pragma once
// The demo's registrations: at its first start (no marker file in its folder yet), a few
// attempts through the gateway and the facade — three that succeed, a taken login, an invalid
// login and a wrong API key — so that the Registrations page and the overview have outcomes.
#include "net/http_server.hpp"

#include <string>
#include <thread>
#include <vector>

namespace tzr::app {

// Runs the attempts on a thread of its own (the services answer on the server's threads);
// the returned thread joins when destroyed. No thread when the marker exists.
std::jthread start_demo_registrations(const std::vector<net::BoundService>& services, std::string api_key, std::string marker_file);

}  // namespace tzr::app
