#pragma once
// Blocking HTTP for black-box tests: one request per connection (or raw bytes), to 127.0.0.1.
#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace tzr::test {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  boost::json::value json() const;  // throws on invalid JSON
  std::string header(const std::string& lower_name) const;
};

TestResponse http(int port, const std::string& method, const std::string& target, const std::string& body = {},
                  std::map<std::string, std::string> headers = {});

// Sends bytes as they are and returns everything the server answers until it closes the
// connection or the timeout passes.
std::string raw_exchange(int port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

// Several requests on one keep-alive connection; returns the responses in order.
std::vector<TestResponse> http_keepalive(int port, const std::vector<std::string>& targets);

}  // namespace tzr::test
