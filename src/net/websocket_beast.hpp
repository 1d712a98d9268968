#pragma once
// Private to net/: the Beast implementation of WebSocketConnection, shared by the server
// (http_server.cpp) and the client (websocket.cpp). Includes Beast: keep it out of other headers.
#include "net/websocket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <string>

namespace tzr::net::detail {

template <class NextLayer>
class BeastWebSocket final : public WebSocketConnection, public std::enable_shared_from_this<BeastWebSocket<NextLayer>> {
 public:
  using Stream = boost::beast::websocket::stream<NextLayer>;

  template <class... Args>
  BeastWebSocket(WebSocketOptions options, std::string remote, Args&&... next_layer_args)
      : ws_(std::forward<Args>(next_layer_args)...), options_(options), remote_(std::move(remote)) {
    namespace websocket = boost::beast::websocket;
    boost::beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts take over
    websocket::stream_base::timeout t{};
    t.handshake_timeout = options.handshake_timeout;
    t.idle_timeout = options.idle_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(options.max_message_bytes);
    ws_.auto_fragment(false);
  }

  Stream& stream() { return ws_; }
  // Something the stream needs alive (the TLS context), released after the stream.
  void keep(std::shared_ptr<void> owned) { owned_ = std::move(owned); }

  boost::asio::awaitable<Result<std::string>> read() override {
    boost::beast::flat_buffer buffer;
    auto [ec, n] = co_await ws_.async_read(buffer, boost::asio::as_tuple(boost::asio::use_awaitable));
    (void)n;
    if (ec) co_return read_error(ec);
    co_return boost::beast::buffers_to_string(buffer.data());
  }

  boost::asio::awaitable<Status> send(std::string text) override {
    // A named task, not a temporary in the co_await expression: GCC 12 destroys such temporaries
    // twice when they own memory.
    auto task = [self = this->shared_from_this(), t = std::move(text)]() mutable -> boost::asio::awaitable<Status> {
      Status s = co_await self->write_in_turn(std::move(t));
      co_return s;
    };
    Status st = co_await boost::asio::co_spawn(ws_.get_executor(), std::move(task), boost::asio::use_awaitable);
    co_return st;
  }

  boost::asio::awaitable<void> close(std::uint16_t code, std::string reason) override {
    auto task = [self = this->shared_from_this(), code, r = std::move(reason)]() mutable -> boost::asio::awaitable<void> {
      if (!self->ws_.is_open() || self->closing_) co_return;
      self->closing_ = true;
      boost::beast::websocket::close_reason why(static_cast<boost::beast::websocket::close_code>(code), r);
      co_await self->ws_.async_close(why, boost::asio::as_tuple(boost::asio::use_awaitable));
    };
    co_await boost::asio::co_spawn(ws_.get_executor(), std::move(task), boost::asio::use_awaitable);
  }

  std::uint16_t peer_close_code() const override { return peer_code_.load(); }
  std::string remote_address() const override { return remote_; }

 private:
  Error read_error(const boost::beast::error_code& ec) {
    namespace websocket = boost::beast::websocket;
    if (ec == websocket::error::closed) {
      peer_code_ = static_cast<std::uint16_t>(ws_.reason().code);
      return Error::make(ErrorKind::unavailable, "ws_closed",
                         "closed by peer (" + std::to_string(ws_.reason().code) + (ws_.reason().reason.empty() ? "" : " ") +
                             std::string(ws_.reason().reason.c_str()) + ")");
    }
    if (ec == websocket::error::message_too_big)
      return Error::make(ErrorKind::payload_too_large, "ws_too_large", "message larger than allowed");
    if (closing_) return Error::make(ErrorKind::unavailable, "ws_closed", "closed");
    return Error::make(ErrorKind::unavailable, "ws_failed", ec.message());
  }

  // Runs on the stream's strand. Beast allows one write in flight: later writers queue here.
  boost::asio::awaitable<Status> write_in_turn(std::string text) {
    while (writing_) {
      auto waiter = std::make_shared<boost::asio::steady_timer>(ws_.get_executor(), boost::asio::steady_timer::time_point::max());
      waiters_.push_back(waiter);
      co_await waiter->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    if (!ws_.is_open() || closing_) {
      wake_next();
      co_return Error::make(ErrorKind::unavailable, "ws_closed", "connection closed");
    }
    writing_ = true;
    ws_.text(true);
    auto [ec, n] = co_await ws_.async_write(boost::asio::buffer(text), boost::asio::as_tuple(boost::asio::use_awaitable));
    (void)n;
    writing_ = false;
    wake_next();
    if (ec) co_return Error::make(ErrorKind::unavailable, "ws_failed", ec.message());
    co_return Status{};
  }

  void wake_next() {
    if (waiters_.empty()) return;
    waiters_.front()->cancel();
    waiters_.pop_front();
  }

  std::shared_ptr<void> owned_;  // declared before ws_: destroyed after it
  Stream ws_;
  WebSocketOptions options_;
  std::string remote_;
  bool writing_ = false;
  bool closing_ = false;
  std::atomic<std::uint16_t> peer_code_{0};
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

}  // namespace tzr::net::detail
