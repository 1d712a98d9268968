#include "net/auth.hpp"

#include "crypto/hash.hpp"
#include "net/http_errors.hpp"

#include <algorithm>

namespace tzr::net {

bool has_bearer(const HttpRequest& req, std::string_view token) {
  if (token.empty()) return false;
  auto header = req.headers.get("Authorization");
  constexpr std::string_view scheme = "Bearer ";
  return header && header->size() > scheme.size() && header->substr(0, scheme.size()) == scheme &&
         crypto::constant_time_equal(header->substr(scheme.size()), token);
}

Middleware bearer_auth(std::string token, std::string prefix, std::vector<std::string> open) {
  Middleware m;
  m.before = [token = std::move(token), prefix = std::move(prefix), open = std::move(open)](
                 HttpRequest& req) -> boost::asio::awaitable<std::optional<HttpResponse>> {
    if (req.path.rfind(prefix, 0) != 0) co_return std::nullopt;
    if (std::find(open.begin(), open.end(), req.path) != open.end()) co_return std::nullopt;
    if (token.empty())
      co_return error_response(Error::unavailable("auth_not_configured", "admin.token is not configured"), req.request_id);
    if (has_bearer(req, token)) co_return std::nullopt;
    auto res = error_response(Error::make(ErrorKind::unauthorized, "unauthorized", "a valid bearer token is required"),
                              req.request_id);
    res.headers.set("WWW-Authenticate", "Bearer");
    co_return res;
  };
  return m;
}

}  // namespace tzr::net
