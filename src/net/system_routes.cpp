#include "net/system_routes.hpp"


#include <boost/json/object.hpp>

namespace tzr::net {

void add_system_routes(Router& router, Metrics& metrics, std::shared_ptr<const std::vector<ReadinessCheck>> checks) {
  router.get("/health", [](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    co_return HttpResponse::json(200, boost::json::object{{"ok", true}, {"status", "ok"}});
  });

  router.get("/ready", [checks](HttpRequest& req) -> boost::asio::awaitable<HttpResponse> {
    boost::json::object results;
    bool all = true;
    for (const auto& c : *checks) {
      bool ok = false;
      try {
        ok = co_await c.check();
      } catch (const std::exception&) {
        ok = false;
      }
      results[c.name] = ok;
      all = all && ok;
    }
    if (all) co_return HttpResponse::json(200, boost::json::object{{"ok", true}, {"status", "ready"}, {"checks", results}});
    auto body = boost::json::object{{"ok", false},
                                    {"error", "not_ready"},
                                    {"message", "a dependency is not available"},
                                    {"request_id", req.request_id},
                                    {"checks", results}};
    co_return HttpResponse::json(503, body);
  });

  router.get("/metrics", [&metrics](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    co_return HttpResponse::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace tzr::net
