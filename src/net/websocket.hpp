#pragma once
// WebSocket connections (RFC 6455) for the site bridge: the hub accepts them on an HttpService
// route, the agent dials out over ws:// or wss://. Boost.Beast stays in the .cpp files; callers
// see this small interface.
//
// Keepalive is Beast's: a Ping after idle_timeout/2 without traffic, the connection declared dead
// after idle_timeout (the bridge's "ping every 20 s, dead after 40 s").
#include "core/error.hpp"
#include "net/http_types.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tzr::net {

struct WebSocketOptions {
  std::size_t max_message_bytes = 64 * 1024;      // larger messages close the connection (1009)
  std::chrono::milliseconds idle_timeout{40'000};   // a ping at half of it; dead at all of it
  std::chrono::milliseconds handshake_timeout{10'000};
};

// Error codes of read/send (Error.code):
//   ws_closed       the peer closed (message holds its close code and reason), or we did
//   ws_too_large    a message above max_message_bytes (the connection is closed with 1009)
//   ws_failed       network error, keepalive timeout, protocol violation
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;

  // The next whole message (text or binary). Only one read may be outstanding at a time.
  virtual boost::asio::awaitable<Result<std::string>> read() = 0;
  // Sends one text message. Callable from any coroutine on any executor; messages are queued and
  // written in call order.
  virtual boost::asio::awaitable<Status> send(std::string text) = 0;
  // Starts the closing handshake (code 1000 normal, 1001 going away, 4401 unauthorized…) and
  // waits for it up to the handshake timeout. A pending read() then ends with ws_closed.
  virtual boost::asio::awaitable<void> close(std::uint16_t code, std::string reason) = 0;
  // The close code the peer sent, 0 while open or when none was received.
  virtual std::uint16_t peer_close_code() const = 0;
  virtual std::string remote_address() const = 0;
};

struct WebSocketClientOptions {
  WebSocketOptions socket;
  std::chrono::milliseconds connect_timeout{10'000};  // resolve + TCP + TLS + upgrade
  std::string ca_file;      // PEM bundle for wss://; empty = the system trust store
  bool verify_peer = true;  // false only for tests
};

// Dials url (ws:// or wss://host[:port]/path) and performs the upgrade with extra headers
// (Authorization…). Error codes: ws_bad_url (bad_request), ws_connect_failed, ws_tls_failed,
// ws_timeout (bad_gateway / gateway_timeout), ws_rejected (unauthorized when the server answered
// 401/403, else bad_gateway; the message holds the HTTP status).
boost::asio::awaitable<Result<std::shared_ptr<WebSocketConnection>>> websocket_connect(
    boost::asio::any_io_executor executor, std::string url, Headers headers, WebSocketClientOptions options);

}  // namespace tzr::net
