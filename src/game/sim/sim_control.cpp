#include "game/sim/sim_control.hpp"

#include "core/json.hpp"
#include "net/http_errors.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace tzr::game::sim {

namespace {

using net::HttpRequest;
using net::HttpResponse;

// A slow reply longer than this is a mistake in a test, not a scenario.
constexpr std::int64_t kMaxDelayMs = 600'000;

boost::json::object fault_json(const FaultSetting& f) {
  return {{"mode", std::string(to_string(f.mode))}, {"delay_ms", f.delay.count()}};
}

Error bad_mode(std::string message) { return Error::make(ErrorKind::validation, "bad_mode", std::move(message)); }

struct ModeRequest {
  FaultSetting fault;
  bool next_connection_only = false;
};

Result<ModeRequest> parse_mode_request(std::string_view body) {
  auto object = json::parse_object(body);
  if (!object) return object.error();
  ModeRequest out;
  auto mode_name = json::get_string(*object, "mode");
  if (!mode_name) return bad_mode("\"mode\" (string) is required");
  auto mode = fault_mode_from_string(*mode_name);
  if (!mode) {
    std::string names;
    for (auto n : fault_mode_names()) names += (names.empty() ? "" : ", ") + std::string(n);
    return bad_mode("unknown mode '" + std::string(*mode_name) + "' (one of: " + names + ")");
  }
  out.fault.mode = *mode;
  if (object->contains("delay_ms")) {
    auto delay = json::get_int(*object, "delay_ms");
    if (!delay || *delay < 0 || *delay > kMaxDelayMs)
      return bad_mode("\"delay_ms\" must be an integer from 0 to " + std::to_string(kMaxDelayMs));
    out.fault.delay = std::chrono::milliseconds(*delay);
  }
  auto scope = json::get_string(*object, "scope").value_or("global");
  if (scope == "next_connection") {
    out.next_connection_only = true;
  } else if (scope != "global") {
    return bad_mode("\"scope\" must be \"global\" or \"next_connection\"");
  }
  return out;
}

}  // namespace

void add_control_routes(net::Router& router, SimState& state) {
  router.get("/health", [](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    co_return HttpResponse::json(200, boost::json::object{{"ok", true}, {"status", "ok"}});
  });

  router.get("/sim/received", [&state](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    boost::json::array out;
    for (const auto& m : state.received())
      out.push_back(boost::json::object{{"conn", m.conn}, {"tag", m.tag}, {"raw", m.raw}, {"at_ms", m.at_ms}});
    co_return HttpResponse::json(200, out);
  });

  router.get("/sim/sessions", [&state](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    boost::json::object out;
    for (const auto& [login, s] : state.sessions())
      out[login] = boost::json::object{{"open", s.open}, {"max_open", s.max_open}, {"logins", s.logins}};
    co_return HttpResponse::json(200, out);
  });

  router.get("/sim/accounts", [&state](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    boost::json::array out;
    for (const auto& a : state.accounts())
      out.push_back(boost::json::object{{"id", a.id},
                                        {"login", a.login},
                                        {"password_hash", a.password_hash},
                                        {"gender", a.gender},
                                        {"email", a.email}});
    co_return HttpResponse::json(200, out);
  });

  router.get("/sim/mode", [&state](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    auto body = fault_json(state.global_fault());
    auto next = state.next_connection_fault();
    body["next_connection"] = next ? boost::json::value(fault_json(*next)) : boost::json::value(nullptr);
    co_return HttpResponse::json(200, body);
  });

  router.post("/sim/mode", [&state](HttpRequest& req) -> boost::asio::awaitable<HttpResponse> {
    auto parsed = parse_mode_request(req.body);
    if (!parsed) co_return net::error_response(parsed.error(), req.request_id);
    if (parsed->next_connection_only) {
      state.set_next_connection_fault(parsed->fault);
    } else {
      state.set_global_fault(parsed->fault);
    }
    auto body = fault_json(parsed->fault);
    body["ok"] = true;
    body["scope"] = parsed->next_connection_only ? "next_connection" : "global";
    co_return HttpResponse::json(200, body);
  });

  router.post("/sim/reset", [&state](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    state.reset();
    co_return HttpResponse::json(200, boost::json::object{{"ok", true}});
  });
}

}  // namespace tzr::game::sim
