#pragma once
// A named HTTP service (gateway, status, …): its routes and middleware. Several services can
// listen on several ports in one process.
#include "core/metrics.hpp"
#include "net/router.hpp"
#include "net/websocket.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tzr::net {

struct Middleware {
  // Runs before routing; a returned response is sent instead of calling the handler
  // (authentication, CORS preflight, rate limits).
  std::function<boost::asio::awaitable<std::optional<HttpResponse>>(HttpRequest&)> before;
  // Runs on every response, including errors and early answers (CORS headers).
  std::function<void(const HttpRequest&, HttpResponse&)> after;
};

// What a WebSocket endpoint does with an Upgrade request: refuse it (an error, answered as an HTTP
// error response, e.g. 401) or accept it with the coroutine that then owns the connection.
using WebSocketSession = std::function<boost::asio::awaitable<void>(std::shared_ptr<WebSocketConnection>)>;
struct WebSocketRoute {
  std::string path;  // exact match
  WebSocketOptions options;
  std::function<Result<WebSocketSession>(const HttpRequest&)> accept;
};

struct HttpService {
  std::string name;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the OS picks one (tests)
  Router router;
  std::vector<Middleware> middleware;
  std::vector<WebSocketRoute> websockets;  // Upgrade requests on these paths bypass the router
};

struct PipelineOptions {
  bool access_log = true;
};

// Everything that happens to a parsed request, transport aside: request id, middleware,
// routing (404/405/OPTIONS), handler errors → the one error body, metrics, access log.
class RequestPipeline {
 public:
  RequestPipeline(Metrics& metrics, PipelineOptions options) : metrics_(metrics), options_(options) {}
  boost::asio::awaitable<HttpResponse> handle(const HttpService& service, HttpRequest& request) const;

 private:
  boost::asio::awaitable<HttpResponse> route(const HttpService& service, HttpRequest& request) const;
  Metrics& metrics_;
  PipelineOptions options_;
};

// Accepts a client's X-Request-Id when it is 1..128 characters of [A-Za-z0-9._:-], else makes one.
std::string choose_request_id(std::optional<std::string_view> offered);

}  // namespace tzr::net
