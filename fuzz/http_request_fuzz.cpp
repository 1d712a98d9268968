// libFuzzer target for the HTTP request path: raw bytes → HTTP parser (with the server's
// limits) → request pipeline (middleware, router, a JSON-reading handler) → response.
#include "core/json.hpp"
#include "core/metrics.hpp"
#include "net/http_errors.hpp"
#include "net/http_server.hpp"
#include "net/http_service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>

using namespace tzr;
using namespace tzr::net;

namespace {

HttpService& service() {
  static HttpService svc = [] {
    HttpService s;
    s.name = "fuzz";
    s.router.get("/health", [](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
      co_return HttpResponse::text(200, "ok");
    });
    s.router.post("/items/{id}", [](HttpRequest& r) -> boost::asio::awaitable<HttpResponse> {
      auto body = json::parse_object(r.body, {.max_depth = 32});
      if (!body) co_return error_response(body.error(), r.request_id);
      auto name = json::get_string(*body, "name");
      auto q = r.query_param("q");
      co_return HttpResponse::text(200, std::string(r.param("id")) + std::string(name.value_or("")) + q.value_or(""));
    });
    return s;
  }();
  return svc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Metrics metrics;
  static RequestPipeline pipeline(metrics, PipelineOptions{false});
  ServerLimits limits;
  limits.max_body_bytes = 4096;
  limits.max_header_bytes = 4096;
  auto req = parse_http_request(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!req) {
    (void)error_response(req.error(), "fuzz");
    return 0;
  }
  boost::asio::io_context ioc;
  boost::asio::co_spawn(
      ioc,
      [&]() -> boost::asio::awaitable<void> {
        HttpResponse res = co_await pipeline.handle(service(), *req);
        if (res.status < 100 || res.status > 599) __builtin_trap();
      },
      boost::asio::detached);
  ioc.run();
  return 0;
}
