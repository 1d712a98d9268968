#pragma once
// Path router: static segments and {param} segments, matched per method. Static segments win
// over parameters ("/battles/latest" beats "/battles/{id}"). A path that exists under another
// method yields the allowed methods (405 + Allow); no match at all is 404.
#include "net/http_types.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tzr::net {

using Handler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest&)>;

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
};

struct RouteMatch {
  const Route* route;
  std::vector<std::pair<std::string, std::string>> params;
};
struct MethodNotAllowed {
  std::vector<std::string> allowed;  // sorted, includes HEAD where GET exists
};
struct NoRoute {};
using DispatchResult = std::variant<RouteMatch, MethodNotAllowed, NoRoute>;

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // pattern: "/a/{name}/b". Throws std::invalid_argument on a malformed or duplicate route
  // (a programming error found at start-up).
  void add(std::string method, std::string pattern, Handler handler);
  void get(std::string pattern, Handler h) { add("GET", std::move(pattern), std::move(h)); }
  void post(std::string pattern, Handler h) { add("POST", std::move(pattern), std::move(h)); }

  // HEAD falls back to GET. path must be percent-decoded and start with '/'.
  DispatchResult dispatch(std::string_view method, std::string_view path) const;

  // Methods registered for path (for OPTIONS), empty when the path is unknown.
  std::vector<std::string> allowed_methods(std::string_view path) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct Node;
  const Node* find(std::string_view path, std::vector<std::pair<std::string, std::string>>* params) const;

  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace tzr::net
