#include "net/http_server.hpp"

#include <gtest/gtest.h>

using namespace tzr;
using namespace tzr::net;

TEST(HttpParse, ParsesRequestLineHeadersAndBody) {
  auto r = parse_http_request(
      "POST /api/register?x=1&name=a%20b HTTP/1.1\r\nHost: h\r\nX-Request-Id: abc\r\nContent-Length: 2\r\n\r\n{}",
      ServerLimits{});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/api/register");
  EXPECT_EQ(r->query, "x=1&name=a%20b");
  EXPECT_EQ(r->query_param("name"), "a b");
  EXPECT_EQ(r->query_param("nope"), std::nullopt);
  EXPECT_EQ(r->headers.get("x-request-id"), "abc");
  EXPECT_EQ(r->body, "{}");
}

TEST(HttpParse, PercentDecodesPath) {
  auto r = parse_http_request("GET /players/%D0%98%D0%B3%D1%80%D0%BE%D0%BA HTTP/1.1\r\nHost: h\r\n\r\n", ServerLimits{});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, "/players/Игрок");
}

TEST(HttpParse, OversizedBodyIs413Kind) {
  ServerLimits limits;
  limits.max_body_bytes = 10;
  auto r = parse_http_request("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n01234567890", limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::payload_too_large);
}

TEST(HttpParse, OversizedHeadersAre431Kind) {
  ServerLimits limits;
  limits.max_header_bytes = 1024;
  auto r = parse_http_request("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n", limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::headers_too_large);
}

TEST(HttpParse, GarbageIsBadRequest) {
  for (std::string raw : {"\x01\x02 nonsense\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /\r\n\r\n",
                          "GET http://evil.example/ HTTP/1.1\r\nHost: h\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\n"}) {
    auto r = parse_http_request(raw, ServerLimits{});
    ASSERT_FALSE(r) << raw;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_request) << raw;
  }
}

TEST(HttpParse, EmptyInputIsAnErrorNotACrash) {
  // Found by the fuzzer: Beast asserts when told "end of input" before any byte.
  auto r = parse_http_request("", ServerLimits{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::bad_request);
}
