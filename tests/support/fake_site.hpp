#pragma once
// The site's end of the bridge played by a test: a WebSocket server on 127.0.0.1 (the project's
// own HttpServer on its own thread) that accepts one agent at a time on /ws/pull, records the
// Authorization header it sent, and lets the test push raw frames and read the answers.
#include "net/websocket.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace tzr::test {

class FakeSite {
 public:
  FakeSite();
  ~FakeSite();
  FakeSite(const FakeSite&) = delete;
  FakeSite& operator=(const FakeSite&) = delete;

  std::string url() const;  // ws://127.0.0.1:<port>/ws/pull
  // Waits until an agent has connected `count` times in all.
  bool wait_connections(int count, std::chrono::milliseconds timeout);
  int connections() const;
  std::string last_authorization() const;
  bool send(const std::string& frame);  // to the current agent connection
  std::optional<std::string> next_frame(std::chrono::milliseconds timeout);
  void drop();  // closes the current connection from the site's side

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace tzr::test
