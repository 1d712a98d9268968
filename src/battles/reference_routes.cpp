// Routes of the battles' reference data: monster kinds with their names, map templates and item
// names (battles/reference_data.hpp). Read-only, no authentication, like the battle reads.
#include "battles/feature.hpp"
#include "battles/reference_data.hpp"
#include "net/http_errors.hpp"
#include "net/query_params.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace tzr::battles {
namespace json = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using Awaitable = boost::asio::awaitable<HttpResponse>;

namespace {

json::object kind_json(const MonsterKindName& k) {
  return json::object{{"kind", k.kind}, {"name_en", k.name_en}, {"name_ru", k.name_ru}};
}

// limit in [1, max], default def; an error response otherwise.
Result<int> limit_of(const HttpRequest& req, int def, int max) {
  auto v = req.query_param("limit");
  if (!v) return def;
  int n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || p != v->data() + v->size() || n < 1 || n > max)
    return net::bad_param("limit", "must be between 1 and " + std::to_string(max));
  return n;
}

HttpResponse not_found(std::string code, std::string message, const HttpRequest& req) {
  return net::error_response(Error::make(ErrorKind::not_found, std::move(code), std::move(message)), req.request_id);
}

}  // namespace

void add_reference_routes(net::Router& router, BattlesFeature& f) {
  router.get("/monsters", [](HttpRequest&) -> Awaitable {
    json::array out;
    for (const auto& k : monster_kind_names()) out.push_back(kind_json(k));
    co_return HttpResponse::json(200, json::object{{"ok", true}, {"monsters", std::move(out)}});
  });

  router.get("/monsters/{kind}", [&f](HttpRequest& req) -> Awaitable {
    const std::string kind(req.param("kind"));
    const auto& all = monster_kind_names();
    auto it = std::find_if(all.begin(), all.end(), [&kind](const MonsterKindName& k) { return k.kind == kind; });
    if (it == all.end()) co_return not_found("monster_kind_not_found", "no such monster kind (see GET /monsters)", req);
    auto stats = co_await f.blocking().run([&f, &kind] { return monster_kind_stats(f.store().database(), kind); });
    if (!stats) co_return net::error_response(stats.error(), req.request_id);
    json::object body = kind_json(*it);
    body["ok"] = true;
    body["seen"] = std::move(*stats);
    co_return HttpResponse::json(200, body);
  });

  router.get("/maps", [&f](HttpRequest& req) -> Awaitable {
    auto limit = limit_of(req, 100, 1000);
    if (!limit) co_return net::error_response(limit.error(), req.request_id);
    auto maps = co_await f.blocking().run([&f, &limit] { return list_map_templates(f.store().database(), *limit); });
    if (!maps) co_return net::error_response(maps.error(), req.request_id);
    json::array out;
    for (auto& m : *maps) out.push_back(std::move(m));
    co_return HttpResponse::json(200, json::object{{"ok", true}, {"maps", std::move(out)}});
  });

  router.get("/maps/{id}", [&f](HttpRequest& req) -> Awaitable {
    const std::string id(req.param("id"));
    if (id.size() > 64) co_return not_found("map_not_found", "no such map", req);
    auto map = co_await f.blocking().run([&f, &id] { return read_map_template(f.store().database(), id); });
    if (!map) co_return net::error_response(map.error(), req.request_id);
    if (!*map) co_return not_found("map_not_found", "no such map", req);
    const auto& m = **map;
    json::array rows;
    std::size_t width = 0;
    for (const auto& r : m.rows) {
      rows.push_back(json::string(r));
      width = std::max(width, r.size());
    }
    co_return HttpResponse::json(
        200, json::object{{"ok", true},
                          {"map_id", m.map_id},
                          {"height", m.rows.size()},
                          {"width", width},
                          {"rows", std::move(rows)},
                          {"checksum", "sha256:" + m.checksum},
                          {"first_battle_id", m.first_battle_id},
                          {"first_seen_ts", m.first_seen_ts ? json::value(*m.first_seen_ts) : json::value(nullptr)}});
  });

  router.get("/items", [&f](HttpRequest& req) -> Awaitable {
    auto limit = limit_of(req, 500, 5000);
    if (!limit) co_return net::error_response(limit.error(), req.request_id);
    auto items = co_await f.blocking().run([&f, &limit] { return list_item_names(f.store().database(), *limit); });
    if (!items) co_return net::error_response(items.error(), req.request_id);
    json::array out;
    for (auto& i : *items) out.push_back(std::move(i));
    co_return HttpResponse::json(200, json::object{{"ok", true}, {"items", std::move(out)}});
  });
}

}  // namespace tzr::battles
