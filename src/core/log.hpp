#pragma once
// Logging on spdlog: text or JSON lines, one process-wide logger. Lines written while serving a
// request carry its request id (RequestLogScope). Never pass passwords, keys or tokens here.
#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace tzr::log {

enum class Format { text, json };

// level: trace|debug|info|warn|error|critical|off. Writes to stderr.
void init(std::string_view level, Format format);
Format format_from_string(std::string_view s);

// Sets the request id printed on every line logged by this thread until the scope ends.
// Request handlers run as coroutines that may hop threads, so the scope must never span a
// co_await: open it around synchronous logging only (see net/http_server.cpp).
class RequestLogScope {
 public:
  explicit RequestLogScope(std::string_view request_id);
  ~RequestLogScope();
  RequestLogScope(const RequestLogScope&) = delete;
  RequestLogScope& operator=(const RequestLogScope&) = delete;

 private:
  std::string_view previous_;
};

// Logs one line tagged with a request id.
template <class... Args>
void with_request(std::string_view request_id, spdlog::level::level_enum lvl, fmt::format_string<Args...> f,
                  Args&&... args) {
  RequestLogScope scope(request_id);
  spdlog::log(lvl, f, std::forward<Args>(args)...);
}

}  // namespace tzr::log
