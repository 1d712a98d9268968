// The API documents against the real wiring: every service that `tzrhost` builds (all of them
// enabled, the site hub and agent included, on scratch SQLite) has exactly the routes its document
// lists — a route added without documenting it, or a documented route that went away, fails here.
// Then the built binary serves /docs/ and the documents with their content types.
#include "apidocs/api_documents.hpp"
#include "app/config_schema.hpp"
#include "app/features.hpp"
#include "app/game_sim_command.hpp"
#include "app/runtime.hpp"
#include "game/sim/game_sim.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <filesystem>
#include <fstream>

using namespace tzr;
using namespace tzr::test;
namespace json = boost::json;

namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

}  // namespace

TEST(OpenApiContract, EveryRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered) {
  TempDir dir;
  auto config = Config::load(app::config_schema(), std::nullopt,
                             {{"TZR_SERVER__VAR_DIR", dir.str()},
                              {"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"},
                              {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"},
                              {"TZR_GATEWAY__DASHBOARD", "true"},
                              {"TZR_GATEWAY__DOCS", "true"},
                              {"TZR_HUB__ENABLED", "true"},
                              {"TZR_AGENT__ENABLED", "true"},
                              {"TZR_SHOP__SNAPSHOT_ON_START", "false"},
                              {"TZR_LOG__LEVEL", "error"}});
  ASSERT_TRUE(config) << config.error().message;
  auto rt = app::open_runtime(*config);
  ASSERT_TRUE(rt) << rt.error().message;
  boost::asio::io_context io;  // never run: the services are built, not served
  std::map<std::string, std::set<apidocs::Operation>> registered;
  {
    auto parts = app::build_http_services(**rt, io.get_executor());
    ASSERT_TRUE(parts) << parts.error().message;
    for (const auto& svc : parts->services) registered[svc->name] = apidocs::registered_operations(*svc);
    game::sim::GameSim sim(game::sim::SimOptions{});
    registered["game-sim"] = apidocs::registered_operations(*app::game_sim_control_service(sim, "127.0.0.1", 0));
    parts->features->game_db_pool->stop();
    (*rt)->blocking->stop();
  }
  std::set<std::string> served, documented;
  for (const auto& [name, ops] : registered) served.insert(name);
  for (const auto& d : apidocs::api_documents()) documented.emplace(d.service);
  EXPECT_EQ(served, documented) << "one document per service (api/openapi/<service>.json)";

  for (const auto& d : apidocs::api_documents()) {
    const auto doc = json::parse(d.json).as_object();
    const auto diff = apidocs::contract_differences(registered[std::string(d.service)], apidocs::documented_operations(doc));
    EXPECT_TRUE(diff.empty()) << "api/openapi/" << d.service << ".json disagrees with the service's router:" << joined(diff);
    EXPECT_GT(registered[std::string(d.service)].size(), 2u) << d.service;
  }
}

TEST(OpenApiDocsBlackBox, TheGatewayServesThePageAndTheDocumentsWithTheirTypes) {
  TempDir dir;
  // A stand-in for web/dist/docs (the real page is checked in the browser by dashboard.e2e).
  write(dir.path() / "web/index.html", "<!doctype html><title>ui</title>");
  write(dir.path() / "web/docs/index.html", "<!doctype html><title>API</title><script src=init.js></script>");
  write(dir.path() / "web/docs/init.js", "console.log('docs')");
  TzrHost host({"serve", "--only", "gateway"},
               {{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"},
                {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"},
                {"TZR_GATEWAY__DOCS", "true"},
                {"TZR_GATEWAY__DASHBOARD", "true"},
                {"TZR_DASHBOARD__WEB_DIR", dir.str() + "/web"},
                {"TZR_BATTLES__PORT", "18484"},
                {"TZR_LOG__ACCESS", "false"}});
  const int port = host.port("gateway");

  auto redirect = http(port, "GET", "/docs");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(redirect.header("location"), "/docs/");
  auto page = http(port, "GET", "/docs/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.header("content-security-policy").find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
  auto script = http(port, "GET", "/docs/init.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(http(port, "GET", "/docs/nothing.js").status, 404);
  EXPECT_EQ(http(port, "POST", "/docs/openapi/gateway.json").status, 405);

  auto index = http(port, "GET", "/docs/openapi/index.json");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "application/json");
  const auto services = json::parse(index.body).at("services").as_array();
  EXPECT_EQ(services.size(), apidocs::api_documents().size());
  for (const auto& s : services) {
    auto doc = http(port, "GET", std::string(s.at("url").as_string()));
    ASSERT_EQ(doc.status, 200) << s;
    EXPECT_EQ(doc.header("content-type"), "application/json");
    const auto body = json::parse(doc.body);
    EXPECT_EQ(body.at("openapi"), "3.0.3");
    EXPECT_EQ(body.at("servers").at(0).at("url"), s.at("server")) << s;
  }
  // Try it out: the gateway on its own origin, battles through the dashboard, the orchestrator not at all.
  auto by_name = [&](std::string_view name) {
    for (const auto& s : services)
      if (s.at("name").as_string() == name) return s.as_object();
    return json::object{};
  };
  EXPECT_EQ(by_name("gateway").at("server"), "/");
  EXPECT_EQ(by_name("battles").at("server"), "/ui/api/battles");
  EXPECT_EQ(by_name("battles").at("try_it_out"), true);
  EXPECT_EQ(by_name("orchestrator").at("try_it_out"), false);
  auto battles = json::parse(http(port, "GET", "/docs/openapi/battles.json").body);
  EXPECT_NE(std::string(battles.at("servers").at(0).at("description").as_string()).find("http://127.0.0.1:18484"), std::string::npos);
  auto missing = http(port, "GET", "/docs/openapi/nope.json");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body).at("error"), "document_not_found");
}

TEST(OpenApiDocsBlackBox, WithoutTheBuiltPageTheDocumentsAreStillServed) {
  TempDir dir;
  TzrHost host({"serve", "--only", "gateway"},
               {{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"},
                {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"},
                {"TZR_GATEWAY__DOCS", "true"},
                {"TZR_DASHBOARD__WEB_DIR", dir.str() + "/no-web"},
                {"TZR_BATTLES__PORT", "18485"},
                {"TZR_LOG__ACCESS", "false"}});
  const int port = host.port("gateway");
  auto page = http(port, "GET", "/docs/");
  EXPECT_EQ(page.status, 503);
  EXPECT_EQ(json::parse(page.body).at("error"), "docs_not_built");
  auto doc = http(port, "GET", "/docs/openapi/battles.json");
  EXPECT_EQ(doc.status, 200);
  // Without the dashboard there is no proxy: the direct URL is listed and Try it out is off.
  EXPECT_EQ(json::parse(doc.body).at("servers").at(0).at("url"), "http://127.0.0.1:18485");
}

TEST(OpenApiDocsBlackBox, OffByDefault) {
  TempDir dir;
  TzrHost host({"serve", "--only", "gateway"},
               {{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"},
                {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"},
                {"TZR_LOG__ACCESS", "false"}});
  EXPECT_EQ(http(host.port("gateway"), "GET", "/docs/openapi/gateway.json").status, 404);
}
