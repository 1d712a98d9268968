#include "battles/game_session.hpp"

#include "game/protocol.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace tzr::battles {
namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

GameSession::GameSession(asio::any_io_executor executor, GameSessionOptions options)
    : options_(std::move(options)), socket_(executor), timer_(executor) {}

void GameSession::close() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  buffer_.clear();
}

asio::awaitable<Status> GameSession::send(std::string frame) {
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(frame), asio::as_tuple(asio::use_awaitable));
  if (ec) {
    close();
    co_return Error::make(ErrorKind::bad_gateway, "game_no_response", "the game server closed the connection");
  }
  co_return Status{};
}

asio::awaitable<Result<std::string>> GameSession::read_message(Clock::time_point deadline) {
  timer_.expires_at(deadline);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
  });
  auto [ec, n] = co_await asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, options_.max_log_bytes + 1), '\0',
                                                 asio::as_tuple(asio::use_awaitable));
  timer_.cancel();
  if (ec) {
    const bool timed_out = ec == asio::error::operation_aborted;
    const bool too_big = ec == asio::error::not_found;
    close();
    if (too_big) co_return Error::make(ErrorKind::bad_gateway, "game_protocol_error", "a game message beyond the size limit");
    if (timed_out) co_return Error::make(ErrorKind::gateway_timeout, "game_timeout", "no complete reply by the deadline");
    co_return Error::make(ErrorKind::bad_gateway, "game_no_response", "the game server closed the connection");
  }
  std::string message = buffer_.substr(0, n - 1);
  buffer_.erase(0, n);
  co_return message;
}

asio::awaitable<Status> GameSession::open() {
  close();
  tcp::resolver resolver(socket_.get_executor());
  auto [rec, endpoints] = co_await resolver.async_resolve(options_.host, std::to_string(options_.port), asio::as_tuple(asio::use_awaitable));
  if (rec) co_return Error::make(ErrorKind::bad_gateway, "game_unreachable", "cannot resolve the game server");
  timer_.expires_after(options_.connect_timeout);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      boost::system::error_code ignored;
      socket_.close(ignored);
    }
  });
  auto [cec, ep] = co_await asio::async_connect(socket_, endpoints, asio::as_tuple(asio::use_awaitable));
  timer_.cancel();
  if (cec) {
    close();
    co_return Error::make(ErrorKind::bad_gateway, "game_unreachable", "cannot connect to the game server");
  }
  boost::system::error_code ignored;
  socket_.set_option(asio::socket_base::keep_alive(true), ignored);
  const auto deadline = Clock::now() + options_.login_timeout;
  if (options_.expect_greeting) {
    auto greeting = co_await read_message(deadline);
    if (!greeting) co_return greeting.error();
  }
  auto login = game::escape_attribute(options_.login);
  auto key = game::escape_attribute(options_.key);
  if (!login || !key) co_return Error::bad_request("the sync account's login or key cannot be sent", "config_error");
  auto st = co_await send("<LOGIN v3=\"10.20.30.40\" lang=\"ru\" v2=\"4875537\" v=\"108\" p=\"" + *key + "\" l=\"" + *login + "\" />" +
                          std::string(1, '\0'));
  if (!st) co_return st;
  auto reply = co_await read_message(deadline);
  if (!reply) co_return reply.error();
  if (reply->find("<ERR") != std::string::npos) {
    close();
    co_return Error::make(ErrorKind::forbidden, "game_login_refused", "the game server refused the sync account");
  }
  co_return Status{};
}

asio::awaitable<Status> GameSession::keep_alive() {
  auto st = co_await send(std::string("<N />") + '\0');
  co_return st;
}

asio::awaitable<FetchResult> GameSession::fetch(std::int64_t battle_id) {
  FetchResult out;
  // Only the POST: an answer to a trailing GETMYBATTLE would arrive after </BLOOK> and be read
  // as the answer to the next request (the reference's in-process client does the same).
  auto st = co_await send("<POST t=\"//blook " + std::to_string(battle_id) + "\" />" + std::string(1, '\0'));
  if (!st) {
    out.error = st.error().code;
    co_return out;
  }
  const auto deadline = Clock::now() + options_.request_timeout;
  std::string text;
  while (true) {
    auto message = co_await read_message(deadline);
    if (!message) {
      out.error = message.error().code;
      co_return out;
    }
    const bool started = text.find("<BLOOK") != std::string::npos || message->find("<BLOOK") != std::string::npos;
    if (!started && (message->rfind("<ERROR", 0) == 0 || message->rfind("<ERR ", 0) == 0 || message->rfind("<ERR/", 0) == 0)) {
      out.kind = FetchKind::not_found;
      out.error = "not_found";
      co_return out;
    }
    if (!started) {
      // Anything that is not XML before the log starts is a broken reply.
      if (message->empty() || message->front() != '<') {
        close();
        out.error = "game_protocol_error";
        co_return out;
      }
      continue;  // other traffic (a GETME answer, a chat line)
    }
    text += *message;
    if (text.size() > options_.max_log_bytes) {
      close();
      out.error = "too_large";
      co_return out;
    }
    const auto end = text.find("</BLOOK>");
    if (end != std::string::npos) {
      const auto begin = text.find("<BLOOK");
      out.kind = FetchKind::log;
      out.bytes = text.substr(begin, end + 8 - begin);
      co_return out;
    }
  }
}

}  // namespace tzr::battles
