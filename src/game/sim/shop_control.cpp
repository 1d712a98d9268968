#include "game/sim/shop_control.hpp"

#include "core/json.hpp"
#include "net/http_errors.hpp"

#include <boost/json/array.hpp>

namespace tzr::game::sim {

namespace {
std::string attribute(const GameReply& m, const std::string& name) {
  auto it = m.attributes.find(name);
  return it == m.attributes.end() ? std::string() : it->second;
}
}  // namespace

std::vector<std::string> with_shop_bots(std::vector<std::string> extra) {
  for (auto& login : SimShops().bot_logins()) extra.push_back(login);
  return extra;
}

void install_shop_handlers(SimState& state, std::shared_ptr<SimShops> shops) {
  state.set_handler("SH", [shops](SimWorld&, SimSession& session, const GameReply& m) -> std::vector<std::string> {
    if (!session.login) return {R"(<ERROR msg="not logged in"/>)"};
    std::int64_t page = 0;
    try {
      page = std::stoll(attribute(m, "p"));
    } catch (...) {
      return {R"(<ERROR msg="bad page"/>)"};
    }
    auto answer = shops->answer(*session.login, attribute(m, "c"), attribute(m, "s"), page);
    switch (answer.action) {
      case SimShops::Action::drop:
        session.vars.insert_or_assign(std::string(kCloseConnectionVar), std::string(1, '1'));
        return {};
      case SimShops::Action::silent:
        return {};
      case SimShops::Action::reply:
        break;
    }
    return {answer.reply};
  });
}

void add_shop_control_routes(net::Router& router, SimShops& shops) {
  using net::HttpRequest;
  using net::HttpResponse;
  router.get("/sim/shops", [&shops](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    boost::json::array list;
    for (const auto& code : shops.shops())
      list.push_back({{"code", code}, {"items", static_cast<std::int64_t>(shops.inventory(code).size())}});
    co_return HttpResponse::json(200, boost::json::object{{"generation", shops.generation()}, {"shops", list}});
  });
  router.get("/sim/shops/{code}/items", [&shops](HttpRequest& req) -> boost::asio::awaitable<HttpResponse> {
    boost::json::array list;
    for (const auto& it : shops.inventory(std::string(req.param("code"))))
      list.push_back({{"id", it.id}, {"category", it.category}, {"name", it.name}, {"type", it.type},
                      {"price_cents", it.price_cents}, {"count", it.count ? boost::json::value(*it.count) : nullptr},
                      {"owner", it.owner ? boost::json::value(*it.owner) : nullptr}, {"grouped", it.grouped}});
    co_return HttpResponse::json(200, list);
  });
  router.post("/sim/shops/advance", [&shops](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    auto changes = shops.advance();
    co_return HttpResponse::json(200, shops.to_json(changes));
  });
  router.get("/sim/shops/changes", [&shops](HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
    co_return HttpResponse::json(200, shops.to_json(shops.last_changes()));
  });
  router.post("/sim/shops/fault", [&shops](HttpRequest& req) -> boost::asio::awaitable<HttpResponse> {
    auto body = json::parse_object(req.body);
    if (!body) co_return net::error_response(body.error(), req.request_id);
    SimShopFault fault;
    fault.mode = std::string(json::get_string(*body, "mode").value_or("drop"));
    if (fault.mode == "ok") {
      shops.clear_faults();
      co_return HttpResponse::json(200, boost::json::object{{"faults", "cleared"}});
    }
    if (fault.mode != "drop" && fault.mode != "error" && fault.mode != "silent")
      co_return net::error_response(Error::bad_request("mode must be drop, error, silent or ok"), req.request_id);
    fault.category = std::string(json::get_string(*body, "category").value_or(""));
    fault.from_page = json::get_int(*body, "from_page").value_or(0);
    fault.times = static_cast<int>(json::get_int(*body, "times").value_or(-1));
    shops.set_fault(fault);
    co_return HttpResponse::json(200, boost::json::object{{"fault", fault.mode}, {"category", fault.category}});
  });
}

}  // namespace tzr::game::sim
