#include "game/game_client.hpp"

#include "game/io_deadline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <utility>
#include <vector>

// GCC 12 miscompiles `co_return co_await …` and `co_await` inside compound expressions, so every
// co_await here stands alone in a declaration: `auto r = co_await op; co_return r;`.

namespace tzr::game {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

enum class ReadStatus { ok, timeout, closed, too_large };

struct ReadOutcome {
  ReadStatus status = ReadStatus::ok;
  std::string message;       // the text before the first NUL
  bool extra_bytes = false;  // bytes after that NUL arrived in the same read
  std::string detail;
};

// Reads until the first NUL. Bytes after it (an unsolicited push, a second reply) would make
// the next request on this connection read a stale answer, so the caller drops such a connection.
asio::awaitable<ReadOutcome> read_message(tcp::socket& socket, Clock::time_point deadline, std::size_t max_bytes) {
  std::string buffer;
  std::array<char, 4096> chunk{};
  ReadOutcome out;
  for (;;) {
    auto r = co_await until_deadline(socket.async_read_some(asio::buffer(chunk), asio::deferred), deadline);
    buffer.append(chunk.data(), r.bytes);
    if (auto nul = buffer.find('\0'); nul != std::string::npos) {
      if (nul > max_bytes) {
        out.status = ReadStatus::too_large;
        co_return out;
      }
      out.extra_bytes = nul + 1 < buffer.size();
      buffer.resize(nul);
      out.message = std::move(buffer);
      co_return out;
    }
    if (buffer.size() > max_bytes) {
      out.status = ReadStatus::too_large;
      co_return out;
    }
    if (r.ec == asio::error::timed_out) {
      out.status = ReadStatus::timeout;
      co_return out;
    }
    if (r.ec) {
      out.status = ReadStatus::closed;
      out.detail = r.ec == asio::error::eof ? std::string("connection closed") : r.ec.message();
      co_return out;
    }
  }
}

// A pooled connection is reusable only when the server has neither closed it nor pushed
// anything since the last reply: a non-blocking peek must find nothing to read.
bool idle_connection_in_sync(tcp::socket& socket) {
  error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return false;
  char probe = 0;
  socket.receive(asio::buffer(&probe, 1), tcp::socket::message_peek, ec);
  error_code ignored;
  socket.non_blocking(false, ignored);
  return ec == asio::error::would_block;
}

}  // namespace

struct GameClient::Impl {
  Impl(asio::any_io_executor ex, GameClientOptions opts) : executor(std::move(ex)), options(std::move(opts)) {}

  asio::any_io_executor executor;
  GameClientOptions options;
  std::mutex mu;
  std::vector<std::unique_ptr<tcp::socket>> idle;

  std::unique_ptr<tcp::socket> take_idle() {
    std::lock_guard lock(mu);
    if (idle.empty()) return nullptr;
    auto s = std::move(idle.back());
    idle.pop_back();
    return s;
  }

  void give_back(std::unique_ptr<tcp::socket> s) {
    std::lock_guard lock(mu);
    if (idle.size() < options.max_idle_connections) idle.push_back(std::move(s));
  }

  std::string where() const { return options.host + ":" + std::to_string(options.port); }

  Error unreachable(const std::string& reason) const {
    return Error::make(ErrorKind::bad_gateway, std::string(kGameUnreachable),
                       "game server " + where() + " unreachable: " + reason);
  }
  Error timeout() const {
    return Error::make(ErrorKind::gateway_timeout, std::string(kGameTimeout),
                       "no complete reply from the game server within " +
                           std::to_string(options.call_timeout.count()) + " ms");
  }
  Error no_response(const std::string& detail) const {
    return Error::make(ErrorKind::bad_gateway, std::string(kGameNoResponse),
                       "the game server did not reply (" + detail + ")");
  }
  Error too_large() const {
    return Error::make(ErrorKind::bad_gateway, std::string(kGameProtocolError),
                       "game reply over " + std::to_string(options.max_reply_bytes) + " bytes");
  }

