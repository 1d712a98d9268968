#include "registration/reset_routes.hpp"

#include "core/json.hpp"
#include "net/http_errors.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>

namespace tzr::registration {
namespace {

boost::asio::awaitable<net::HttpResponse> handle(std::shared_ptr<ResetPassword> use_case, std::size_t json_max_depth,
                                                 net::HttpRequest& req) {
  auto body = json::parse_object(req.body, {.max_depth = json_max_depth});
  if (!body) co_return net::error_response(body.error(), req.request_id);
  auto validated = validate_password_reset(*body);
  if (auto* failure = std::get_if<ValidationFailure>(&validated))
    co_return net::error_response(direct_validation_error(*failure), req.request_id);

  ResetResult result = co_await use_case->run(std::move(std::get<PasswordResetRequest>(validated)));
  if (!result.status) {
    auto res = net::error_response(result.status.error(), req.request_id);
    if (result.status.error().kind == ErrorKind::too_many_requests)
      res.headers.set("Retry-After", std::to_string(std::max<std::int64_t>(1, (result.retry_after_ms + 999) / 1000)));
    co_return res;
  }
  boost::json::array logins;
  for (const auto& l : result.changed) logins.emplace_back(l);
  co_return net::HttpResponse::json(200, boost::json::object{{"ok", true},
                                                             {"message", "Пароль изменён"},
                                                             {"logins", std::move(logins)},
                                                             {"request_id", req.request_id}});
}

// The use case with the port it owns, kept alive by the route.
struct OwnedReset {
  explicit OwnedReset(const PasswordResetHttp& d)
      : passwords(d.game_client), use_case(d.players, passwords, d.telegram, d.blocking, d.limiter, d.policy) {}
  SocketGamePasswords passwords;
  ResetPassword use_case;
};

}  // namespace

void add_password_reset_route(net::Router& router, std::shared_ptr<ResetPassword> use_case, std::size_t json_max_depth) {
  router.post("/internal/password/reset",
              [use_case, json_max_depth](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
                net::HttpResponse res = co_await handle(use_case, json_max_depth, req);
                co_return res;
              });
}

void add_password_reset_routes(net::Router& router, PasswordResetHttp deps) {
  auto owned = std::make_shared<OwnedReset>(deps);
  add_password_reset_route(router, std::shared_ptr<ResetPassword>(owned, &owned->use_case), deps.json_max_depth);
}

}  // namespace tzr::registration
