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

// The answer and what to record of it.
struct Attempt {
  net::HttpResponse res;
  std::string code = "ok";
  std::string login;
};

Attempt refused(const Error& e, std::string_view request_id, std::string login = {}) {
  return Attempt{net::error_response(e, request_id), e.code, std::move(login)};
}

// The login field as sent, when it is a string (also for invalid requests).
std::string login_asked(const boost::json::object& body) {
  const auto* login = body.if_contains("login");
  return login && login->is_string() ? outcome_login(login->as_string()) : std::string();
}

boost::asio::awaitable<Attempt> attempt(RegistrationHttp deps, EntryPoint entry, net::HttpRequest& req) {
  auto body = json::parse_object(req.body, {.max_depth = deps.json_max_depth});
  if (!body) {
    if (entry == EntryPoint::facade)
      co_return refused(Error::make(ErrorKind::bad_request, "bad_request", "Ошибка"), req.request_id);
    co_return refused(body.error(), req.request_id);
  }
  auto validated = validate_registration(*body);
  if (auto* failure = std::get_if<ValidationFailure>(&validated)) {
    Error e = entry == EntryPoint::facade ? public_validation_error(*failure) : direct_validation_error(*failure);
    co_return refused(e, req.request_id, login_asked(*body));
  }
  auto& request = std::get<RegistrationRequest>(validated);
  const std::string login = outcome_login(request.login);
  auto key = client_key(request, req);
  if (key) request.request_id = key;
  const std::string scope = "register";

  if (key) {
    auto fp = fingerprint(request);
    auto claim = co_await deps.blocking.run([&] { return deps.idempotency.claim(scope, *key, fp); });
    if (!claim)
      co_return refused(Error::unavailable("db_unavailable", "storage is unavailable, try again later"), req.request_id, login);
    switch (claim->state) {
      case KeyState::replay: co_return Attempt{stored(claim->response), "replayed", login};
      case KeyState::in_progress:
        co_return refused(Error::make(ErrorKind::conflict, "request_in_progress", "a request with this Request-Id is still running"),
                          req.request_id, login);
      case KeyState::mismatch:
        co_return refused(Error::make(ErrorKind::unprocessable, "idempotency_key_reused",
                                      "this Request-Id was used with a different request"),
                          req.request_id, login);
      case KeyState::fresh: break;
    }
  }

  Status outcome = co_await deps.use_case.run(request);
  net::HttpResponse res;
  const std::string code = outcome ? std::string("ok") : outcome.error().code;
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
  co_return Attempt{std::move(res), code, login};
}

// Runs the attempt and records its outcome (a queue push: it cannot fail or wait).
boost::asio::awaitable<net::HttpResponse> handle(RegistrationHttp deps, EntryPoint entry, net::HttpRequest& req,
                                                 std::string source) {
  const auto started = std::chrono::steady_clock::now();
  Attempt a = co_await attempt(deps, entry, req);
  record_outcome(deps, std::move(a.code), std::move(source), std::move(a.login), started);
  co_return std::move(a.res);
}

}  // namespace

void record_outcome(const RegistrationHttp& deps, std::string code, std::string source, std::string login,
                    std::chrono::steady_clock::time_point started) {
  if (!deps.outcomes) return;
  const auto now = std::chrono::system_clock::now();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  deps.outcomes->record(RegistrationOutcome{0, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(),
                                            std::move(code), std::move(login), std::move(source), took.count()});
}

void add_orchestrator_routes(net::Router& router, RegistrationHttp deps) {
  router.post("/internal/register", [deps](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    net::HttpResponse res = co_await handle(deps, EntryPoint::orchestrator, req, "orchestrator");
    co_return res;
  });
}

boost::asio::awaitable<net::HttpResponse> handle_public_registration(RegistrationHttp deps, net::HttpRequest& req,
                                                                     std::string source) {
  net::HttpResponse res = co_await handle(deps, EntryPoint::facade, req, std::move(source));
  co_return res;
}

void add_facade_routes(net::Router& router, RegistrationHttp deps) {
  router.post("/register", [deps](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    net::HttpResponse res = co_await handle_public_registration(deps, req);
    co_return res;
  });
}

}  // namespace tzr::registration
