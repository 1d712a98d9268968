#pragma once
// Transport-neutral HTTP request/response types: handlers and clients use these, so that only a
// few translation units include Boost.Beast.
#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tzr::net {

// Header list with case-insensitive lookup; keeps order and duplicates.
class Headers {
 public:
  std::optional<std::string_view> get(std::string_view name) const;
  void set(std::string_view name, std::string value);  // replaces every value of name
  void add(std::string name, std::string value);
  void remove(std::string_view name);
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct HttpRequest {
  std::string method;  // upper case, as received
  std::string target;  // raw request target
  std::string path;    // target without the query, percent-decoded
  std::string query;   // raw query string without '?'
  Headers headers;
  std::string body;
  std::string remote_ip;
  std::string request_id;  // set by the server before any handler runs
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string route;  // the matched route pattern, for metrics and logs ("" when none)

  std::string_view param(std::string_view name) const;              // path parameter or ""
  std::optional<std::string> query_param(std::string_view name) const;  // first value, decoded
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;

  static HttpResponse json(int status, const boost::json::value& body);
  static HttpResponse text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static HttpResponse empty(int status);
};

}  // namespace tzr::net
