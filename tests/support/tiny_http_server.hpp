#pragma once
// A small HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests of outbound clients. It runs
// on its own thread and io_context, counts accepted connections, and can misbehave on purpose
// (drop kept-alive connections, never answer) to exercise retry and timeout paths.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tzr::test {

struct TinyRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(std::string_view name) const;  // first value, case-insensitive; "" if none
};

struct TinyReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct TinyHttpServerOptions {
  // Requests answered on each connection. The next request on that connection is read and then
  // the connection is closed unanswered (or held open, see hang_instead_of_close).
  std::size_t answers_per_connection = std::numeric_limits<std::size_t>::max();
  // Hold unanswered connections open until the client gives up (a server that never answers).
  bool hang_instead_of_close = false;
  // Close each connection right after the answer while the answer still says keep-alive, like a
  // server whose idle timeout fires as soon as the client has its response.
  bool close_after_answer = false;
};

class TinyHttpServer {
 public:
  using Handler = std::function<TinyReply(const TinyRequest&)>;

  explicit TinyHttpServer(Handler handler, TinyHttpServerOptions options = {});
  ~TinyHttpServer();
  TinyHttpServer(const TinyHttpServer&) = delete;
  TinyHttpServer& operator=(const TinyHttpServer&) = delete;

  std::uint16_t port() const;
  std::string url(std::string_view path = "/") const;  // http://127.0.0.1:<port><path>
  int connections() const;                              // accepted so far
  int requests() const;                                 // requests read so far (answered or not)

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace tzr::test
