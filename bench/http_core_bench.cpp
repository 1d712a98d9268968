// Micro-benchmarks of the HTTP core: router dispatch, JSON encoding, raw request parsing and the
// full request pipeline (no sockets). Run: build/default/bench/tzr_bench
#include "core/metrics.hpp"
#include "net/http_errors.hpp"
#include "net/http_server.hpp"
#include "net/http_service.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

using namespace tzr;
using namespace tzr::net;

namespace {

Handler ok() {
  return [](HttpRequest&) -> boost::asio::awaitable<HttpResponse> { co_return HttpResponse::empty(200); };
}

// A route table shaped like the finished product's (~40 routes across services).
Router realistic_router() {
  Router r;
  for (auto p : {"/health", "/ready", "/metrics", "/api/register", "/api/server/status", "/internal/register",
                 "/internal/constants", "/battles", "/battles/latest", "/battles/{id}", "/battles/{id}/raw",
                 "/battles/{id}/participants", "/players/{login}", "/players/{login}/battles",
                 "/players/{login}/heatmap", "/clans", "/clans/{name}", "/antibot/candidates",
                 "/antibot/players/{login}", "/shop/categories", "/shop/snapshots", "/shop/snapshots/{id}",
                 "/shop/snapshots/{id}/diff/{other}", "/shop/items/{item}/history", "/proxy/register",
                 "/proxy/server/status", "/admin/jobs", "/admin/jobs/{id}"})
    r.get(p, ok());
  r.post("/battles", ok());
  r.post("/battles/upload", ok());
  return r;
}

void BM_RouterStatic(benchmark::State& state) {
  auto r = realistic_router();
  for (auto _ : state) benchmark::DoNotOptimize(r.dispatch("GET", "/health"));
}
BENCHMARK(BM_RouterStatic);

void BM_RouterTwoParams(benchmark::State& state) {
  auto r = realistic_router();
  for (auto _ : state) benchmark::DoNotOptimize(r.dispatch("GET", "/shop/snapshots/1234/diff/1200"));
}
BENCHMARK(BM_RouterTwoParams);

void BM_RouterMiss(benchmark::State& state) {
  auto r = realistic_router();
  for (auto _ : state) benchmark::DoNotOptimize(r.dispatch("GET", "/nothing/here/at/all"));
}
BENCHMARK(BM_RouterMiss);

void BM_JsonEncodeErrorBody(benchmark::State& state) {
  Error e = Error::make(ErrorKind::validation, "validation_error", "Ошибка валидации входных данных");
  e.fields.push_back({"login", "Ошибка: Логин должен быть от 3 до 16 символов"});
  for (auto _ : state) benchmark::DoNotOptimize(error_response(e, "0123456789abcdef0123456789abcdef"));
}
BENCHMARK(BM_JsonEncodeErrorBody);

void BM_JsonEncodeStatus(benchmark::State& state) {
  boost::json::object o{{"server_status", 1},
                        {"rates", {{"exp", 1.0}, {"pvp", 1.0}, {"pve", 1.0}, {"color_mob", 1.0}, {"skill", 1.0}}},
                        {"generated_at", "2026-11-25T12:00:00Z"},
                        {"revision", 1764072000}};
  for (auto _ : state) benchmark::DoNotOptimize(boost::json::serialize(o));
}
BENCHMARK(BM_JsonEncodeStatus);

void BM_ParseRawRequest(benchmark::State& state) {
  const std::string raw =
      "POST /api/register HTTP/1.1\r\nHost: api.example\r\nUser-Agent: site/1.0\r\nX-API-Key: k\r\n"
      "X-Request-Id: req-1\r\nContent-Type: application/json\r\nContent-Length: 73\r\n\r\n"
      R"({"login":"alice","password":"mypass123","gender":1,"telegram_id":1001,"x":1})";
  ServerLimits limits;
  for (auto _ : state) benchmark::DoNotOptimize(parse_http_request(raw, limits));
}
BENCHMARK(BM_ParseRawRequest);

void BM_PipelineHealth(benchmark::State& state) {
  Metrics metrics;
  RequestPipeline pipeline(metrics, PipelineOptions{false});
  HttpService svc;
  svc.name = "bench";
  svc.router = realistic_router();
  boost::asio::io_context ioc;
  for (auto _ : state) {
    HttpRequest req;
    req.method = "GET";
    req.path = "/health";
    boost::asio::co_spawn(
        ioc, [&]() -> boost::asio::awaitable<void> { benchmark::DoNotOptimize(co_await pipeline.handle(svc, req)); },
        boost::asio::detached);
    ioc.run();
    ioc.restart();
  }
}
BENCHMARK(BM_PipelineHealth);

}  // namespace
