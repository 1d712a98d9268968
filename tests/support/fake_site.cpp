#include "support/fake_site.hpp"

#include "core/metrics.hpp"
#include "net/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <future>

namespace tzr::test {

struct FakeSite::State {
  Metrics metrics;
  std::unique_ptr<net::HttpServer> server;
  std::uint16_t port = 0;
  mutable std::mutex mu;
  std::condition_variable changed;
  std::shared_ptr<net::WebSocketConnection> conn;
  int connections = 0;
  std::string authorization;
  std::deque<std::string> frames;
};

FakeSite::FakeSite() : state_(std::make_shared<State>()) {
  // A plain pointer: the server (and its routes) belong to the state, which outlives them.
  State* state = state_.get();
  state->server = std::make_unique<net::HttpServer>(net::ServerLimits{}, 1, state->metrics, net::PipelineOptions{false});
  auto svc = std::make_shared<net::HttpService>();
  svc->name = "fake-site";
  net::WebSocketRoute route;
  route.path = "/ws/pull";
  route.accept = [state](const net::HttpRequest& req) -> Result<net::WebSocketSession> {
    {
      std::lock_guard lock(state->mu);
      state->authorization = std::string(req.headers.get("Authorization").value_or(""));
    }
    return net::WebSocketSession([state](std::shared_ptr<net::WebSocketConnection> conn) -> boost::asio::awaitable<void> {
      {
        std::lock_guard lock(state->mu);
        state->conn = conn;
        ++state->connections;
      }
      state->changed.notify_all();
      for (;;) {
        auto frame = co_await conn->read();
        if (!frame) break;
        {
          std::lock_guard lock(state->mu);
          state->frames.push_back(std::move(*frame));
        }
        state->changed.notify_all();
      }
      std::lock_guard lock(state->mu);
      if (state->conn == conn) state->conn.reset();
    });
  };
  svc->websockets.push_back(route);
  auto bound = state->server->add(svc);
  if (!bound) throw std::runtime_error(bound.error().message);
  state->port = bound->port;
  thread_ = std::thread([state] { state->server->run(false); });
}

FakeSite::~FakeSite() {
  state_->server->stop();
  thread_.join();
}

std::string FakeSite::url() const { return "ws://127.0.0.1:" + std::to_string(state_->port) + "/ws/pull"; }

bool FakeSite::wait_connections(int count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->connections >= count && state_->conn; });
}

int FakeSite::connections() const {
  std::lock_guard lock(state_->mu);
  return state_->connections;
}

std::string FakeSite::last_authorization() const {
  std::lock_guard lock(state_->mu);
  return state_->authorization;
}

bool FakeSite::send(const std::string& frame) {
  std::shared_ptr<net::WebSocketConnection> conn;
  {
    std::lock_guard lock(state_->mu);
    conn = state_->conn;
  }
  if (!conn) return false;
  auto done = boost::asio::co_spawn(
      state_->server->context(),
      [conn, frame]() -> boost::asio::awaitable<bool> {
        auto st = co_await conn->send(frame);
        co_return static_cast<bool>(st);
      },
      boost::asio::use_future);
  return done.get();
}

std::optional<std::string> FakeSite::next_frame(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  if (!state_->changed.wait_for(lock, timeout, [&] { return !state_->frames.empty(); })) return std::nullopt;
  std::string f = std::move(state_->frames.front());
  state_->frames.pop_front();
  return f;
}

void FakeSite::drop() {
  std::shared_ptr<net::WebSocketConnection> conn;
  {
    std::lock_guard lock(state_->mu);
    conn = state_->conn;
  }
  if (!conn) return;
  boost::asio::co_spawn(state_->server->context(), conn->close(1011, "site restarting"), boost::asio::use_future).get();
}

}  // namespace tzr::test
