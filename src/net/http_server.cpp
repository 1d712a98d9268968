#include "net/http_server.hpp"

#include "core/log.hpp"
#include "net/http_errors.hpp"
#include "net/websocket_beast.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

namespace tzr::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

Status to_request(BeastRequest&& in, HttpRequest& out) {
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  auto url = boost::urls::parse_origin_form(out.target);
  if (!url) return Error::bad_request("malformed request target", "bad_target");
  out.path = url->path();
  if (out.path.empty()) out.path = "/";
  out.query = std::string(url->encoded_query());
  for (const auto& field : in) out.headers.add(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(in.body());
  return {};
}

// Header values from handlers never reach the wire with CR/LF (response splitting).
std::string safe_header_value(std::string_view v) {
  std::string s(v);
  std::erase_if(s, [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
  return s;
}

BeastResponse to_beast(HttpResponse&& in, unsigned version, bool keep_alive, bool head) {
  BeastResponse out{static_cast<http::status>(in.status), version};
  out.set(http::field::server, "tzrhost");
  for (const auto& [name, value] : in.headers.all()) out.insert(name, safe_header_value(value));
  out.keep_alive(keep_alive);
  const bool no_body = in.status == 204 || in.status == 304 || (in.status >= 100 && in.status < 200);
  if (head) {
    if (!no_body) out.content_length(in.body.size());
  } else if (!no_body) {
    out.body() = std::move(in.body);
    out.prepare_payload();
  }
  return out;
}

// Which read errors deserve an answer before closing (the others just close).
std::optional<Error> read_error_reply(const beast::error_code& ec) {
  if (ec == http::error::body_limit)
    return Error::make(ErrorKind::payload_too_large, "payload_too_large", "request body is larger than allowed");
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
    return Error::make(ErrorKind::headers_too_large, "headers_too_large", "request headers are larger than allowed");
  if (ec.category() == http::make_error_code(http::error::bad_method).category() && ec != http::error::end_of_stream &&
      ec != http::error::partial_message)
    return Error::bad_request("malformed HTTP request", "malformed_request");
  return std::nullopt;
}

const WebSocketRoute* find_websocket_route(const HttpService& service, const BeastRequest& req) {
  if (service.websockets.empty() || !beast::websocket::is_upgrade(req)) return nullptr;
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return nullptr;
  for (const auto& route : service.websockets)
    if (url->path() == route.path) return &route;
  return nullptr;
}

struct SessionHandle {
  beast::tcp_stream* stream = nullptr;  // touched only on the session's strand
  bool busy = false;
  asio::any_io_executor executor;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  struct Listener {
    std::shared_ptr<const HttpService> service;
    tcp::acceptor acceptor;
  };

  Impl(ServerLimits l, std::size_t t, Metrics& metrics, PipelineOptions options)
      : limits(l), threads(t == 0 ? 1 : t), pipeline(metrics, options), context(std::in_place, static_cast<int>(threads)) {}

  ServerLimits limits;
  std::size_t threads;
  RequestPipeline pipeline;
  // Optional so that the destructor can destroy it first: pending handlers and coroutine frames
  // (which may hold a reference to this Impl) go with it.
  std::optional<asio::io_context> context;
  asio::io_context& ioc = *context;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::optional<asio::signal_set> signals;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> draining{false};
  std::mutex sessions_mu;
  std::list<std::shared_ptr<SessionHandle>> sessions;
  std::vector<std::function<asio::awaitable<void>()>> drain_hooks;
  std::atomic<std::size_t> hooks_running{0};

  asio::awaitable<void> accept_loop(Listener& listener) {
    for (;;) {
      auto [ec, socket] = co_await listener.acceptor.async_accept(asio::make_strand(ioc), use_tuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || draining) co_return;
        // Out of file descriptors or similar: back off instead of spinning.
        spdlog::warn("{}: accept failed: {}", listener.service->name, ec.message());
        asio::steady_timer t(ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(use_tuple);
        continue;
      }
      if (draining || connections.load() >= limits.max_connections) {
        beast::error_code ignore;
        socket.close(ignore);
        continue;
      }
      auto exec = socket.get_executor();
      asio::co_spawn(exec, session(std::move(socket), listener.service), [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("http session ended by exception: {}", ex.what());
        }
      });
    }
  }

  std::list<std::shared_ptr<SessionHandle>>::iterator track(beast::tcp_stream& stream) {
    auto h = std::make_shared<SessionHandle>();
    h->stream = &stream;
    h->executor = stream.get_executor();
    std::lock_guard lock(sessions_mu);
    sessions.push_front(std::move(h));
    return sessions.begin();
  }

  void untrack(std::list<std::shared_ptr<SessionHandle>>::iterator it) {
    (*it)->stream = nullptr;
    std::lock_guard lock(sessions_mu);
    sessions.erase(it);
  }

  // Half-closes and drains what the client still sends, so that it reads our answer
  // instead of a connection reset.
  asio::awaitable<void> linger_close(beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 8192> sink{};
    std::size_t drained = 0;
    stream.expires_after(std::chrono::milliseconds(500));
    while (drained < (1u << 20)) {
      auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
      if (rec) break;
      drained += n;
    }
    stream.socket().close(ec);
  }

  asio::awaitable<void> session(tcp::socket socket, std::shared_ptr<const HttpService> service) {
    ++connections;
    beast::tcp_stream stream(std::move(socket));
    beast::error_code ec;
    auto remote = stream.socket().remote_endpoint(ec);
    const std::string remote_ip = ec ? std::string() : remote.address().to_string();
    auto handle_it = track(stream);
    auto& handle = **handle_it;
    // Bounds what a pipelining client can queue ahead of us.
    beast::flat_buffer buffer(limits.max_header_bytes + 65536);
    bool linger = false;
    const WebSocketRoute* upgrade_route = nullptr;
    BeastRequest upgrade_request;

    for (std::size_t served = 0; served < limits.max_requests_per_connection && !draining; ++served) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
      parser.body_limit(limits.max_body_bytes);
      stream.expires_after(served == 0 ? limits.read_timeout : limits.idle_timeout);
      auto [rec, rn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
      if (!rec && !parser.is_done()) {
        stream.expires_after(limits.read_timeout);
        std::tie(rec, rn) = co_await http::async_read(stream, buffer, parser, use_tuple);
      }
      if (rec) {
        if (auto reply = read_error_reply(rec)) {
          auto res = to_beast(error_response(*reply, choose_request_id(std::nullopt)), 11, false, false);
          stream.expires_after(limits.write_timeout);
          co_await http::async_write(stream, res, use_tuple);
          linger = true;
        }
        break;
      }

      handle.busy = true;
      auto beast_req = parser.release();
      if (const WebSocketRoute* ws_route = find_websocket_route(*service, beast_req)) {
        upgrade_route = ws_route;
        upgrade_request = std::move(beast_req);
        break;
      }
      const unsigned version = beast_req.version();
      const bool head = beast_req.method() == http::verb::head;
      const bool keep = beast_req.keep_alive() && !draining && served + 1 < limits.max_requests_per_connection;

      HttpRequest req;
      req.remote_ip = remote_ip;
      HttpResponse res;
      if (auto st = to_request(std::move(beast_req), req); !st) {
        req.request_id = choose_request_id(std::nullopt);
        res = error_response(st.error(), req.request_id);
      } else {
        res = co_await pipeline.handle(*service, req);
      }
      auto out = to_beast(std::move(res), version, keep && !draining, head);
      stream.expires_after(limits.write_timeout);
      auto [wec, wn] = co_await http::async_write(stream, out, use_tuple);
      handle.busy = false;
      if (wec || !out.keep_alive()) break;
    }

    untrack(handle_it);
    if (upgrade_route) {
      co_await serve_websocket(std::move(stream), std::move(buffer), std::move(upgrade_request), *upgrade_route, remote_ip);
      --connections;
      co_return;
    }
    if (linger) {
      co_await linger_close(stream);
    } else {
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream.socket().close(ec);
    }
    --connections;
  }

  // An Upgrade on a WebSocket route: the route refuses it (an HTTP error answer) or takes the
  // connection for as long as its session coroutine runs.
  asio::awaitable<void> serve_websocket(beast::tcp_stream stream, beast::flat_buffer buffer, BeastRequest req,
                                        const WebSocketRoute& route, std::string remote_ip) {
    HttpRequest info;
    info.remote_ip = remote_ip;
    const unsigned version = req.version();
    auto copy = req;
    auto converted = to_request(std::move(copy), info);
    info.request_id = choose_request_id(info.headers.get("X-Request-Id"));
    Result<WebSocketSession> session_fn = converted ? route.accept(info) : Result<WebSocketSession>(converted.error());
    if (!session_fn || draining) {
      auto err = session_fn ? Error::unavailable("shutting_down", "the server is shutting down") : session_fn.error();
      auto out = to_beast(error_response(err, info.request_id), version, false, false);
      stream.expires_after(limits.write_timeout);
      co_await http::async_write(stream, out, use_tuple);
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream.socket().close(ec);
      co_return;
    }
    auto conn = std::make_shared<detail::BeastWebSocket<beast::tcp_stream>>(route.options, remote_ip, std::move(stream));
    // Bytes the HTTP reader buffered past the request belong to the WebSocket stream.
    if (buffer.size() > 0) {
      spdlog::debug("websocket: client sent data before the upgrade completed; closing");
      co_return;
    }
    auto [ec] = co_await conn->stream().async_accept(req, use_tuple);
    if (ec) {
      spdlog::info("websocket: upgrade from {} failed: {}", remote_ip, ec.message());
      co_return;
    }
    co_await (*session_fn)(conn);
  }

  void begin_drain() {
    if (draining.exchange(true)) return;
    beast::error_code ec;
    for (auto& l : listeners) l->acceptor.close(ec);
    if (signals) signals->cancel(ec);
    {
      std::lock_guard lock(sessions_mu);
      for (auto& h : sessions)
        asio::post(h->executor, [h] {
          if (h->stream && !h->busy) h->stream->cancel();
        });
    }
    for (auto& hook : drain_hooks) {
      ++hooks_running;
      asio::co_spawn(ioc, hook(), [self = shared_from_this()](std::exception_ptr) { --self->hooks_running; });
    }
    asio::co_spawn(ioc, wait_for_drain(), asio::detached);
  }

  asio::awaitable<void> wait_for_drain() {
    const auto deadline = std::chrono::steady_clock::now() + limits.shutdown_grace;
    asio::steady_timer timer(ioc);
    while ((connections.load() > 0 || hooks_running.load() > 0) && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(use_tuple);
    }
    if (connections.load() > 0) spdlog::warn("shutdown: {} connections still open after the grace period", connections.load());
    ioc.stop();
  }
};

HttpServer::HttpServer(ServerLimits limits, std::size_t threads, Metrics& metrics, PipelineOptions options)
    : impl_(std::make_shared<Impl>(limits, threads, metrics, options)) {}

HttpServer::~HttpServer() {
  impl_->ioc.stop();
  impl_->signals.reset();
  impl_->listeners.clear();
  impl_->context.reset();
}

Result<BoundService> HttpServer::add(std::shared_ptr<const HttpService> service) {
  beast::error_code ec;
  auto address = asio::ip::make_address(service->bind, ec);
  if (ec) return Error::bad_request(service->name + ": bad bind address '" + service->bind + "'", "config_error");
  tcp::endpoint endpoint(address, service->port);
  tcp::acceptor acceptor(impl_->ioc);
  auto fail = [&](std::string_view what) {
    return Error::unavailable("listen_failed", service->name + ": cannot " + std::string(what) + " " + service->bind +
                                                   ":" + std::to_string(service->port) + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("configure");
  acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  auto bound = acceptor.local_endpoint(ec);
  BoundService info{service->name, bound.address().to_string(), bound.port()};
  impl_->listeners.push_back(std::make_unique<Impl::Listener>(Impl::Listener{std::move(service), std::move(acceptor)}));
  return info;
}

void HttpServer::run(bool stop_on_signals) {
  auto impl = impl_;
  if (stop_on_signals) {
    impl->signals.emplace(impl->ioc, SIGINT, SIGTERM);
    impl->signals->async_wait([impl](const beast::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("signal {}: shutting down (grace {} ms)", sig, impl->limits.shutdown_grace.count());
      impl->begin_drain();
    });
  }
  for (auto& l : impl->listeners) asio::co_spawn(impl->ioc, impl->accept_loop(*l), asio::detached);
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < impl->threads; ++i) pool.emplace_back([impl] { impl->ioc.run(); });
  impl->ioc.run();
  for (auto& t : pool) t.join();
}

void HttpServer::stop() {
  auto impl = impl_;
  asio::post(impl->ioc, [impl] { impl->begin_drain(); });
}

void HttpServer::on_drain(std::function<boost::asio::awaitable<void>()> hook) { impl_->drain_hooks.push_back(std::move(hook)); }

boost::asio::io_context& HttpServer::context() { return impl_->ioc; }

Result<HttpRequest> parse_http_request(std::string_view raw, const ServerLimits& limits) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  beast::error_code ec;
  std::size_t used = 0;
  while (!ec && used < raw.size() && !parser.is_done()) {
    auto n = parser.put(asio::buffer(raw.data() + used, raw.size() - used), ec);
    if (n == 0 && !ec) break;
    used += n;
  }
  if (ec == http::error::need_more) ec = {};
  // put_eof on a parser that saw nothing is a precondition violation in Beast.
  if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
  if (ec || !parser.is_done()) {
    if (auto reply = read_error_reply(ec)) return *reply;
    return Error::bad_request("incomplete HTTP request", "malformed_request");
  }
  HttpRequest req;
  if (auto st = to_request(parser.release(), req); !st) return st.error();
  return req;
}

}  // namespace tzr::net
