// The API documents (api/openapi/*.json, embedded): each is OpenAPI 3 with what Swagger UI and a
// client generator need, and the contract functions that compare a document with a router.
#include "apidocs/api_documents.hpp"
#include "apidocs/docs_site.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace tzr;
using namespace tzr::apidocs;
namespace json = boost::json;

namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

// Every "$ref" of the document, as written.
void collect_refs(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) {
      if (k == "$ref" && child.is_string()) out.emplace_back(child.as_string());
      else collect_refs(child, out);
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) collect_refs(child, out);
  }
}

}  // namespace

TEST(ApiDocuments, EveryServiceHasAWellFormedOpenApi3Document) {
  std::vector<std::string> names;
  for (const auto& d : api_documents()) names.emplace_back(d.service);
  EXPECT_EQ(names, (std::vector<std::string>{"agent", "battles", "game-sim", "gateway", "hub", "orchestrator", "registration", "shop",
                                             "status"}));
  for (const auto& d : api_documents()) {
    boost::system::error_code ec;
    auto doc = json::parse(d.json, ec);
    ASSERT_FALSE(ec) << d.service << ": not JSON: " << ec.message();
    ASSERT_TRUE(doc.is_object()) << d.service;
    EXPECT_EQ(doc.at("openapi"), "3.0.3") << d.service;
    const auto problems = document_problems(doc.as_object());
    EXPECT_TRUE(problems.empty()) << d.service << ":" << joined(problems);
    // Every local reference resolves (a broken one breaks Swagger UI's rendering of the operation).
    std::vector<std::string> refs;
    collect_refs(doc, refs);
    EXPECT_FALSE(refs.empty()) << d.service << " uses no shared component (the error envelope at least)";
    for (const auto& ref : refs) {
      ASSERT_TRUE(ref.starts_with("#/")) << d.service << ": only local references: " << ref;
      boost::system::error_code pe;
      EXPECT_NE(doc.find_pointer(std::string_view(ref).substr(1), pe), nullptr) << d.service << ": unresolved " << ref;
    }
    // The one error envelope is the documented error body.
    const auto& error = doc.at_pointer("/components/schemas/Error").as_object();
    for (const char* key : {"ok", "error", "message", "request_id"})
      EXPECT_TRUE(error.at("properties").as_object().contains(key)) << d.service << ": Error." << key;
  }
}

TEST(ApiDocuments, ProblemsNameTheMissingFields) {
  auto doc = json::parse(R"({"openapi":"2.0","info":{"title":"x"},"paths":{
      "/a/{id}":{"get":{"operationId":"a"}},
      "/b":{"post":{"operationId":"a","responses":{"200":{"description":"ok"}}}}}})").as_object();
  const auto p = document_problems(doc);
  const std::vector<std::string> want{"openapi: must be a 3.x version string", "info.version: required string",
                                      "GET /a/{id}: responses required", "GET /a/{id}: path parameter {id} not declared",
                                      "POST /b: operationId a repeated"};
  EXPECT_EQ(p, want) << joined(p);
}

TEST(ApiDocuments, PathParametersMayBeSharedComponentsOrOnThePathItem) {
  auto doc = json::parse(R"({"openapi":"3.0.3","info":{"title":"x","version":"1"},
      "components":{"parameters":{"Id":{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}}},
      "paths":{"/a/{id}":{"get":{"operationId":"a","parameters":[{"$ref":"#/components/parameters/Id"}],"responses":{"200":{"description":"ok"}}}},
               "/b/{login}":{"parameters":[{"name":"login","in":"path","required":true}],
                             "get":{"operationId":"b","responses":{"200":{"description":"ok"}}}}}})").as_object();
  EXPECT_TRUE(document_problems(doc).empty()) << joined(document_problems(doc));
}

TEST(ApiContract, DifferencesGoBothWays) {
  auto doc = json::parse(R"({"paths":{"/battles":{"get":{},"summary":"x"},"/gone":{"post":{}},"/battle/{id}":{"get":{},"parameters":[]}}})");
  const auto documented = documented_operations(doc.as_object());
  EXPECT_EQ(documented, (std::set<Operation>{{"GET", "/battles"}, {"POST", "/gone"}, {"GET", "/battle/{id}"}}));
  const std::set<Operation> registered{{"GET", "/battles"}, {"GET", "/battle/{id}"}, {"POST", "/battles/upload"}};
  EXPECT_EQ(contract_differences(registered, documented),
            (std::vector<std::string>{"POST /battles/upload: routed but not documented", "POST /gone: documented but not routed"}));
  EXPECT_TRUE(contract_differences(registered, registered).empty());
}

TEST(ApiContract, WebSocketPathsCountAsGetRoutes) {
  net::HttpService svc;
  svc.router.get("/health", [](net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> { co_return net::HttpResponse::empty(200); });
  svc.router.post("/proxy/register", [](net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> { co_return net::HttpResponse::empty(200); });
  svc.websockets.push_back(net::WebSocketRoute{"/ws/pull", {}, {}});
  EXPECT_EQ(registered_operations(svc), (std::set<Operation>{{"GET", "/health"}, {"POST", "/proxy/register"}, {"GET", "/ws/pull"}}));
}

TEST(ApiDocsSite, TheServedDocumentNamesThisDeploymentsServers) {
  auto doc = json::parse(R"({"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":[{"url":"http://127.0.0.1:8084"}],"paths":{}})");
  const DocsService svc{"battles", {{"/ui/api/battles", "through the dashboard"}}, true};
  auto served = json::parse(render_document(doc.as_object(), svc));
  EXPECT_EQ(served.at("servers"), json::parse(R"([{"url":"/ui/api/battles","description":"through the dashboard"}])"));
  EXPECT_EQ(served.at("info"), doc.at("info"));
}
