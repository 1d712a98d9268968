#include "net/http_client.hpp"

#include "net/tls_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <deque>
#include <exception>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tzr::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Message = http::request<http::string_body>;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 64 * 1024;

// Where a request goes. `origin` is the only part of a URL that errors may show.
struct Target {
  bool tls = false;
  std::string host;         // lower case, IPv6 without brackets: for resolve, SNI, cert check
  std::string port;         // decimal
  std::string host_header;  // host[:port] as it goes on the wire
  std::string path;         // origin-form request target (path and query), never empty
  std::string origin;       // scheme://host:port
  bool host_is_ip = false;
};

Error fail(ErrorKind kind, std::string code, std::string message) {
  return Error::make(kind, std::move(code), std::move(message));
}

Error bad_url(std::string message = "the URL is not an absolute http:// or https:// URL") {
  return fail(ErrorKind::bad_request, "http_bad_url", std::move(message));
}

bool valid_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  if (!std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const int n = std::stoi(std::string(p));
  return n >= 1 && n <= 65535;
}

Result<Target> parse_target(std::string_view url) {
  namespace urls = boost::urls;
  auto parsed = urls::parse_uri(url);
  if (!parsed) return bad_url();
  const urls::url_view& u = *parsed;
  Target t;
  if (u.scheme_id() == urls::scheme::https) {
    t.tls = true;
  } else if (u.scheme_id() != urls::scheme::http) {
    return bad_url();
  }
  // Credentials in a URL would be sent nowhere and might end up in logs: refuse them.
  if (u.has_userinfo()) return bad_url("credentials in URLs are not supported");
  const auto type = u.host_type();
  if (type != urls::host_type::name && type != urls::host_type::ipv4 && type != urls::host_type::ipv6) {
    return bad_url();
  }
  t.host = u.host_address();
  std::transform(t.host.begin(), t.host.end(), t.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // A decoded reg-name could smuggle anything into the resolver or SNI; allow DNS characters only.
  const bool dns_chars = std::all_of(t.host.begin(), t.host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_';
  });
  if (t.host.empty() || (type == urls::host_type::name && !dns_chars)) return bad_url();
  t.host_is_ip = type != urls::host_type::name;

  const std::string default_port = t.tls ? "443" : "80";
  t.port = u.port().empty() ? default_port : std::string(u.port());
  if (!valid_port(t.port)) return bad_url();
  t.port = std::to_string(std::stoi(t.port));  // "0080" -> "80"

  const std::string wire_host = type == urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  t.host_header = t.port == default_port ? wire_host : wire_host + ":" + t.port;
  t.origin = std::string(t.tls ? "https" : "http") + "://" + wire_host + ":" + t.port;
  t.path = u.encoded_target();
  if (t.path.empty() || t.path.front() != '/') t.path.insert(0, "/");
  return t;
}

