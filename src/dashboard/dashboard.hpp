#pragma once
// The operator's dashboard on the gateway (same origin as the public API): the single-page app
// built from web/ under /ui/, operator sign-in (POST/GET/DELETE /ui/session, an HttpOnly Secure
// SameSite=Strict cookie), and /ui/api/<service>/… forwarded to that service for the signed-in
// operator's role — the browser never holds a service token. Every /ui response carries a CSP
// without inline scripts.
#include "core/blocking.hpp"
#include "dashboard/sessions.hpp"
#include "net/http_client.hpp"
#include "net/http_service.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tzr::dashboard {

struct DashboardOptions {
  std::string web_dir;                           // the built app: index.html, assets/…
  std::map<std::string, std::string> upstreams;  // service name → base URL (http://127.0.0.1:8084)
  std::string service_token;                     // admin bearer sent for moderator and admin calls; never logged
  std::vector<Operator> operators;
  bool secure_cookie = true;
  std::chrono::milliseconds upstream_timeout{15'000};
  // One sign-in attempt from this client IP may go ahead (a rate limit); null: always.
  std::function<boost::asio::awaitable<bool>(std::string ip)> allow_sign_in;
};

// Who may send what through /ui/api (pure; unit-tested): viewers read; moderators also record
// anti-bot verdicts and read the audit trail and the registration summary; admins may call
// everything, /admin/ routes included (the registration outcomes with their logins).
bool permitted(Role role, std::string_view method, std::string_view service_path);

class Dashboard {
 public:
  Dashboard(boost::asio::any_io_executor executor, DashboardOptions options, SessionStore& sessions, BlockingPool& blocking);
  ~Dashboard();
  // Reads the built app into memory. Error "dashboard_not_built" when web_dir has no index.html.
  Status load();
  // Answers every request under /ui (and leaves the others to the service's routes).
  net::Middleware middleware();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tzr::dashboard
