#include "core/log.hpp"
#include "net/http_errors.hpp"
#include "net/http_service.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <random>

namespace tzr::net {
namespace {

// Label values must stay a small set: unknown methods are counted as OTHER.
std::string_view method_label(std::string_view m) {
  static constexpr std::array<std::string_view, 7> known{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  return std::find(known.begin(), known.end(), m) != known.end() ? m : std::string_view("OTHER");
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string choose_request_id(std::optional<std::string_view> offered) {
  if (offered && !offered->empty() && offered->size() <= 128 &&
      std::all_of(offered->begin(), offered->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
      }))
    return std::string(*offered);
  // Not a secret, only unique: a per-thread PRNG seeded from the OS is enough and fast.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    auto bits = rng();
    for (int i = 0; i < 16; ++i) id[static_cast<std::size_t>(half * 16 + i)] = hex[(bits >> (i * 4)) & 0xF];
  }
  return id;
}

boost::asio::awaitable<HttpResponse> RequestPipeline::route(const HttpService& service, HttpRequest& req) const {
  auto result = service.router.dispatch(req.method, req.path);
  if (auto* match = std::get_if<RouteMatch>(&result)) {
    req.path_params = std::move(match->params);
    req.route = match->route->pattern;
    // GCC 12 miscompiles co_await inside some full-expressions (conditional operator, co_return
    // operand): keep every co_await in a statement of its own.
    HttpResponse res = co_await match->route->handler(req);
    co_return res;
  }
  if (auto* not_allowed = std::get_if<MethodNotAllowed>(&result)) {
    req.route = "(method not allowed)";
    if (req.method == "OPTIONS") {
      auto res = HttpResponse::empty(204);
      res.headers.set("Allow", join(not_allowed->allowed));
      co_return res;
    }
    auto res = error_response(Error::make(ErrorKind::method_not_allowed, "method_not_allowed",
                                          "method " + req.method + " is not allowed here"),
                              req.request_id);
    res.headers.set("Allow", join(not_allowed->allowed));
    co_return res;
  }
  co_return error_response(Error::make(ErrorKind::not_found, "not_found", "no such endpoint"), req.request_id);
}

boost::asio::awaitable<HttpResponse> RequestPipeline::handle(const HttpService& service, HttpRequest& req) const {
  const auto start = std::chrono::steady_clock::now();
  if (req.request_id.empty()) req.request_id = choose_request_id(req.headers.get("X-Request-Id"));

  HttpResponse res;
  bool failed = false;
  try {
    std::optional<HttpResponse> early;
    for (const auto& m : service.middleware) {
      if (!m.before) continue;
      early = co_await m.before(req);
      if (early) break;
    }
    if (early) {
      res = std::move(*early);
    } else {
      res = co_await route(service, req);
    }
  } catch (const std::exception& e) {
    // A handler bug must not take the connection down with it; the detail goes to the log only.
    log::with_request(req.request_id, spdlog::level::err, "{} {}: unhandled exception: {}", req.method, req.route, e.what());
    failed = true;
  }
  if (failed) res = error_response(Error::internal(), req.request_id);

  for (const auto& m : service.middleware)
    if (m.after) m.after(req, res);
  res.headers.set("X-Request-Id", req.request_id);

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.observe_http(service.name, req.route, method_label(req.method), res.status, seconds);
  if (options_.access_log)
    log::with_request(req.request_id, spdlog::level::info, "{} {} {} {} {:.3f}ms {}B", service.name,
                      method_label(req.method), req.path.size() > 200 ? req.path.substr(0, 200) : req.path, res.status,
                      seconds * 1000, res.body.size());
  co_return res;
}

}  // namespace tzr::net