bool is_token(std::string_view s) {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) {
    return std::isalnum(c) || extra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// CR, LF or NUL in a value would let a caller-supplied string inject headers or requests.
bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Result<Message> build_message(const HttpClientOptions& options, HttpClientRequest& req, const Target& t) {
  if (!is_token(req.method)) {
    return fail(ErrorKind::bad_request, "http_bad_request", "the request method is not a valid HTTP token");
  }
  Message msg;
  msg.method_string(req.method);
  msg.target(t.path);
  msg.version(11);
  msg.set(http::field::host, t.host_header);
  bool has_user_agent = false;
  for (const auto& [name, value] : req.headers.all()) {
    if (!is_token(name) || !is_field_value(value)) {
      return fail(ErrorKind::bad_request, "http_bad_request", "a request header has an invalid name or value");
    }
    const auto field = http::string_to_field(name);
    // Framing headers are computed from the body; a caller's copy could desynchronise the stream.
    if (field == http::field::host || field == http::field::content_length ||
        field == http::field::transfer_encoding) {
      continue;
    }
    has_user_agent = has_user_agent || field == http::field::user_agent;
    msg.insert(name, value);
  }
  if (!has_user_agent && !options.user_agent.empty()) msg.set(http::field::user_agent, options.user_agent);
  msg.body() = std::move(req.body);
  msg.prepare_payload();
  return msg;
}

HttpResponse to_response(http::response<http::string_body>&& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers.add(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  return out;
}

// The peer closed or reset the connection: on a reused connection, the usual sign that the
// server dropped it while it sat idle in our pool.
bool is_peer_closed(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

Error timeout_error(const Target& t, std::string_view during) {
  return fail(ErrorKind::gateway_timeout, "http_timeout",
              "request to " + t.origin + " timed out while " + std::string(during));
}

// One pooled connection: plain or TLS, with the read buffer that belongs to its byte stream.
struct Connection {
  Connection(const asio::any_io_executor& strand, ssl::context* tls_context) {
    if (tls_context != nullptr) {
      tls.emplace(strand, *tls_context);
    } else {
      plain.emplace(strand);
    }
  }
  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  asio::any_io_executor executor() { return tcp().get_executor(); }

  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool reused = false;  // served a request before: a close before the response may be retried
};

// A cheap check before reusing an idle connection: a server that closed it shows EOF (or an
// error) without blocking. This spares most retries; the retry path still covers the race.
bool looks_alive(Connection& c) {
  char byte = 0;
  const ssize_t n = ::recv(c.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  // Unsolicited bytes: in plain HTTP the stream is out of sync; in TLS 1.3 it may be a session
  // ticket, which the next read consumes harmlessly.
  return c.tls.has_value();
}

struct Attempt {
  Result<HttpResponse> result = Error::internal();
  bool stale = false;     // reused connection closed before any response byte: retry once
  bool reusable = false;  // the connection may go back to the pool
};

template <class Stream>
asio::awaitable<Attempt> exchange(Stream& stream, Connection& conn, const Message& msg, const Target& t,
                                  Clock::time_point deadline, std::size_t body_limit) {
  Attempt out;
  conn.tcp().expires_at(deadline);
  auto [write_ec, written] = co_await http::async_write(stream, msg, kTuple);
  (void)written;
  if (write_ec) {
    out.stale = conn.reused && is_peer_closed(write_ec);
    out.result = write_ec == beast::error::timeout
                     ? timeout_error(t, "sending the request")
                     : fail(ErrorKind::bad_gateway, "http_protocol_error",
                            "connection to " + t.origin + " lost while sending the request");
    co_return out;
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  parser.header_limit(kHeaderLimit);
  if (msg.method() == http::verb::head) parser.skip(true);
  conn.tcp().expires_at(deadline);
  auto [read_ec, read] = co_await http::async_read(stream, conn.buffer, parser, kTuple);
  (void)read;
  if (read_ec) {
    out.stale = conn.reused && !parser.got_some() && conn.buffer.size() == 0 && is_peer_closed(read_ec);
    if (read_ec == beast::error::timeout) {
      out.result = timeout_error(t, "waiting for the response");
    } else if (read_ec == http::error::body_limit || read_ec == http::error::header_limit) {
      out.result = fail(ErrorKind::bad_gateway, "http_response_too_large",
                        "response from " + t.origin + " exceeds the size limit");
    } else {
      out.result = fail(ErrorKind::bad_gateway, "http_protocol_error",
                        "invalid or incomplete response from " + t.origin + " (" + read_ec.message() + ")");
    }
    co_return out;
  }
  conn.tcp().expires_never();
  // Leftover bytes after a complete response mean the server is ahead of us: do not reuse.
  out.reusable = parser.get().keep_alive() && !parser.need_eof() && conn.buffer.size() == 0;
  out.result = to_response(parser.release());
  co_return out;
}

asio::awaitable<Attempt> exchange_on(Connection& conn, const Message& msg, const Target& t,
                                     Clock::time_point deadline, std::size_t body_limit) {
  // Separate statements: GCC 12 mishandles `co_return co_await` (see docs/decisions.md).
  if (conn.tls) {
    auto out = co_await exchange(*conn.tls, conn, msg, t, deadline, body_limit);
    co_return out;
  }
  auto out = co_await exchange(*conn.plain, conn, msg, t, deadline, body_limit);
  co_return out;
}

// Wraps Asio's RFC 6125 check so that a name mismatch is reported as such by OpenSSL's verify
// result (otherwise it shows as an unspecified verification error).
struct HostNameCheck {
  ssl::host_name_verification check;
  bool is_ip;
  bool operator()(bool preverified, ssl::verify_context& ctx) {
    const bool ok = check(preverified, ctx);
    if (preverified && !ok) {
      X509_STORE_CTX_set_error(ctx.native_handle(),
                               is_ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
    }
    return ok;
  }
};

}  // namespace

struct HttpClient::Impl {
  struct Idle {
    std::unique_ptr<Connection> conn;
    Clock::time_point since;
  };

  Impl(asio::any_io_executor ex, HttpClientOptions opts)
      : executor(std::move(ex)), options(std::move(opts)), tls_context(ssl::context::tls_client) {
    boost::system::error_code ec;
    detail::configure_client_tls(tls_context, options.verify_peer, options.ca_file, ec);
    // The constructor cannot return a Result: keep the failure and report it on each https request.
    if (ec) {
      tls_setup_error = fail(ErrorKind::bad_gateway, "http_tls_failed",
                             "the TLS trust store could not be loaded (check the CA file)");
    }
  }

  // Newest first: the most recently used connection is the least likely to have been closed.
  std::unique_ptr<Connection> take_idle(const std::string& key) {
    while (true) {
      std::vector<std::unique_ptr<Connection>> dropped;  // closed after the lock is released
      std::unique_ptr<Connection> conn;
      {
        std::lock_guard lock(mutex);
        auto it = idle.find(key);
        if (it == idle.end()) return nullptr;
        auto& queue = it->second;
        const auto now = Clock::now();
        if (!queue.empty() && now - queue.back().since < options.idle_ttl) {
          conn = std::move(queue.back().conn);
          queue.pop_back();
        } else {
          // The newest has expired, so every older one has too.
          for (auto& entry : queue) dropped.push_back(std::move(entry.conn));
          queue.clear();
        }
        if (queue.empty()) idle.erase(it);
      }
      if (!conn) return nullptr;
      if (looks_alive(*conn)) return conn;
    }
  }

  void put_idle(const std::string& key, std::unique_ptr<Connection> conn) {
    if (options.max_idle_per_host == 0 || options.idle_ttl <= std::chrono::seconds::zero()) return;
    conn->reused = true;
    std::vector<std::unique_ptr<Connection>> dropped;  // closed after the lock is released
    std::lock_guard lock(mutex);
    const auto now = Clock::now();
    // Sweep expired connections of every host, so that hosts we stopped calling hold no sockets.
    for (auto it = idle.begin(); it != idle.end();) {
      auto& queue = it->second;
      while (!queue.empty() && now - queue.front().since >= options.idle_ttl) {
        dropped.push_back(std::move(queue.front().conn));
        queue.pop_front();
      }
      it = queue.empty() ? idle.erase(it) : std::next(it);
    }
    auto& queue = idle[key];
    if (queue.size() >= options.max_idle_per_host) {
      dropped.push_back(std::move(queue.front().conn));
      queue.pop_front();
    }
    queue.push_back(Idle{std::move(conn), now});
  }

  asio::awaitable<Attempt> open_and_exchange(Connection& conn, const Target& t, const Message& msg,
                                             Clock::time_point deadline) {
    const auto connect_deadline = std::min(deadline, Clock::now() + options.connect_timeout);
    Attempt out;
    tcp::resolver resolver(co_await asio::this_coro::executor);
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(t.host, t.port, tcp::resolver::numeric_service, kTuple);
    // The system resolver cannot be interrupted; its answer only counts if it came in time.
    if (!resolve_ec && Clock::now() >= connect_deadline) {
      out.result = timeout_error(t, "resolving the host name");
      co_return out;
    }
    if (resolve_ec) {
      out.result = fail(ErrorKind::bad_gateway, "http_connect_failed",
                        "could not resolve " + t.origin + " (" + resolve_ec.message() + ")");
      co_return out;
    }
    conn.tcp().expires_at(connect_deadline);
    auto [connect_ec, endpoint] = co_await conn.tcp().async_connect(endpoints, kTuple);
    (void)endpoint;
    if (connect_ec) {
      out.result = connect_ec == beast::error::timeout
                       ? timeout_error(t, "connecting")
                       : fail(ErrorKind::bad_gateway, "http_connect_failed",
                              "could not connect to " + t.origin + " (" + connect_ec.message() + ")");
      co_return out;
    }
    if (conn.tls) {
      if (auto err = co_await handshake(*conn.tls, conn, t, connect_deadline)) {
        out.result = std::move(*err);
        co_return out;
      }
    }
    auto exchanged = co_await exchange_on(conn, msg, t, deadline, options.max_response_bytes);
    co_return exchanged;
  }

  asio::awaitable<std::optional<Error>> handshake(beast::ssl_stream<beast::tcp_stream>& stream, Connection& conn,
                                                  const Target& t, Clock::time_point connect_deadline) {
    // SNI carries host names only (RFC 6066 forbids IP literals).
    if (!t.host_is_ip && !detail::set_server_name(stream.native_handle(), t.host)) {
      co_return fail(ErrorKind::bad_gateway, "http_tls_failed", "could not set the TLS server name");
    }
    if (options.verify_peer) {
      boost::system::error_code ec;
      stream.set_verify_callback(HostNameCheck{ssl::host_name_verification(t.host), t.host_is_ip}, ec);
      if (ec) co_return fail(ErrorKind::bad_gateway, "http_tls_failed", "could not set up TLS verification");
    }
    conn.tcp().expires_at(connect_deadline);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, kTuple);
    if (!ec) co_return std::nullopt;
    if (ec == beast::error::timeout) co_return timeout_error(t, "in the TLS handshake");
    const long verify = SSL_get_verify_result(stream.native_handle());
    if (verify != X509_V_OK) {
      co_return fail(ErrorKind::bad_gateway, "http_tls_failed",
                     "TLS certificate verification failed for " + t.origin + ": " +
                         X509_verify_cert_error_string(verify));
    }
    co_return fail(ErrorKind::bad_gateway, "http_tls_failed", "TLS handshake with " + t.origin + " failed");
  }

  asio::any_io_executor executor;
  const HttpClientOptions options;
  ssl::context tls_context;
  std::optional<Error> tls_setup_error;
  mutable std::mutex mutex;
  std::unordered_map<std::string, std::deque<Idle>> idle;  // key: origin; guarded by mutex
};

namespace {

// Holds the Impl by shared_ptr so that a request outlives the HttpClient object that started it.
// Each attempt runs on its connection's strand: the stream and Beast's timeout timer then never
// race, whatever executor the caller runs on.
asio::awaitable<Result<HttpResponse>> run_request(std::shared_ptr<HttpClient::Impl> impl, HttpClientRequest req) {
  try {
    auto target = parse_target(req.url);
    if (!target) co_return target.error();
    auto msg = build_message(impl->options, req, *target);
    if (!msg) co_return msg.error();
    if (target->tls && impl->tls_setup_error) co_return *impl->tls_setup_error;
    const auto deadline = Clock::now() + req.timeout.value_or(impl->options.request_timeout);
    const Message& message = *msg;

    if (auto conn = impl->take_idle(target->origin)) {
      Attempt attempt = co_await asio::co_spawn(
          conn->executor(), exchange_on(*conn, message, *target, deadline, impl->options.max_response_bytes),
          asio::use_awaitable);
      // The server dropped the idle connection before answering: one fresh attempt, same deadline,
      // but only for idempotent methods — a POST may have been acted on before the close.
      const bool idempotent = req.method == "GET" || req.method == "HEAD" || req.method == "PUT" ||
                              req.method == "DELETE" || req.method == "OPTIONS";
      if (!attempt.stale || !idempotent) {
        if (attempt.reusable) impl->put_idle(target->origin, std::move(conn));
        co_return std::move(attempt.result);
      }
    }

    auto conn = std::make_unique<Connection>(asio::make_strand(impl->executor),
                                             target->tls ? &impl->tls_context : nullptr);
    Attempt attempt = co_await asio::co_spawn(
        conn->executor(), impl->open_and_exchange(*conn, *target, message, deadline), asio::use_awaitable);
    if (attempt.reusable) impl->put_idle(target->origin, std::move(conn));
    co_return std::move(attempt.result);
  } catch (const std::exception&) {
    // Only resource exhaustion gets here (the I/O path reports errors as values).
    co_return Error::internal("HTTP client failure");
  }
}

}  // namespace

HttpClient::HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

boost::asio::awaitable<Result<HttpResponse>> HttpClient::request(HttpClientRequest req) {
  return run_request(impl_, std::move(req));
}

boost::asio::awaitable<Result<HttpResponse>> HttpClient::get(std::string url, Headers headers) {
  HttpClientRequest req;
  req.url = std::move(url);
  req.headers = std::move(headers);
  return request(std::move(req));
}

boost::asio::awaitable<Result<HttpResponse>> HttpClient::post_json(std::string url, std::string body,
                                                                   Headers headers) {
  HttpClientRequest req;
  req.method = "POST";
  req.url = std::move(url);
  req.headers = std::move(headers);
  req.headers.set("Content-Type", "application/json");
  req.body = std::move(body);
  return request(std::move(req));
}

std::size_t HttpClient::idle_connections() const {
  std::lock_guard lock(impl_->mutex);
  std::size_t n = 0;
  for (const auto& [key, queue] : impl_->idle) n += queue.size();
  return n;
}

void HttpClient::close_idle() {
  decltype(impl_->idle) dropped;  // closed after the lock is released
  std::lock_guard lock(impl_->mutex);
  dropped.swap(impl_->idle);
}

}  // namespace tzr::net
