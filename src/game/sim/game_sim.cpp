#include "game/sim/game_sim.hpp"

#include "game/sim/shop_control.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

// GCC 12 miscompiles `co_return co_await …` and `co_await` inside compound expressions, so every
// co_await here stands alone in a declaration or statement.

namespace tzr::game::sim {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kDefaultSplitPause{20};

asio::awaitable<bool> write_bytes(tcp::socket& socket, const std::string& bytes) {
  auto r = co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
  co_return !std::get<0>(r);
}

asio::awaitable<void> pause_for(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) co_return;
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, delay);
  auto r = co_await timer.async_wait(use_tuple);
  (void)r;
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n\x1F") == std::string_view::npos;
}

// Sends the replies of one message the way the fault mode wants; false when the connection
// must end.
asio::awaitable<bool> deliver(tcp::socket& socket, const Outcome& outcome) {
  std::string bytes;
  switch (outcome.fault.mode) {
    case FaultMode::drop: {
      error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      co_return false;
    }
    case FaultMode::silent:
      co_return true;
    case FaultMode::garbage: {
      bytes = "\x01\x02not xml";
      bytes += '\0';
      bool ok = co_await write_bytes(socket, bytes);
      co_return ok;
    }
    case FaultMode::no_nul: {
      bytes = "<OK/>";
      bool ok = co_await write_bytes(socket, bytes);
      co_return ok;
    }
    case FaultMode::split: {
      const auto pause = outcome.fault.delay.count() > 0 ? outcome.fault.delay : kDefaultSplitPause;
      for (const auto& reply : outcome.replies) {
        std::string whole = reply + '\0';
        const auto cut = std::min(outcome.split_at, whole.size() - 1);
        std::string first = whole.substr(0, cut);
        std::string rest = whole.substr(cut);
        bool ok = co_await write_bytes(socket, first);
        if (!ok) co_return false;
        co_await pause_for(pause);
        ok = co_await write_bytes(socket, rest);
        if (!ok) co_return false;
      }
      co_return true;
    }
    case FaultMode::slow:
      co_await pause_for(outcome.fault.delay);
      break;
    case FaultMode::ok:
    case FaultMode::err:
      break;
  }
  for (const auto& reply : outcome.replies) {
    bytes += reply;
    bytes += '\0';
  }
  if (bytes.empty()) co_return true;
  bool ok = co_await write_bytes(socket, bytes);
  co_return ok;
}

}  // namespace

struct GameSim::Impl {
  explicit Impl(SimOptions opts)
      : options(std::move(opts)), state(options.seed, options.fault, with_shop_bots(options.bot_logins)) {}

  SimOptions options;
  SimState state;
  std::shared_ptr<SimShops> shops = [this] {
    SimShopOptions o;
    o.seed = options.seed;
    return std::make_shared<SimShops>(o);
  }();
  std::uint16_t bound_port = 0;
  std::atomic<std::uint64_t> next_connection{1};
  std::mutex sockets_mu;
  std::set<tcp::socket*> open_sockets;  // for stop(): the sockets live in coroutine frames
  // Declared after the state so that it is destroyed first: the coroutine frames it still holds
  // refer to the state.
  asio::io_context ioc{1};
  std::optional<tcp::acceptor> acceptor;
  std::thread thread;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto r = co_await acceptor->async_accept(use_tuple);
      auto& [ec, socket] = r;
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      if (ec) {
        // Out of descriptors and the like: wait a little instead of spinning.
        co_await pause_for(std::chrono::milliseconds(50));
        continue;
      }
      asio::co_spawn(ioc, serve(std::move(socket)), asio::detached);
    }
  }

  // Keeps open_sockets in step with the connections' lifetimes.
  struct Tracked {
    Impl& impl;
    tcp::socket* socket;
    Tracked(Impl& i, tcp::socket* s) : impl(i), socket(s) {
      std::lock_guard lock(impl.sockets_mu);
      impl.open_sockets.insert(socket);
    }
    ~Tracked() {
      std::lock_guard lock(impl.sockets_mu);
      impl.open_sockets.erase(socket);
    }
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
  };

  asio::awaitable<void> serve(tcp::socket socket) {
    Tracked tracked(*this, &socket);
    SimSession session;
    session.id = next_connection.fetch_add(1);
    session.fault = state.take_next_connection_fault();
    struct Ended {
      SimState& state;
      SimSession& session;
      ~Ended() { state.connection_closed(session); }
    } ended{state, session};
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (!options.greeting.empty()) {
      std::string greeting = options.greeting + '\0';
      bool ok = co_await write_bytes(socket, greeting);
      if (!ok) co_return;
    }
    std::string buffer;
    std::array<char, 4096> chunk{};
    for (;;) {
      auto r = co_await socket.async_read_some(asio::buffer(chunk), use_tuple);
      const auto [ec, n] = r;
      if (ec) co_return;
      buffer.append(chunk.data(), n);
      for (auto nul = buffer.find('\0'); nul != std::string::npos; nul = buffer.find('\0')) {
        std::string text = buffer.substr(0, nul);
        buffer.erase(0, nul + 1);
        if (blank(text)) continue;  // filler between messages
        Outcome outcome = state.receive(session, text);
        bool keep = co_await deliver(socket, outcome);
        if (!keep) co_return;
      }
      if (buffer.size() > options.max_message_bytes) co_return;
    }
  }
};

GameSim::GameSim(SimOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  add_standard_handlers(impl_->state);
  install_shop_handlers(impl_->state, impl_->shops);
}

GameSim::~GameSim() { stop(); }

Result<std::uint16_t> GameSim::start() {
  auto& impl = *impl_;
  if (impl.acceptor) return Error::internal("game-sim: already started");
  error_code ec;
  auto address = asio::ip::make_address(impl.options.bind, ec);
  if (ec) return Error::bad_request("game-sim: bad bind address '" + impl.options.bind + "'", "config_error");
  const tcp::endpoint endpoint(address, impl.options.port);
  const auto where = impl.options.bind + ":" + std::to_string(impl.options.port);
  impl.acceptor.emplace(impl.ioc);
  impl.acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl.acceptor->bind(endpoint, ec);
  if (!ec) impl.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl.acceptor.reset();
    return Error::unavailable("listen_failed", "game-sim: cannot listen on " + where + ": " + ec.message());
  }
  impl.bound_port = impl.acceptor->local_endpoint().port();
  asio::co_spawn(impl.ioc, impl.accept_loop(), asio::detached);
  impl.thread = std::thread([&impl] { impl.ioc.run(); });
  return impl.bound_port;
}

void GameSim::stop() {
  auto& impl = *impl_;
  if (!impl.thread.joinable()) return;
  // Stopping the context abandons every connection's coroutine (a slow reply may be waiting on a
  // timer); with the thread gone, closing the sockets here races with nothing. The frames
  // themselves go with the context.
  impl.ioc.stop();
  impl.thread.join();
  error_code ignored;
  if (impl.acceptor) impl.acceptor->close(ignored);
  std::lock_guard lock(impl.sockets_mu);
  for (auto* socket : impl.open_sockets) socket->close(ignored);
}

const std::string& GameSim::address() const { return impl_->options.bind; }
std::uint16_t GameSim::port() const { return impl_->bound_port; }
SimState& GameSim::state() { return impl_->state; }
SimShops& GameSim::shops() { return *impl_->shops; }

}  // namespace tzr::game::sim