  static asio::awaitable<Result<std::vector<tcp::endpoint>>> resolve(std::shared_ptr<Impl> self,
                                                                      Clock::time_point deadline);
  static asio::awaitable<Result<std::unique_ptr<tcp::socket>>> connect_once(std::shared_ptr<Impl> self,
                                                                            Clock::time_point deadline);
  static asio::awaitable<Result<std::unique_ptr<tcp::socket>>> connect_and_send(std::shared_ptr<Impl> self,
                                                                                const std::string& frame,
                                                                                Clock::time_point deadline);
  static asio::awaitable<Result<GameReply>> receive(std::shared_ptr<Impl> self, std::unique_ptr<tcp::socket> socket,
                                                    Clock::time_point deadline);
  static asio::awaitable<Result<GameReply>> call(std::shared_ptr<Impl> self, std::string frame);
  static asio::awaitable<bool> reachable(std::shared_ptr<Impl> self);
};

asio::awaitable<Result<std::vector<tcp::endpoint>>> GameClient::Impl::resolve(std::shared_ptr<Impl> self,
                                                                               Clock::time_point deadline) {
  error_code ec;
  auto address = asio::ip::make_address(self->options.host, ec);
  if (!ec) co_return std::vector<tcp::endpoint>{tcp::endpoint(address, self->options.port)};

  // A name needs the resolver. Its wait is bounded by the deadline, though the lookup thread
  // itself cannot be interrupted (getaddrinfo has no cancellation).
  tcp::resolver resolver(self->executor);
  asio::steady_timer timer(self->executor, deadline);
  using Resolved = std::pair<error_code, tcp::resolver::results_type>;
  auto group = asio::experimental::make_parallel_group(
                   resolver.async_resolve(self->options.host, std::to_string(self->options.port), asio::deferred),
                   timer.async_wait(asio::deferred))
                   .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  auto done = co_await std::move(group);
  if (std::get<0>(done)[0] == 1) co_return self->unreachable("name lookup timed out");
  Resolved resolved{std::get<1>(done), std::get<2>(done)};
  if (resolved.first) co_return self->unreachable("name lookup failed: " + resolved.first.message());
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : resolved.second) endpoints.push_back(entry.endpoint());
  if (endpoints.empty()) co_return self->unreachable("name lookup found no address");
  co_return endpoints;
}

asio::awaitable<Result<std::unique_ptr<tcp::socket>>> GameClient::Impl::connect_once(std::shared_ptr<Impl> self,
                                                                                     Clock::time_point deadline) {
  const auto connect_deadline = std::min(deadline, Clock::now() + self->options.connect_timeout);
  auto endpoints = co_await resolve(self, connect_deadline);
  if (!endpoints) co_return endpoints.error();

  std::string last_reason = "no address";
  for (const auto& endpoint : *endpoints) {
    auto socket = std::make_unique<tcp::socket>(self->executor);
    auto r = co_await until_deadline(socket->async_connect(endpoint, asio::deferred), connect_deadline);
    if (r.ec) {
      last_reason = r.ec == asio::error::timed_out ? std::string("connect timed out") : r.ec.message();
      continue;
    }
    error_code ignored;
    socket->set_option(tcp::no_delay(true), ignored);
    if (self->options.expect_greeting) {
      // The greeting belongs to the connection, not to any request: read it and forget it.
      auto greeting = co_await read_message(*socket, connect_deadline, self->options.max_reply_bytes);
      if (greeting.status != ReadStatus::ok) {
        last_reason = "no greeting after connecting";
        continue;
      }
    }
    co_return socket;
  }
  co_return self->unreachable(last_reason);
}

