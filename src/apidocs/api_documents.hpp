#pragma once
// The OpenAPI 3 documents of the services (api/openapi/<service>.json, embedded at build time),
// and the contract between a document and a router: the (method, path) pairs each side has.
#include "core/error.hpp"
#include "net/http_service.hpp"

#include <boost/json/object.hpp>

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tzr::apidocs {

struct ApiDocument {
  std::string_view service;  // the file's name: gateway, battles, …
  std::string_view json;
};

// Every embedded document, sorted by service name (generated from api/openapi/).
std::span<const ApiDocument> api_documents();
const ApiDocument* find_api_document(std::string_view service);

using Operation = std::pair<std::string, std::string>;  // {"GET", "/battle/{id}"}

// What a service answers: its router's routes and its WebSocket paths (as GET).
std::set<Operation> registered_operations(const net::HttpService& service);

// What a document describes: every method under paths (HEAD and OPTIONS are implied by the router).
std::set<Operation> documented_operations(const boost::json::object& document);

// Human-readable differences, empty when both sides agree ("GET /x: routed but not documented").
std::vector<std::string> contract_differences(const std::set<Operation>& registered, const std::set<Operation>& documented);

// The fields OpenAPI 3.0/3.1 requires (openapi, info.title, info.version, paths) and, per
// operation, responses and an operationId unique in the document; every {param} of a path
// declared as a path parameter. Empty when the document is well-formed.
std::vector<std::string> document_problems(const boost::json::object& document);

}  // namespace tzr::apidocs
