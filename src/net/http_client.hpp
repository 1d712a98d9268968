#pragma once
// Outbound HTTP/1.1 client (Telegram Bot API, site callbacks, health probes): http and https,
// one deadline per request, keep-alive connection reuse. Boost.Beast stays in the .cpp so that
// callers compile against Asio's coroutine types and our own HTTP types only.
//
// Thread safety: one HttpClient may be shared by coroutines running on any number of threads.
// The idle-connection pool is guarded by a mutex, and each connection's I/O runs on its own
// strand, so the caller's executor does not need to be a strand. A connection is used by one
// request at a time (it is taken out of the pool while in use).
//
// Lifetime: in-flight requests keep the client's internals alive, so the HttpClient object may
// be destroyed while requests are still running. The executor's io_context must outlive the
// client and its requests (pooled sockets belong to it).
//
// Privacy: error messages name only scheme://host:port, never the path, query or userinfo of a
// URL (Telegram bot tokens travel in URL paths).
#include "core/error.hpp"
#include "net/http_types.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace tzr::net {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};   // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds request_timeout{10000};  // whole request, connect included
  std::size_t max_response_bytes = 8 * 1024 * 1024;  // response body limit
  std::size_t max_idle_per_host = 4;                 // 0 disables connection reuse
  std::chrono::seconds idle_ttl{30};                 // idle longer than this: closed; 0 disables reuse
  std::string ca_file;                               // PEM bundle; empty = system trust store
  bool verify_peer = true;                           // false only for tests and trusted networks
  std::string user_agent = "tzrhost";                // sent unless the request sets User-Agent
};

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  Headers headers;  // Host and Content-Length are computed; the rest is sent as given
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;  // overrides options.request_timeout
};

// Error codes (Error.code → ErrorKind):
//   http_bad_url            bad_request      not an absolute http(s) URL, or it has userinfo
//   http_bad_request        bad_request      a method or header that cannot be sent safely
//   http_connect_failed     bad_gateway      resolve or TCP connect failed
//   http_tls_failed         bad_gateway      TLS handshake or certificate verification failed
//   http_timeout            gateway_timeout  the request's deadline passed
//   http_protocol_error     bad_gateway      the peer broke HTTP (closed early, bad syntax)
//   http_response_too_large bad_gateway      body above max_response_bytes
// Any HTTP status (including 4xx/5xx) is a successful Result; callers decide what it means.
class HttpClient {
 public:
  explicit HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  boost::asio::awaitable<Result<HttpResponse>> request(HttpClientRequest req);
  boost::asio::awaitable<Result<HttpResponse>> get(std::string url, Headers headers = {});
  // Sends body with Content-Type: application/json.
  boost::asio::awaitable<Result<HttpResponse>> post_json(std::string url, std::string body,
                                                         Headers headers = {});

  // Number of idle pooled connections over all hosts (for metrics and tests).
  std::size_t idle_connections() const;
  // Closes every idle connection (e.g. before shutdown, or after a config reload).
  void close_idle();

  struct Impl;  // defined in the .cpp; public only so that its free functions can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace tzr::net
