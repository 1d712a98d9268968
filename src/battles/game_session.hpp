#pragma once
// One long-lived connection to the game server for a sync worker: connect, LOGIN, keep-alive,
// and the battle request of battles.md §5.2 (`<POST t="//blook ID" />`), whose
// answer may span several NUL-framed messages and is read until `</BLOOK>`, an error reply or
// the deadline. Every read has a deadline and a size bound.
#include "core/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <string>

namespace tzr::battles {

struct GameSessionOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5190;
  std::string login, key;
  bool expect_greeting = false;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{20000};
  std::chrono::milliseconds login_timeout{10000};
  std::size_t max_log_bytes = 64u << 20;
};

// What one battle request gave.
enum class FetchKind { log, not_found, failed };
struct FetchResult {
  FetchKind kind = FetchKind::failed;
  std::string bytes;   // the <BLOOK>…</BLOOK> text (log)
  std::string error;   // a stable code (failed, not_found)
};

class GameSession {
 public:
  GameSession(boost::asio::any_io_executor executor, GameSessionOptions options);
  // Connects and logs in. Error codes: game_unreachable, game_login_refused, game_timeout.
  boost::asio::awaitable<Status> open();
  bool is_open() const { return socket_.is_open(); }
  void close();
  boost::asio::awaitable<FetchResult> fetch(std::int64_t battle_id);
  boost::asio::awaitable<Status> keep_alive();  // <N />

 private:
  boost::asio::awaitable<Status> send(std::string frame);
  // The next NUL-framed message (without the NUL), by the deadline.
  boost::asio::awaitable<Result<std::string>> read_message(std::chrono::steady_clock::time_point deadline);

  GameSessionOptions options_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  std::string buffer_;
};

}  // namespace tzr::battles
