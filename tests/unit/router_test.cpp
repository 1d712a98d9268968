#include "net/router.hpp"

#include <gtest/gtest.h>

using namespace tzr::net;

namespace {
Handler noop() {
  return [](HttpRequest&) -> boost::asio::awaitable<HttpResponse> { co_return HttpResponse::empty(200); };
}
}  // namespace

TEST(Router, MatchesStaticAndParameterSegments) {
  Router r;
  r.get("/battles/{id}", noop());
  r.get("/battles/latest", noop());
  r.post("/battles/{id}/reparse", noop());

  auto m = r.dispatch("GET", "/battles/42");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(m));
  auto& match = std::get<RouteMatch>(m);
  EXPECT_EQ(match.route->pattern, "/battles/{id}");
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params[0], (std::pair<std::string, std::string>{"id", "42"}));

  auto latest = r.dispatch("GET", "/battles/latest");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(latest));
  EXPECT_EQ(std::get<RouteMatch>(latest).route->pattern, "/battles/latest");
  EXPECT_TRUE(std::get<RouteMatch>(latest).params.empty());

  auto nested = r.dispatch("POST", "/battles/7/reparse");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(nested));
  EXPECT_EQ(std::get<RouteMatch>(nested).params[0].second, "7");
}

TEST(Router, UnknownPathIsNoRoute) {
  Router r;
  r.get("/health", noop());
  EXPECT_TRUE(std::holds_alternative<NoRoute>(r.dispatch("GET", "/nope")));
  EXPECT_TRUE(std::holds_alternative<NoRoute>(r.dispatch("GET", "/health/extra")));
  EXPECT_TRUE(std::holds_alternative<NoRoute>(r.dispatch("GET", "/")));
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router r;
  r.get("/items", noop());
  r.post("/items", noop());
  auto m = r.dispatch("DELETE", "/items");
  ASSERT_TRUE(std::holds_alternative<MethodNotAllowed>(m));
  EXPECT_EQ(std::get<MethodNotAllowed>(m).allowed, (std::vector<std::string>{"GET", "HEAD", "OPTIONS", "POST"}));
}

TEST(Router, HeadFallsBackToGet) {
  Router r;
  r.get("/health", noop());
  auto m = r.dispatch("HEAD", "/health");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(m));
  EXPECT_EQ(std::get<RouteMatch>(m).route->method, "GET");
}

TEST(Router, EmptySegmentDoesNotMatchParameter) {
  Router r;
  r.get("/battles/{id}", noop());
  EXPECT_TRUE(std::holds_alternative<NoRoute>(r.dispatch("GET", "/battles/")));
}

TEST(Router, RejectsDuplicateAndMalformedRoutes) {
  Router r;
  r.get("/a", noop());
  EXPECT_THROW(r.get("/a", noop()), std::invalid_argument);
  EXPECT_THROW(r.get("a", noop()), std::invalid_argument);
  r.get("/u/{id}", noop());
  EXPECT_THROW(r.get("/u/{name}/x", noop()), std::invalid_argument);
}
