#include "core/metrics.hpp"
#include "net/http_errors.hpp"
#include "net/http_service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

using namespace tzr;
using namespace tzr::net;

namespace {

HttpResponse run(const RequestPipeline& p, const HttpService& svc, HttpRequest& req) {
  boost::asio::io_context ioc;
  auto fut = boost::asio::co_spawn(ioc, p.handle(svc, req), boost::asio::use_future);
  ioc.run();
  return fut.get();
}

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

struct PipelineTest : ::testing::Test {
  Metrics metrics;
  RequestPipeline pipeline{metrics, PipelineOptions{false}};
  HttpService svc;
  PipelineTest() {
    svc.name = "test";
    svc.router.get("/hello/{name}", [](HttpRequest& r) -> boost::asio::awaitable<HttpResponse> {
      co_return HttpResponse::text(200, "hi " + std::string(r.param("name")));
    });
    svc.router.get("/boom", [](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
      throw std::runtime_error("secret internal detail");
      co_return HttpResponse::empty(200);
    });
  }
};

}  // namespace

TEST_F(PipelineTest, RoutesAndEchoesAValidRequestId) {
  auto req = request("GET", "/hello/bob");
  req.headers.set("X-Request-Id", "req-42");
  auto res = run(pipeline, svc, req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "hi bob");
  EXPECT_EQ(res.headers.get("X-Request-Id"), "req-42");
}

TEST_F(PipelineTest, ReplacesAnUnsafeRequestId) {
  auto req = request("GET", "/hello/bob");
  req.headers.set("X-Request-Id", "bad id\r\nSet-Cookie: x");
  auto res = run(pipeline, svc, req);
  auto id = std::string(*res.headers.get("X-Request-Id"));
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(PipelineTest, NotFoundUsesTheOneErrorBody) {
  auto req = request("GET", "/nope");
  req.headers.set("X-Request-Id", "r1");
  auto res = run(pipeline, svc, req);
  EXPECT_EQ(res.status, 404);
  auto body = boost::json::parse(res.body).as_object();
  EXPECT_EQ(body.at("ok"), false);
  EXPECT_EQ(body.at("error"), "not_found");
  EXPECT_TRUE(body.at("message").is_string());
  EXPECT_EQ(body.at("request_id"), "r1");
  EXPECT_EQ(res.headers.get("Content-Type"), "application/json");
}

TEST_F(PipelineTest, WrongMethodIs405WithAllow) {
  auto req = request("POST", "/hello/bob");
  auto res = run(pipeline, svc, req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.get("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(boost::json::parse(res.body).at("error"), "method_not_allowed");
}

TEST_F(PipelineTest, OptionsAnswers204WithAllow) {
  auto req = request("OPTIONS", "/hello/bob");
  auto res = run(pipeline, svc, req);
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(res.headers.get("Allow"), "GET, HEAD, OPTIONS");
}

TEST_F(PipelineTest, HandlerExceptionIs500WithoutDetails) {
  auto req = request("GET", "/boom");
  auto res = run(pipeline, svc, req);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(boost::json::parse(res.body).at("error"), "internal_error");
  EXPECT_EQ(res.body.find("secret internal detail"), std::string::npos);
}

TEST_F(PipelineTest, MiddlewareCanAnswerEarlyAndDecorateEveryResponse) {
  svc.middleware.push_back(Middleware{
      [](HttpRequest& r) -> boost::asio::awaitable<std::optional<HttpResponse>> {
        if (!r.headers.get("Authorization"))
          co_return error_response(Error::make(ErrorKind::unauthorized, "unauthorized", "no token"), r.request_id);
        co_return std::nullopt;
      },
      [](const HttpRequest&, HttpResponse& res) { res.headers.set("X-Seen", "1"); }});
  auto anon = request("GET", "/hello/x");
  auto denied = run(pipeline, svc, anon);
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.headers.get("X-Seen"), "1");

  auto authed = request("GET", "/hello/x");
  authed.headers.set("Authorization", "Bearer t");
  auto ok = run(pipeline, svc, authed);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.headers.get("X-Seen"), "1");
}

TEST_F(PipelineTest, MetricsCountByRoutePatternAndStatus) {
  for (int i = 0; i < 3; ++i) {
    auto req = request("GET", "/hello/n" + std::to_string(i));
    run(pipeline, svc, req);
  }
  auto text = metrics.render();
  EXPECT_NE(text.find(R"(tzr_http_requests_total{method="GET",route="/hello/{name}",service="test",status="200"} 3)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("/hello/n1"), std::string::npos);  // raw paths never become labels
}

TEST(HttpErrors, EveryKindHasOneStatus) {
  EXPECT_EQ(http_status(ErrorKind::validation), 400);
  EXPECT_EQ(http_status(ErrorKind::conflict), 409);
  EXPECT_EQ(http_status(ErrorKind::payload_too_large), 413);
  EXPECT_EQ(http_status(ErrorKind::unprocessable), 422);
  EXPECT_EQ(http_status(ErrorKind::too_many_requests), 429);
  EXPECT_EQ(http_status(ErrorKind::gateway_timeout), 504);
  Error e = Error::make(ErrorKind::validation, "validation_error", "bad input");
  e.fields.push_back({"login", "too short"});
  auto res = error_response(e, "");
  auto body = boost::json::parse(res.body).as_object();
  EXPECT_TRUE(body.at("request_id").is_null());
  EXPECT_EQ(body.at("fields").at("login"), "too short");
}
