#include "registration/routes.hpp"

#include "core/json.hpp"
#include "crypto/hash.hpp"
#include "net/http_errors.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace tzr::registration {
namespace {

enum class EntryPoint { orchestrator, facade };

// What makes two requests "the same" for an idempotency key.
std::string fingerprint(const RegistrationRequest& r) {
  return crypto::sha256_hex(r.login + '\x1f' + crypto::sha256_hex(r.password) + '\x1f' + std::to_string(r.gender) + '\x1f' +
                            std::to_string(r.telegram_id) + '\x1f' + r.username.value_or("\x1e"));
}

// The client's key: body "Request-Id", else the Request-Id / X-Request-Id header it sent.
std::optional<std::string> client_key(const RegistrationRequest& r, const net::HttpRequest& req) {
  if (r.request_id) return r.request_id;
  for (auto name : {"Request-Id", "X-Request-Id"})
    if (auto h = req.headers.get(name); h && !h->empty() && h->size() <= 128) return std::string(*h);
  return std::nullopt;
}

net::HttpResponse stored(const StoredResponse& s) {
  net::HttpResponse res;
  res.status = s.status;
  res.headers.set("Content-Type", "application/json");
  res.headers.set("Idempotent-Replayed", "true");
  res.body = s.body;
  return res;
}

boost::asio::awaitable<net::HttpResponse> handle(RegistrationHttp deps, EntryPoint entry, net::HttpRequest& req) {
  auto body = json::parse_object(req.body, {.max_depth = deps.json_max_depth});
  if (!body) {
    if (entry == EntryPoint::facade)
      co_return net::error_response(Error::make(ErrorKind::bad_request, "bad_request", "Ошибка"), req.request_id);
    co_return net::error_response(body.error(), req.request_id);
  }
  auto validated = validate_registration(*body);
  if (auto* failure = std::get_if<ValidationFailure>(&validated)) {
    Error e = entry == EntryPoint::facade ? public_validation_error(*failure) : direct_validation_error(*failure);
    co_return net::error_response(e, req.request_id);
  }
  auto& request = std::get<RegistrationRequest>(validated);
  auto key = client_key(request, req);
  if (key) request.request_id = key;
  const std::string scope = "register";

  if (key) {
    auto fp = fingerprint(request);
    auto claim = co_await deps.blocking.run([&] { return deps.idempotency.claim(scope, *key, fp); });
    if (!claim)
      co_return net::error_response(Error::unavailable("db_unavailable", "storage is unavailable, try again later"),
                                    req.request_id);
    switch (claim->state) {
      case KeyState::replay: co_return stored(claim->response);
      case KeyState::in_progress:
        co_return net::error_response(
            Error::make(ErrorKind::conflict, "request_in_progress", "a request with this Request-Id is still running"),
            req.request_id);
      case KeyState::mismatch:
        co_return net::error_response(Error::make(ErrorKind::unprocessable, "idempotency_key_reused",
                                                  "this Request-Id was used with a different request"),
                                      req.request_id);
      case KeyState::fresh: break;
    }
  }

  Status outcome = co_await deps.use_case.run(request);
  net::HttpResponse res;
  if (outcome) {
    res = net::HttpResponse::json(200, boost::json::object{{"ok", true},
                                                          {"message", "Регистрация успешна!"},
                                                          {"request_id", key ? *key : req.request_id}});
  } else {
    res = net::error_response(outcome.error(), key ? *key : req.request_id);
  }
  if (key) {
    StoredResponse s{res.status, res.body};
    auto saved = co_await deps.blocking.run([&] { return deps.idempotency.complete(scope, *key, s); });
    (void)saved;  // the response stands; a lost record only means a retry runs the use case again
  }
  co_return res;
}

}  // namespace

void add_orchestrator_routes(net::Router& router, RegistrationHttp deps) {
  router.post("/internal/register", [deps](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    net::HttpResponse res = co_await handle(deps, EntryPoint::orchestrator, req);
    co_return res;
  });
}

boost::asio::awaitable<net::HttpResponse> handle_public_registration(RegistrationHttp deps, net::HttpRequest& req) {
  net::HttpResponse res = co_await handle(deps, EntryPoint::facade, req);
  co_return res;
}

void add_facade_routes(net::Router& router, RegistrationHttp deps) {
  router.post("/register", [deps](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    net::HttpResponse res = co_await handle_public_registration(deps, req);
    co_return res;
  });
}

}  // namespace tzr::registration
