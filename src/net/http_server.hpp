#pragma once
// The HTTP/1.1 server: Boost.Beast on Asio C++20 coroutines, a small thread pool, several
// services on several ports. Beast is confined to http_server.cpp.
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "net/http_service.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tzr::net {

struct ServerLimits {
  std::size_t max_body_bytes = 1 << 20;      // larger bodies: 413
  std::size_t max_header_bytes = 16 << 10;   // larger headers: 431
  std::chrono::milliseconds read_timeout{10'000};   // to receive one whole request
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_connections = 10'000;             // beyond: accepted and closed at once
  std::size_t max_requests_per_connection = 10'000;  // then Connection: close
  std::chrono::milliseconds shutdown_grace{10'000};  // drain in-flight requests up to this
};

struct BoundService {
  std::string name;
  std::string address;
  std::uint16_t port;
};

class HttpServer {
 public:
  HttpServer(ServerLimits limits, std::size_t threads, Metrics& metrics, PipelineOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the service's port now (so a taken port fails at start-up, naming the service).
  Result<BoundService> add(std::shared_ptr<const HttpService> service);

  // Serves until stop() or, when stop_on_signals, SIGINT/SIGTERM; then drains and returns.
  void run(bool stop_on_signals = true);
  // Graceful: stop accepting, finish in-flight requests (up to shutdown_grace), close idle ones.
  void stop();

  // Runs hook when draining starts (SIGTERM or stop()); the server waits for it, within the
  // shutdown grace, as it waits for open connections. For components with their own connections
  // (the site agent, the hub's WebSocket peers). Call before run().
  void on_drain(std::function<boost::asio::awaitable<void>()> hook);

  // For work that must share the server's threads (timers, outbound clients).
  boost::asio::io_context& context();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Parses one raw HTTP/1.1 request with the server's limits and conversion (fuzzing and tests).
Result<HttpRequest> parse_http_request(std::string_view raw, const ServerLimits& limits);

}  // namespace tzr::net
