#include "support/tiny_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <thread>

namespace tzr::test {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}
}  // namespace

std::string TinyRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return "";
}

// Everything runs on one thread (the io_context's), so only the counters are shared.
struct TinyHttpServer::State {
  State(Handler h, TinyHttpServerOptions o) : handler(std::move(h)), options(o) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kTuple);
      if (ec) co_return;
      ++connections;
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::flat_buffer buffer;
    std::size_t answered = 0;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(socket, buffer, req, kTuple);
      (void)n;
      if (ec) co_return;
      ++requests;
      if (answered >= options.answers_per_connection) {
        if (options.hang_instead_of_close) {
          // Wait until the client closes its end; anything it sends is ignored.
          std::array<char, 512> sink{};
          for (;;) {
            auto [rec, got] = co_await socket.async_read_some(asio::buffer(sink), kTuple);
            (void)got;
            if (rec) break;
          }
        }
        co_return;  // the socket closes unanswered
      }
      http::response<http::string_body> res{http::status::ok, req.version()};
      try {
        TinyReply reply = handler(to_tiny(req));
        res.result(static_cast<unsigned>(reply.status));
        for (auto& [k, v] : reply.headers) res.insert(k, v);
        res.body() = std::move(reply.body);
      } catch (const std::exception& e) {
        res.result(http::status::internal_server_error);
        res.body() = e.what();
      }
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(socket, res, kTuple);
      (void)wn;
      ++answered;
      if (wec || options.close_after_answer || !res.keep_alive()) {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
      }
    }
  }

  static TinyRequest to_tiny(const http::request<http::string_body>& req) {
    TinyRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    for (const auto& f : req) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = req.body();
    return out;
  }

  Handler handler;
  TinyHttpServerOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::uint16_t bound_port = acceptor.local_endpoint().port();
  std::atomic<int> connections{0};
  std::atomic<int> requests{0};
  std::thread thread;
};

TinyHttpServer::TinyHttpServer(Handler handler, TinyHttpServerOptions options)
    : state_(std::make_unique<State>(std::move(handler), options)) {
  asio::co_spawn(state_->ioc, state_->accept_loop(), asio::detached);
  state_->thread = std::thread([s = state_.get()] { s->ioc.run(); });
}

TinyHttpServer::~TinyHttpServer() {
  // Stopping the io_context and destroying it destroys the suspended sessions, which closes
  // their sockets: no session outlives the server.
  state_->ioc.stop();
  state_->thread.join();
}

std::uint16_t TinyHttpServer::port() const { return state_->bound_port; }

std::string TinyHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

int TinyHttpServer::connections() const { return state_->connections.load(); }
int TinyHttpServer::requests() const { return state_->requests.load(); }

}  // namespace tzr::test
