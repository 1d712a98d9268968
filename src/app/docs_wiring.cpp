#include "app/docs_wiring.hpp"

#include "apidocs/api_documents.hpp"
#include "app/dashboard_wiring.hpp"

namespace tzr::app {

apidocs::DocsOptions docs_options(const Config& c, bool dashboard) {
  apidocs::DocsOptions o;
  o.web_dir = c.string("dashboard.web_dir").empty() ? std::string(TZR_WEB_DIR) : c.string("dashboard.web_dir");
  const auto upstreams = dashboard_upstreams(c);
  std::string host = c.string("server.bind");
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
  auto direct = [&](const std::string& port_key) { return "http://" + host + ":" + std::to_string(c.integer(port_key)); };
  for (const auto& doc : apidocs::api_documents()) {
    apidocs::DocsService s;
    s.name = std::string(doc.service);
    const auto upstream = upstreams.find(s.name);
    if (s.name == "gateway") {
      s.servers.push_back({"/", "this gateway"});
      s.try_it_out = true;
    } else if (dashboard && upstream != upstreams.end()) {
      s.servers.push_back({"/ui/api/" + s.name,
                           "through the dashboard (sign in at /ui/ first; your role applies and the gateway adds the admin "
                           "token); the service itself listens on " + upstream->second});
      s.try_it_out = true;
    } else if (s.name == "agent") {
      s.servers.push_back({direct("agent.health_port"), "the agent's health port (not reachable from this page)"});
    } else if (s.name == "game-sim") {
      s.servers.push_back({"http://127.0.0.1:5191", "tzrhost game-sim's control port by default (--control-port)"});
    } else {
      s.servers.push_back({upstream != upstreams.end() ? upstream->second : direct(s.name + ".port"),
                           "the service's own port (not reachable from this page)"});
    }
    o.services.push_back(std::move(s));
  }
  return o;
}

}  // namespace tzr::app
