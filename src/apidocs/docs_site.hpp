#pragma once
// The API reference on the gateway: /docs/ (Swagger UI, built from web/ into dist/docs/) and
// /docs/openapi/<service>.json (the embedded documents, with `servers` set for this
// deployment), /docs/openapi/index.json (the services listed on the page). Read-only and public
// when enabled (gateway.docs); every /docs response carries a CSP without inline scripts.
#include "net/http_service.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tzr::apidocs {

struct DocsServer {
  std::string url;  // "/ui/api/battles" (through the dashboard) or "http://127.0.0.1:9000"
  std::string description;
};

struct DocsService {
  std::string name;  // the document's name: gateway, battles, …
  std::vector<DocsServer> servers;
  // Swagger UI's "Try it out": only where the page's origin can reach the service (the gateway
  // itself, the services behind the dashboard's proxy); elsewhere the CSP would block it anyway.
  bool try_it_out = false;
};

struct DocsOptions {
  std::string web_dir;  // the built page: index.html, init.js, swagger-ui files
  std::vector<DocsService> services;
};

// The document text served for one service: the embedded one with `servers` replaced.
std::string render_document(const boost::json::object& document, const DocsService& service);

class DocsSite {
 public:
  explicit DocsSite(DocsOptions options);
  ~DocsSite();
  // Reads the built page; an error ("docs_not_built") leaves the documents served and the page
  // answering 503 with what is missing. Also an error when a service has no embedded document.
  Status load();
  net::Middleware middleware();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tzr::apidocs