// Opens a fresh connection and writes the frame, retrying with backoff for as long as no byte
// of the frame has left this process: only then is a retry sure not to act twice.
asio::awaitable<Result<std::unique_ptr<tcp::socket>>> GameClient::Impl::connect_and_send(std::shared_ptr<Impl> self,
                                                                                         const std::string& frame,
                                                                                         Clock::time_point deadline) {
  const int attempts = std::max(1, self->options.connect_attempts);
  auto backoff = self->options.retry_backoff;
  Error last = self->unreachable("no attempt made");
  int made = 0;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) {
      if (Clock::now() + backoff >= deadline) break;
      asio::steady_timer pause(self->executor, backoff);
      auto waited = co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)waited;
      backoff *= 2;
    }
    ++made;
    auto socket = co_await connect_once(self, deadline);
    if (!socket) {
      last = socket.error();
      spdlog::debug("game: connect attempt {}/{} to {} failed: {}", attempt, attempts, self->where(), last.message);
      continue;
    }
    auto written = co_await until_deadline(asio::async_write(**socket, asio::buffer(frame), asio::deferred), deadline);
    if (!written.ec) co_return std::move(*socket);
    if (written.bytes > 0) {
      if (written.ec == asio::error::timed_out) co_return self->timeout();
      co_return self->no_response("write failed after " + std::to_string(written.bytes) + " bytes");
    }
    last = self->unreachable(written.ec == asio::error::timed_out ? std::string("write timed out")
                                                                  : "write failed: " + written.ec.message());
  }
  last.message += " (after " + std::to_string(made) + (made == 1 ? " connect attempt)" : " connect attempts)");
  co_return last;
}

asio::awaitable<Result<GameReply>> GameClient::Impl::receive(std::shared_ptr<Impl> self,
                                                             std::unique_ptr<tcp::socket> socket,
                                                             Clock::time_point deadline) {
  auto reply = co_await read_message(*socket, deadline, self->options.max_reply_bytes);
  switch (reply.status) {
    case ReadStatus::timeout: co_return self->timeout();
    case ReadStatus::closed: co_return self->no_response(reply.detail);
    case ReadStatus::too_large: co_return self->too_large();
    case ReadStatus::ok: break;
  }
  auto parsed = parse_reply(reply.message);
  if (parsed && !reply.extra_bytes) self->give_back(std::move(socket));
  co_return parsed;
}

asio::awaitable<Result<GameReply>> GameClient::Impl::call(std::shared_ptr<Impl> self, std::string frame) {
  if (frame.empty() || frame.find('\0') != frame.size() - 1)
    co_return Error::make(ErrorKind::internal, "game_bad_frame", "a game frame must end with its only NUL byte");
  const auto deadline = Clock::now() + self->options.call_timeout;

  // Pooled connections first. One that turns out dead before any byte of the frame was
  // written is dropped and the next one (or a fresh connection) is used.
  while (auto socket = self->take_idle()) {
    if (!idle_connection_in_sync(*socket)) continue;
    auto written = co_await until_deadline(asio::async_write(*socket, asio::buffer(frame), asio::deferred), deadline);
    if (!written.ec) {
      auto reply = co_await receive(self, std::move(socket), deadline);
      co_return reply;
    }
    if (written.bytes > 0) {
      if (written.ec == asio::error::timed_out) co_return self->timeout();
      co_return self->no_response("write failed after " + std::to_string(written.bytes) + " bytes");
    }
    if (written.ec == asio::error::timed_out) co_return self->unreachable("write timed out");
  }

  auto fresh = co_await connect_and_send(self, frame, deadline);
  if (!fresh) co_return fresh.error();
  auto reply = co_await receive(self, std::move(*fresh), deadline);
  co_return reply;
}

asio::awaitable<bool> GameClient::Impl::reachable(std::shared_ptr<Impl> self) {
  auto socket = co_await connect_once(self, Clock::now() + self->options.connect_timeout);
  if (!socket) co_return false;
  error_code ignored;
  (*socket)->shutdown(tcp::socket::shutdown_both, ignored);
  (*socket)->close(ignored);
  co_return true;
}

GameClient::GameClient(asio::any_io_executor executor, GameClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

GameClient::~GameClient() = default;

// Not coroutines themselves: the work runs on a shared Impl, so a call in flight stays valid
// even if this GameClient is destroyed before it ends.
asio::awaitable<Result<GameReply>> GameClient::call(std::string frame) { return Impl::call(impl_, std::move(frame)); }

asio::awaitable<bool> GameClient::reachable() { return Impl::reachable(impl_); }

const GameClientOptions& GameClient::options() const { return impl_->options; }

void GameClient::close_idle() {
  std::vector<std::unique_ptr<tcp::socket>> closing;
  {
    std::lock_guard lock(impl_->mu);
    closing.swap(impl_->idle);
  }
}

}  // namespace tzr::game
