#include "net/websocket.hpp"

#include "net/tls_client.hpp"
#include "net/websocket_beast.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace tzr::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string path;  // with query
  std::string origin;  // scheme://host:port, for messages (never the path: it may hold secrets)
  bool host_is_ip = false;
};

Result<Target> parse_target(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return Error::bad_request("not a ws:// or wss:// URL", "ws_bad_url");
  Target t;
  if (u->scheme() == "wss") t.tls = true;
  else if (u->scheme() != "ws") return Error::bad_request("not a ws:// or wss:// URL", "ws_bad_url");
  if (u->has_userinfo()) return Error::bad_request("credentials in a ws URL are refused", "ws_bad_url");
  t.host = u->host_address();
  if (t.host.empty()) return Error::bad_request("ws URL without a host", "ws_bad_url");
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  t.host_is_ip = u->host_type() == boost::urls::host_type::ipv4 || u->host_type() == boost::urls::host_type::ipv6;
  t.port = u->has_port() ? std::string(u->port()) : (t.tls ? "443" : "80");
  t.path = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) t.path += "?" + std::string(u->encoded_query());
  t.origin = std::string(u->scheme()) + "://" + t.host + ":" + t.port;
  return t;
}

Error fail(ErrorKind kind, std::string code, std::string message) { return Error::make(kind, std::move(code), std::move(message)); }

Result<std::shared_ptr<ssl::context>> make_tls_context(const WebSocketClientOptions& options) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  detail::configure_client_tls(*ctx, options.verify_peer, options.ca_file, ec);
  if (ec) return fail(ErrorKind::bad_gateway, "ws_tls_failed", "cannot load the CA certificates: " + ec.message());
  return ctx;
}

template <class Conn>
asio::awaitable<std::optional<Error>> connect_tcp(Conn& conn, const Target& t, std::chrono::milliseconds timeout) {
  auto& lowest = beast::get_lowest_layer(conn.stream());
  tcp::resolver resolver(lowest.get_executor());
  auto [rec, endpoints] = co_await resolver.async_resolve(t.host, t.port, kTuple);
  if (rec) co_return fail(ErrorKind::bad_gateway, "ws_connect_failed", "cannot resolve " + t.origin + ": " + rec.message());
  lowest.expires_after(timeout);
  auto [cec, ep] = co_await lowest.async_connect(endpoints, kTuple);
  (void)ep;
  if (cec == beast::error::timeout) co_return fail(ErrorKind::gateway_timeout, "ws_timeout", "connecting to " + t.origin + " timed out");
  if (cec) co_return fail(ErrorKind::bad_gateway, "ws_connect_failed", "cannot connect to " + t.origin + ": " + cec.message());
  co_return std::nullopt;
}

template <class Conn>
asio::awaitable<std::optional<Error>> upgrade(Conn& conn, const Target& t, const Headers& headers) {
  auto& ws = conn.stream();
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "tzrhost");
    for (const auto& [name, value] : headers.all()) req.set(name, value);
  }));
  websocket::response_type res;
  const std::string host = t.host + ":" + t.port;
  auto [ec] = co_await ws.async_handshake(res, host, t.path, kTuple);
  if (!ec) co_return std::nullopt;
  if (ec == websocket::error::upgrade_declined) {
    const auto status = res.result_int();
    const auto kind = (status == 401 || status == 403) ? ErrorKind::unauthorized : ErrorKind::bad_gateway;
    co_return fail(kind, "ws_rejected", t.origin + " refused the upgrade with HTTP " + std::to_string(status));
  }
  if (ec == beast::error::timeout) co_return fail(ErrorKind::gateway_timeout, "ws_timeout", "upgrade with " + t.origin + " timed out");
  co_return fail(ErrorKind::bad_gateway, "ws_connect_failed", "upgrade with " + t.origin + " failed: " + ec.message());
}

}  // namespace

asio::awaitable<Result<std::shared_ptr<WebSocketConnection>>> websocket_connect(asio::any_io_executor executor, std::string url,
                                                                                Headers headers, WebSocketClientOptions options) {
  auto target = parse_target(url);
  if (!target) co_return target.error();
  const Target t = *target;
  auto strand = asio::make_strand(executor);
  if (!t.tls) {
    auto conn = std::make_shared<detail::BeastWebSocket<beast::tcp_stream>>(options.socket, t.origin, strand);
    if (auto err = co_await connect_tcp(*conn, t, options.connect_timeout)) co_return *err;
    if (auto err = co_await upgrade(*conn, t, headers)) co_return *err;
    co_return std::shared_ptr<WebSocketConnection>(conn);
  }

  auto ctx = make_tls_context(options);
  if (!ctx) co_return ctx.error();
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;
  auto conn = std::make_shared<detail::BeastWebSocket<TlsStream>>(options.socket, t.origin, strand, **ctx);
  conn->keep(*ctx);
  if (auto err = co_await connect_tcp(*conn, t, options.connect_timeout)) co_return *err;
  auto& tls = conn->stream().next_layer();
  if (!t.host_is_ip && !detail::set_server_name(tls.native_handle(), t.host))
    co_return fail(ErrorKind::bad_gateway, "ws_tls_failed", "could not set the TLS server name");
  if (options.verify_peer) {
    boost::system::error_code ec;
    tls.set_verify_callback(ssl::host_name_verification(t.host), ec);
    if (ec) co_return fail(ErrorKind::bad_gateway, "ws_tls_failed", "could not set up TLS verification");
  }
  beast::get_lowest_layer(tls).expires_after(options.connect_timeout);
  auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, kTuple);
  if (hec) {
    const long verify = SSL_get_verify_result(tls.native_handle());
    if (verify != X509_V_OK)
      co_return fail(ErrorKind::bad_gateway, "ws_tls_failed",
                     "TLS certificate verification failed for " + t.origin + ": " + X509_verify_cert_error_string(verify));
    co_return fail(ErrorKind::bad_gateway, "ws_tls_failed", "TLS handshake with " + t.origin + " failed");
  }
  if (auto err = co_await upgrade(*conn, t, headers)) co_return *err;
  co_return std::shared_ptr<WebSocketConnection>(conn);
}

}  // namespace tzr::net
