#pragma once
// Client of the game server's TCP socket: NUL-framed request/reply with a deadline per call,
// replies bounded to 64 KiB, a small pool of idle connections. Asio coroutines; no Beast.
#include "core/error.hpp"
#include "game/protocol.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace tzr::game {

struct GameClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5190;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds call_timeout{10000};  // whole call: connect + write + read reply
  std::size_t max_reply_bytes = 64 * 1024;
  int connect_attempts = 3;                        // only while nothing was sent
  std::chrono::milliseconds retry_backoff{500};    // doubled after each failed attempt
  bool expect_greeting = false;                    // drop one message after connecting
  std::size_t max_idle_connections = 4;
};

// Error codes of a failed call (Error.code) and what they mean for the caller:
//   game_unreachable   (bad_gateway)     nothing was sent: safe to treat as "did not happen"
//   game_timeout       (gateway_timeout) the request was sent, no complete reply by the deadline:
//                                        the game may or may not have acted on it
//   game_no_response   (bad_gateway)     sent, then the server closed the connection without a reply
//   game_protocol_error(bad_gateway)     a reply that is not one XML element, or over the size bound
// A reply that parses (OK, ERR, ERROR, anything) is a success of call(); the caller decides.
inline constexpr std::string_view kGameUnreachable = "game_unreachable";
inline constexpr std::string_view kGameTimeout = "game_timeout";
inline constexpr std::string_view kGameNoResponse = "game_no_response";
inline constexpr std::string_view kGameProtocolError = "game_protocol_error";

class GameClient {
 public:
  GameClient(boost::asio::any_io_executor executor, GameClientOptions options);
  ~GameClient();
  GameClient(const GameClient&) = delete;
  GameClient& operator=(const GameClient&) = delete;

  // Sends one frame (must end with NUL) and returns the first reply message. Thread-safe.
  boost::asio::awaitable<Result<GameReply>> call(std::string frame);

  // Connects (and disconnects) to tell whether the server accepts connections (for /ready).
  boost::asio::awaitable<bool> reachable();

  const GameClientOptions& options() const;

  // Destroys the pooled idle connections. Call before the executor's io_context is destroyed:
  // a socket outliving its io_context is a use-after-free.
  void close_idle();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tzr::game
