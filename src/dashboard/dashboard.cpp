#include "dashboard/dashboard.hpp"

#include "core/json.hpp"
#include "core/log.hpp"
#include "crypto/password.hpp"
#include "net/http_errors.hpp"
#include "net/static_files.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>

namespace tzr::dashboard {
namespace {

namespace fs = std::filesystem;
using net::HttpRequest;
using net::HttpResponse;
using Answer = boost::asio::awaitable<std::optional<HttpResponse>>;

constexpr std::string_view kCookie = "tzr_ui";
constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// A hash of a password nobody has: an unknown user costs as much time as a wrong password.
const std::string& dummy_hash() {
  static const std::string h = crypto::hash_password("no operator has this password");
  return h;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<std::string> cookie(const HttpRequest& req) {
  auto header = req.headers.get("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.starts_with(kCookie) && item.size() > kCookie.size() && item[kCookie.size()] == '=')
      return std::string(item.substr(kCookie.size() + 1));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

HttpResponse fail(ErrorKind kind, std::string code, std::string message, const HttpRequest& req) {
  return net::error_response(Error::make(kind, std::move(code), std::move(message)), req.request_id);
}

// A state-changing call must come from a page of this origin (SameSite=Strict already keeps
// other sites' cookies out; this also refuses a same-site page on another port).
bool same_origin(const HttpRequest& req) {
  auto origin = req.headers.get("Origin");
  auto host = req.headers.get("Host");
  if (!origin) return true;
  if (!host) return false;
  return *origin == "http://" + std::string(*host) || *origin == "https://" + std::string(*host);
}

}  // namespace

bool permitted(Role role, std::string_view method, std::string_view path) {
  const bool read = method == "GET" || method == "HEAD";
  // Registration counts by code hold no personal data; the outcome list (logins) stays admin-only.
  if (read && path == "/admin/registrations/summary") return role >= Role::moderator;
  const bool admin_path = path.starts_with("/admin/") || path.starts_with("/api/admin/") || path.starts_with("/internal/");
  if (admin_path) return role == Role::admin;
  const bool moderation = path.starts_with("/analytics/antibot/audit") ||
                          (method == "POST" && path.starts_with("/analytics/antibot/player/") && path.ends_with("/verdict"));
  if (moderation) return role >= Role::moderator;
  return read || role == Role::admin;
}

struct Dashboard::State {
  DashboardOptions options;
  SessionStore& sessions;
  BlockingPool& blocking;
  net::HttpClient http;
  std::map<std::string, net::StaticFile> assets;  // by path under /ui/, "index.html" included

  State(boost::asio::any_io_executor ex, DashboardOptions o, SessionStore& s, BlockingPool& b)
      : options(std::move(o)), sessions(s), blocking(b), http(std::move(ex), client_options(options)) {}

  static net::HttpClientOptions client_options(const DashboardOptions& o) {
    net::HttpClientOptions h;
    h.request_timeout = o.upstream_timeout;
    // No pooled connections: they would belong to the server's io_context and outlive it (this
    // state lives as long as the gateway's middleware); a loopback connect per call is cheap.
    h.max_idle_per_host = 0;
    return h;
  }

  void secure(HttpResponse& res) const {
    res.headers.set("Content-Security-Policy", std::string(kCsp));
    res.headers.set("X-Content-Type-Options", "nosniff");
    res.headers.set("X-Frame-Options", "DENY");
    res.headers.set("Referrer-Policy", "no-referrer");
    res.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  }

  std::string set_cookie(const std::string& value, std::int64_t max_age) const {
    return std::string(kCookie) + "=" + value + "; Path=/ui; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Strict" +
           (options.secure_cookie ? "; Secure" : "");
  }

  boost::asio::awaitable<std::optional<Session>> session_of(const HttpRequest& req) {
    auto token = cookie(req);
    if (!token) co_return std::nullopt;
    auto found = co_await blocking.run([&] { return sessions.find(*token, unix_now()); });
    if (!found) {
      spdlog::warn("dashboard: sessions unreadable: {}", found.error().code);
      co_return std::nullopt;
    }
    co_return *found;
  }

  Answer sign_in(HttpRequest& req) {
    if (!same_origin(req)) co_return fail(ErrorKind::forbidden, "cross_origin", "sign in from the dashboard's own page", req);
    if (options.allow_sign_in && !co_await options.allow_sign_in(req.remote_ip))
      co_return fail(ErrorKind::too_many_requests, "rate_limited", "too many sign-in attempts; wait a minute", req);
    auto body = json::parse_object(req.body, {.max_depth = 4});
    if (!body) co_return net::error_response(body.error(), req.request_id);
    const auto* user = body->if_contains("username");
    const auto* password = body->if_contains("password");
    if (!user || !user->is_string() || !password || !password->is_string() || user->as_string().size() > 128 ||
        password->as_string().size() > 1024)
      co_return fail(ErrorKind::validation, "validation_error", "username and password are required strings", req);
    const Operator* op = nullptr;
    for (const auto& o : options.operators)
      if (o.name == user->as_string()) op = &o;
    const std::string pw(password->as_string());
    // The dummy hash is made (PBKDF2) on its first use: on the pool too, never on an I/O thread.
    const bool ok = co_await blocking.run([&] { return crypto::verify_password(pw, op ? op->password_hash : dummy_hash()); });
    if (!op || !ok) {
      spdlog::info("dashboard: sign-in refused from {}", req.remote_ip);
      co_return fail(ErrorKind::unauthorized, "invalid_credentials", "wrong username or password", req);
    }
    auto token = co_await blocking.run([&] { return sessions.create(*op, unix_now()); });
    if (!token) co_return net::error_response(token.error(), req.request_id);
    spdlog::info("dashboard: {} ({}) signed in from {}", op->name, role_name(op->role), req.remote_ip);
    auto res = HttpResponse::json(200, boost::json::object{{"user", op->name}, {"role", role_name(op->role)}});
    res.headers.set("Set-Cookie", set_cookie(*token, sessions.limits().lifetime_s));
    res.headers.set("Cache-Control", "no-store");
    co_return res;
  }

  Answer session_route(HttpRequest& req) {
    if (req.method == "POST") co_return co_await sign_in(req);
    if (req.method == "DELETE") {
      if (!same_origin(req)) co_return fail(ErrorKind::forbidden, "cross_origin", "sign out from the dashboard's own page", req);
      if (auto token = cookie(req)) {
        auto ended = co_await blocking.run([&] { return sessions.end(*token); });
        if (!ended) co_return net::error_response(ended.error(), req.request_id);
      }
      auto res = HttpResponse::empty(204);
      res.headers.set("Set-Cookie", set_cookie("", 0));
      co_return res;
    }
    if (req.method != "GET") co_return fail(ErrorKind::method_not_allowed, "method_not_allowed", "GET, POST or DELETE", req);
    auto s = co_await session_of(req);
    if (!s) co_return fail(ErrorKind::unauthorized, "not_signed_in", "sign in first", req);
    auto res = HttpResponse::json(200, boost::json::object{{"user", s->user}, {"role", role_name(s->role)}});
    res.headers.set("Cache-Control", "no-store");
    co_return res;
  }

  Answer forward(HttpRequest& req) {
    // /ui/api/<service>/<the service's own target>
    const std::string_view target = std::string_view(req.target).substr(std::string_view("/ui/api/").size());
    const auto slash = target.find('/');
    const std::string service(target.substr(0, slash));
    const std::string rest = slash == std::string_view::npos ? "/" : std::string(target.substr(slash));
    const std::string rest_path = rest.substr(0, rest.find('?'));
    auto upstream = options.upstreams.find(service);
    if (upstream == options.upstreams.end())
      co_return fail(ErrorKind::not_found, "unknown_service", "no service " + service + " behind the dashboard", req);
    auto s = co_await session_of(req);
    if (!s) co_return fail(ErrorKind::unauthorized, "not_signed_in", "sign in first", req);
    if (!permitted(s->role, req.method, rest_path))
      co_return fail(ErrorKind::forbidden, "role_forbidden", "the " + std::string(role_name(s->role)) + " role cannot do this", req);
    if (req.method != "GET" && req.method != "HEAD" && !same_origin(req))
      co_return fail(ErrorKind::forbidden, "cross_origin", "only the dashboard's own pages may change things", req);

    net::HttpClientRequest call;
    call.method = req.method;
    call.url = upstream->second + rest;
    call.body = req.body;
    for (auto name : {"Content-Type", "Accept", "Accept-Language"})
      if (auto v = req.headers.get(name)) call.headers.set(name, std::string(*v));
    call.headers.set("X-Request-Id", req.request_id);
    if (s->role >= Role::moderator && !options.service_token.empty()) {
      call.headers.set("Authorization", "Bearer " + options.service_token);
      call.headers.set("X-Moderator", s->user);  // who recorded a verdict, in the audit trail
    }
    auto answer = co_await http.request(std::move(call));
    if (!answer)
      co_return fail(ErrorKind::bad_gateway, "upstream_unavailable", "the " + service + " service did not answer", req);
    HttpResponse res;
    res.status = answer->status;
    res.body = std::move(answer->body);
    for (auto name : {"Content-Type", "Content-Disposition", "Retry-After", "Idempotent-Replayed"})
      if (auto v = answer->headers.get(name)) res.headers.set(name, std::string(*v));
    // The page reads 401 as "your session ended": a service refusing our token is our fault.
    if (res.status == 401)
      co_return fail(ErrorKind::bad_gateway, "upstream_auth", "the " + service + " service refused the dashboard's token", req);
    res.headers.set("Cache-Control", "no-store");
    co_return res;
  }

  std::optional<HttpResponse> file(const HttpRequest& req) const {
    if (assets.empty())
      return fail(ErrorKind::unavailable, "dashboard_not_built", "the dashboard was not built (npm run build in web/)", req);
    if (req.method != "GET" && req.method != "HEAD") return fail(ErrorKind::method_not_allowed, "method_not_allowed", "GET", req);
    const std::string rel = req.path.substr(std::string_view("/ui/").size());
    auto it = assets.find(rel);
    const bool asset = it != assets.end() && rel != "index.html";
    if (!asset) {
      // Client-side routes get the shell; a missing file under assets/ is a real 404.
      if (rel.starts_with("assets/")) return fail(ErrorKind::not_found, "not_found", "no such file", req);
      it = assets.find("index.html");
    }
    HttpResponse res = HttpResponse::text(200, it->second.body, it->second.content_type);
    res.headers.set("Cache-Control", asset && rel.starts_with("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    return res;
  }

  Answer handle(HttpRequest& req) {
    if (req.path == "/ui") {
      auto res = HttpResponse::empty(308);
      res.headers.set("Location", "/ui/");
      co_return res;
    }
    if (req.path == "/ui/session") co_return co_await session_route(req);
    if (req.path.starts_with("/ui/api/")) co_return co_await forward(req);
    co_return file(req);
  }
};

Dashboard::Dashboard(boost::asio::any_io_executor executor, DashboardOptions options, SessionStore& sessions, BlockingPool& blocking)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), sessions, blocking)) {}

Dashboard::~Dashboard() = default;

Status Dashboard::load() {
  const fs::path root = state_->options.web_dir;
  std::error_code ec;
  if (root.empty() || !fs::is_regular_file(root / "index.html", ec))
    return Error::unavailable("dashboard_not_built", "no index.html in dashboard.web_dir " + root.string());
  auto files = net::load_static_files(root);
  if (!files) return Error::unavailable("dashboard_not_built", files.error().message);
  state_->assets = std::move(*files);
  return {};
}

net::Middleware Dashboard::middleware() {
  auto state = state_;
  return net::Middleware{
      [state](HttpRequest& req) -> Answer {
        if (req.path != "/ui" && !req.path.starts_with("/ui/")) co_return std::nullopt;
        co_return co_await state->handle(req);
      },
      [state](const HttpRequest& req, HttpResponse& res) {
        if (req.path == "/ui" || req.path.starts_with("/ui/")) state->secure(res);
      }};
}

}  // namespace tzr::dashboard
