#pragma once
// A raw TCP server for game-socket client tests: every accepted connection runs a script (read a
// NUL-framed message, write chosen bytes in chosen pieces, stay silent, close) on its own thread.
// 127.0.0.1, ephemeral port.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::test {

class ScriptedGameServer;

class ScriptedConnection {
 public:
  ScriptedConnection(ScriptedGameServer& server, int fd, int index);
  ~ScriptedConnection();
  ScriptedConnection(const ScriptedConnection&) = delete;
  ScriptedConnection& operator=(const ScriptedConnection&) = delete;

  // The next message without its NUL; nullopt when the client closed or the timeout passed.
  std::optional<std::string> read_message(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void write(std::string_view bytes);
  // Reads (and discards) until the client closes or the timeout passes: "silence".
  void wait_for_close(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void close();
  int index() const { return index_; }  // 1 for the first accepted connection

 private:
  ScriptedGameServer& server_;
  int fd_;
  int index_;
  std::string pending_;
};

class ScriptedGameServer {
 public:
  using Script = std::function<void(ScriptedConnection&)>;
  explicit ScriptedGameServer(Script script);
  ~ScriptedGameServer();
  ScriptedGameServer(const ScriptedGameServer&) = delete;
  ScriptedGameServer& operator=(const ScriptedGameServer&) = delete;

  std::uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }
  std::vector<std::string> received() const;  // every message read, in order

  struct Threads;

 private:
  friend class ScriptedConnection;
  void accept_loop();

  Script script_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<std::string> received_;
  std::unique_ptr<Threads> threads_;
};

// A port on 127.0.0.1 where nothing listens (bound, then released).
std::uint16_t closed_port();

}  // namespace tzr::test
