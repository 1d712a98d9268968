#include "support/test_http.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <poll.h>

#include <cctype>

namespace tzr::test {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http_ns = beast::http;
using tcp = asio::ip::tcp;

TestResponse convert(http_ns::response<http_ns::string_body>& res) {
  TestResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  return out;
}
}  // namespace

boost::json::value TestResponse::json() const { return boost::json::parse(body); }

std::string TestResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

TestResponse http(int port, const std::string& method, const std::string& target, const std::string& body,
                  std::map<std::string, std::string> headers) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  http_ns::request<http_ns::string_body> req{http_ns::string_to_verb(method), target, 11};
  if (req.method() == http_ns::verb::unknown) req.method_string(method);
  req.set(http_ns::field::host, "127.0.0.1");
  for (auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.body() = body;
    if (!headers.count("Content-Type")) req.set(http_ns::field::content_type, "application/json");
    req.prepare_payload();
  }
  http_ns::write(stream, req);
  beast::flat_buffer buffer;
  http_ns::response_parser<http_ns::string_body> parser;
  parser.body_limit(64u << 20);
  if (method == "HEAD") parser.skip(true);
  http_ns::read(stream, buffer, parser);
  auto res = parser.release();
  return convert(res);
}

std::string raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  tcp::socket sock(ioc);
  sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  boost::system::error_code ec;
  asio::write(sock, asio::buffer(bytes), ec);
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[8192];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{sock.native_handle(), POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    auto n = sock.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

std::vector<TestResponse> http_keepalive(int port, const std::vector<std::string>& targets) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  beast::flat_buffer buffer;
  std::vector<TestResponse> out;
  for (const auto& t : targets) {
    http_ns::request<http_ns::empty_body> req{http_ns::verb::get, t, 11};
    req.set(http_ns::field::host, "127.0.0.1");
    http_ns::write(stream, req);
    http_ns::response<http_ns::string_body> res;
    http_ns::read(stream, buffer, res);
    out.push_back(convert(res));
  }
  return out;
}

}  // namespace tzr::test
