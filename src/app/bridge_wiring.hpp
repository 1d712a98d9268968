#pragma once
// Builds the site bridge's two ends from the configuration: the hub (hub.enabled) and the agent
// (agent.enabled), each with its HTTP service, inside the same server as everything else.
#include "app/commands.hpp"
#include "app/runtime.hpp"
#include "bridge/agent.hpp"
#include "bridge/hub.hpp"
#include "gateway/api_keys.hpp"
#include "net/http_server.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <vector>

namespace tzr::app {

struct BridgeParts {
  std::unique_ptr<net::HttpClient> agent_http;
  std::unique_ptr<bridge::PreviousKeyUse> agent_previous_keys;  // before the runner that uses it
  std::unique_ptr<bridge::JobRunner> agent_runner;
  std::unique_ptr<bridge::AgentResultStore> agent_results;
  std::shared_ptr<bridge::SiteAgent> agent;
  std::unique_ptr<bridge::HubJobStore> hub_store;
  std::unique_ptr<gateway::ApiKeys> hub_keys;
  std::shared_ptr<bridge::SiteHub> hub;
};

// The enabled bridge ends and their services (appended to `services`).
Result<std::unique_ptr<BridgeParts>> build_bridge(Runtime& rt, boost::asio::any_io_executor executor,
                                                  std::vector<std::shared_ptr<net::HttpService>>& services);
// Starts the agent and registers both ends' drain hooks; call after the services are bound.
Status start_bridge(BridgeParts& parts, net::HttpServer& server);

// `tzrhost agent` and `tzrhost site-hub`: serve with only that end enabled.
void add_bridge_commands(CLI::App& app, const GlobalOptions& global, int& code);

struct AgentTokenOptions {
  std::string subject = "agent-1";
  std::int64_t lifetime_s = 900;
  std::string audience = "ws/pull";
};
// Prints agent JWTs signed with bridge.jwt_secret (or the development one).
int cmd_keygen_agent_jwt(const GlobalOptions& global, const AgentTokenOptions& options, int count);

}  // namespace tzr::app
