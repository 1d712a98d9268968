#include "support/scripted_game_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace tzr::test {

namespace {
using Clock = std::chrono::steady_clock;

int listen_on_loopback(std::uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

// Milliseconds left until deadline, at least 0.
int left_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}
}  // namespace

struct ScriptedGameServer::Threads {
  std::thread acceptor;
  std::mutex mu;
  std::vector<std::thread> connections;
};

ScriptedConnection::ScriptedConnection(ScriptedGameServer& server, int fd, int index)
    : server_(server), fd_(fd), index_(index) {}

ScriptedConnection::~ScriptedConnection() { close(); }

std::optional<std::string> ScriptedConnection::read_message(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto nul = pending_.find('\0'); nul != std::string::npos) {
      std::string message = pending_.substr(0, nul);
      pending_.erase(0, nul + 1);
      std::lock_guard lock(server_.mu_);
      server_.received_.push_back(message);
      return message;
    }
    if (fd_ < 0 || server_.stopping_) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    const int wait = std::min(left_ms(deadline), 50);
    if (::poll(&p, 1, wait) <= 0) {
      if (Clock::now() >= deadline) return std::nullopt;
      continue;
    }
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

void ScriptedConnection::write(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void ScriptedConnection::wait_for_close(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (fd_ >= 0 && !server_.stopping_ && Clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, std::min(left_ms(deadline), 50)) <= 0) continue;
    char buf[4096];
    if (::recv(fd_, buf, sizeof buf, 0) <= 0) return;
  }
}

void ScriptedConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

ScriptedGameServer::ScriptedGameServer(Script script)
    : script_(std::move(script)), threads_(std::make_unique<Threads>()) {
  listen_fd_ = listen_on_loopback(port_);
  threads_->acceptor = std::thread([this] { accept_loop(); });
}

ScriptedGameServer::~ScriptedGameServer() {
  stopping_ = true;
  threads_->acceptor.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(threads_->mu);
    connections.swap(threads_->connections);
  }
  for (auto& t : connections) t.join();
  ::close(listen_fd_);
}

void ScriptedGameServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int index = ++connections_;
    std::lock_guard lock(threads_->mu);
    threads_->connections.emplace_back([this, fd, index] {
      ScriptedConnection connection(*this, fd, index);
      script_(connection);
    });
  }
}

std::vector<std::string> ScriptedGameServer::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

std::uint16_t closed_port() {
  std::uint16_t port = 0;
  int fd = listen_on_loopback(port);
  ::close(fd);
  return port;
}

}  // namespace tzr::test
