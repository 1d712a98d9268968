#pragma once
#include "net/http_service.hpp"

#include <string>
#include <vector>

namespace tzr::net {

// Requires "Authorization: Bearer <token>" on every path under prefix (401 otherwise, compared
// in constant time). An empty token refuses those paths (503 auth_not_configured).
// Paths in `open` stay reachable without a token (health probes of orchestrators).
Middleware bearer_auth(std::string token, std::string prefix, std::vector<std::string> open = {});

// Whether the request carries "Authorization: Bearer <token>" (constant-time; an empty token never matches).
bool has_bearer(const HttpRequest& req, std::string_view token);

}  // namespace tzr::net
