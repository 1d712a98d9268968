#include "shop/routes.hpp"

#include "core/time_format.hpp"
#include "net/http_errors.hpp"
#include "shop/page_parser.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <cmath>

namespace tzr::shop {

namespace json = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using Awaitable = boost::asio::awaitable<HttpResponse>;

namespace {

constexpr std::int64_t kMaxLimit = 1000;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Error invalid(const std::string& field, const std::string& message) {
  Error e = Error::make(ErrorKind::unprocessable, "validation_error", field + ": " + message);
  e.fields.push_back({field, message});
  return e;
}

Result<std::optional<std::int64_t>> int_param(const HttpRequest& req, const std::string& name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<std::int64_t>{};
  auto v = parse_int(*raw);
  if (!v) return invalid(name, "must be an integer");
  return std::optional<std::int64_t>(*v);
}

Result<std::optional<std::int64_t>> price_param(const HttpRequest& req, const std::string& name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<std::int64_t>{};
  auto v = parse_float(*raw);
  if (!v) return invalid(name, "must be a number");
  return to_cents(v);
}

std::optional<std::string> text_param(const HttpRequest& req, const std::string& name) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

struct Paging {
  std::int64_t page = 1, limit = 100, offset = 0;
};

// page (1-based) and limit (clamped to 1..1000); offset, when given, overrides page.
Result<Paging> paging(const HttpRequest& req, std::int64_t default_limit = 100) {
  Paging p;
  p.limit = default_limit;
  auto page = int_param(req, "page");
  if (!page) return page.error();
  auto limit = int_param(req, "limit");
  if (!limit) return limit.error();
  auto offset = int_param(req, "offset");
  if (!offset) return offset.error();
  if (*page) {
    if (**page < 1) return invalid("page", "must be 1 or more");
    p.page = **page;
  }
  if (*limit) p.limit = std::clamp<std::int64_t>(**limit, 1, kMaxLimit);
  p.offset = (p.page - 1) * p.limit;
  if (*offset) {
    if (**offset < 0) return invalid("offset", "must be 0 or more");
    p.offset = **offset;
    p.page = p.offset / p.limit + 1;
  }
  return p;
}

HttpResponse envelope(json::array items, std::int64_t total, const Paging& p, json::object extra = {}) {
  json::object o = std::move(extra);
  o["items"] = std::move(items);
  o["total"] = total;
  o["page"] = p.page;
  o["limit"] = p.limit;
  o["offset"] = p.offset;
  return HttpResponse::json(200, o);
}

HttpResponse fail(const Error& e, const HttpRequest& req) { return net::error_response(e, req.request_id); }

Error not_found(std::string code, std::string message) { return Error::make(ErrorKind::not_found, std::move(code), std::move(message)); }

// The diff of snapshot to_id against from_id (default: the snapshot before it). Blocking.
Result<json::object> snapshot_diff(ShopService& service, std::int64_t to_id, std::optional<std::int64_t> from_id) {
  auto to = service.store().snapshot(to_id);
  if (!to) return to.error();
  if (!*to) return not_found("snapshot_not_found", "Snapshot " + std::to_string(to_id) + " not found");
  if (!from_id && !(**to)["previous_id"].is_null()) from_id = (**to)["previous_id"].as_int64();
  if (!from_id)
    return Error::make(ErrorKind::not_found, "no_previous_snapshot",
                       "Snapshot " + std::to_string(to_id) + " has no earlier snapshot; pass ?against=");
  auto from = service.store().snapshot(*from_id);
  if (!from) return from.error();
  if (!*from) return not_found("snapshot_not_found", "Snapshot " + std::to_string(*from_id) + " not found");
  if ((**from)["shop"] != (**to)["shop"]) return Error::bad_request("the two snapshots are of different shops", "shop_mismatch");
  auto changes = service.store().diff(*from_id, to_id);
  if (!changes) return changes.error();
  json::object summary;
  json::array list;
  for (const auto& c : *changes) {
    auto& n = summary[c.type];
    n = (n.is_int64() ? n.as_int64() : 0) + 1;
    list.push_back(change_json(c));
  }
  json::array comparable;  // categories read completely in both: the only ones with added/removed
  for (const auto& c : (**to)["categories"].as_array()) {
    if (c.at("status") != "ok") continue;
    for (const auto& d : (**from)["categories"].as_array())
      if (d.at("category") == c.at("category") && d.at("status") == "ok") comparable.push_back(c.at("category"));
  }
  return json::object{{"shop", (**to)["shop"]}, {"from", *from_id}, {"to", to_id}, {"summary", summary},
                      {"compared_categories", comparable}, {"changes", list}};
}

}  // namespace

void add_shop_routes(net::Router& router, ShopService& svc, storage::Database& db) {
  auto* service = &svc;
  auto* database = &db;

  // Checks shop_code against the configured shops (404 like the reference).
  auto shop_param = [service](const HttpRequest& req) -> Result<std::optional<std::string>> {
    auto code = text_param(req, "shop_code");
    if (!code) code = text_param(req, "shop");
    if (code && !service->has_shop(*code)) return not_found("shop_not_found", "Shop " + *code + " not found");
    return code;
  };

  router.get("/healthz", [](HttpRequest&) -> Awaitable {
    co_return HttpResponse::json(200, json::object{{"status", "ok"}, {"service", "API 5 - Shop Parser"}});
  });
  router.get("/shop/health", [](HttpRequest&) -> Awaitable {
    co_return HttpResponse::json(200, json::object{{"status", "ok"}, {"service", "Shop Parser Module"}});
  });
  router.get("/db/health", [service, database](HttpRequest& req) -> Awaitable {
    auto st_work = [database] { return database->ping(); };  // named: GCC 12 and temporaries in co_await
    auto st = co_await service->pool().run(std::move(st_work));
    if (!st) co_return fail(Error::unavailable("db_unavailable", "Database error: " + st.error().message), req);
    co_return HttpResponse::json(200, json::object{{"status", "ok"}, {"database", "connected"}});
  });

  router.get("/shops", [service](HttpRequest& req) -> Awaitable {
    auto shops_work = [service] { return service->store().shops(); };  // named: GCC 12 and temporaries in co_await
    auto shops = co_await service->pool().run(std::move(shops_work));
    if (!shops) co_return fail(shops.error(), req);
    Paging p{1, static_cast<std::int64_t>(shops->size()), 0};
    const auto n = static_cast<std::int64_t>(shops->size());
    co_return envelope(std::move(*shops), n, p);
  });

  router.get("/categories/list", [](HttpRequest&) -> Awaitable {
    json::array list;
    for (const auto& c : categories())
      list.push_back({{"code", c.code}, {"name", c.name}, {"group", c.group}, {"english", c.english}});
    Paging p{1, static_cast<std::int64_t>(list.size()), 0};
    const auto n = static_cast<std::int64_t>(list.size());
    co_return envelope(std::move(list), n, p);
  });

  // The item listing behind /items/list, /categories/{code}/items, /sellers/… .
  auto list_items = [service, shop_param](HttpRequest& req, ItemQuery q) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    if (*shop) q.shop = *shop;
    auto p = paging(req);
    if (!p) co_return fail(p.error(), req);
    if (!q.category) q.category = text_param(req, "category");
    q.search = text_param(req, "search");
    q.caliber = text_param(req, "caliber");
    if (!q.owner) q.owner = text_param(req, "owner");
    auto min = price_param(req, "min_price");
    if (!min) co_return fail(min.error(), req);
    auto max = price_param(req, "max_price");
    if (!max) co_return fail(max.error(), req);
    q.min_price_cents = *min;
    q.max_price_cents = *max;
    if (auto sort = text_param(req, "sort")) {
      if (!valid_item_sort(*sort))
        co_return fail(invalid("sort", "one of price, -price, txt, -txt, added_at, -added_at, first_seen, -first_seen, id, -id"), req);
      q.sort = *sort;
    }
    q.include_removed = req.query_param("include_removed") == std::optional<std::string>("true");
    q.limit = p->limit;
    q.offset = p->offset;
    auto items_work = [service, q] { return service->store().items(q); };  // named: GCC 12 and temporaries in co_await
    auto items = co_await service->pool().run(std::move(items_work));
    if (!items) co_return fail(items.error(), req);
    co_return envelope(std::move(items->items), items->total, *p);
  };

  router.get("/items/list", [list_items](HttpRequest& req) -> Awaitable {
    ItemQuery q;  // named: GCC 12 and temporaries in co_await
    auto r = co_await list_items(req, q);
    co_return r;
  });
  router.get("/categories/{code}/items", [list_items](HttpRequest& req) -> Awaitable {
    ItemQuery q;
    q.category = std::string(req.param("code"));
    auto r = co_await list_items(req, q);
    co_return r;
  });
  router.get("/sellers/search", [list_items](HttpRequest& req) -> Awaitable {
    auto owner = text_param(req, "owner");
    if (!owner) co_return fail(invalid("owner", "is required"), req);
    ItemQuery q;
    q.owner = owner;
    auto r = co_await list_items(req, q);
    co_return r;
  });
  router.get("/sellers/{owner}/items", [list_items](HttpRequest& req) -> Awaitable {
    ItemQuery q;
    q.owner = std::string(req.param("owner"));
    auto r = co_await list_items(req, q);
    co_return r;
  });
  router.get("/sellers/stats", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    auto min_items = int_param(req, "min_items");
    if (!min_items) co_return fail(min_items.error(), req);
    auto p = paging(req);
    if (!p) co_return fail(p.error(), req);
    const auto min = std::max<std::int64_t>(1, min_items->value_or(1));
    const auto limit = p->limit;
    auto code = *shop;
    auto stats_work = [service, code, min, limit] { return service->store().seller_stats(code, min, limit); };  // named: GCC 12 and temporaries in co_await
    auto stats = co_await service->pool().run(std::move(stats_work));
    if (!stats) co_return fail(stats.error(), req);
    const auto n = static_cast<std::int64_t>(stats->size());
    co_return envelope(std::move(*stats), n, *p);
  });

  router.get("/sellers/{owner}/summary", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    auto owner = std::string(req.param("owner"));
    auto code = *shop;
    auto summary_work = [service, owner, code] { return service->store().seller_summary(owner, code); };
    auto summary = co_await service->pool().run(std::move(summary_work));
    if (!summary) co_return fail(summary.error(), req);
    if (!*summary) co_return fail(not_found("seller_not_found", "Seller " + owner + " not found"), req);
    co_return HttpResponse::json(200, **summary);
  });
  router.get("/items/{id}", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto id = parse_int(req.param("id"));
    if (!id) co_return fail(invalid("item_id", "must be an integer"), req);
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    const auto item_id = *id;
    auto code = *shop;
    auto item_work = [service, item_id, code] { return service->store().item(item_id, code); };  // named: GCC 12 and temporaries in co_await
    auto item = co_await service->pool().run(std::move(item_work));
    if (!item) co_return fail(item.error(), req);
    if (!*item) co_return fail(not_found("item_not_found", "Item " + std::to_string(item_id) + " not found"), req);
    co_return HttpResponse::json(200, **item);
  });
  router.get("/items/{id}/history", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto id = parse_int(req.param("id"));
    if (!id) co_return fail(invalid("item_id", "must be an integer"), req);
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    const auto item_id = *id;
    auto code = *shop;
    auto history_work = [service, item_id, code] { return service->store().item_history(item_id, code); };  // named: GCC 12 and temporaries in co_await
    auto history = co_await service->pool().run(std::move(history_work));
    if (!history) co_return fail(history.error(), req);
    if (history->empty()) co_return fail(not_found("item_not_found", "Item " + std::to_string(item_id) + " not found"), req);
    co_return HttpResponse::json(200, json::object{{"item_id", item_id}, {"history", std::move(*history)}});
  });
  router.get("/templates/history", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto name = text_param(req, "name");
    auto type = text_param(req, "type");
    if (!name || !type) co_return fail(invalid(name ? "type" : "name", "is required"), req);
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    auto code = *shop;
    auto n = *name, t = *type;
    auto history_work = [service, n, t, code] { return service->store().template_history(n, t, code); };  // named: GCC 12 and temporaries in co_await
    auto history = co_await service->pool().run(std::move(history_work));
    if (!history) co_return fail(history.error(), req);
    co_return HttpResponse::json(200, json::object{{"name", n}, {"type", t}, {"history", std::move(*history)}});
  });

  router.get("/snapshots/list", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    auto p = paging(req);
    if (!p) co_return fail(p.error(), req);
    auto code = *shop;
    const auto limit = p->limit, offset = p->offset;
    auto list_work = [service, code, limit, offset] { return service->store().snapshots(code, limit, offset); };  // named: GCC 12 and temporaries in co_await
    auto list = co_await service->pool().run(std::move(list_work));
    if (!list) co_return fail(list.error(), req);
    co_return envelope(std::move(list->items), list->total, *p);
  });
  router.get("/snapshots/latest", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    if (!*shop) co_return fail(invalid("shop_code", "is required"), req);
    auto code = **shop;
    auto latest_work = [service, code]() -> Result<std::optional<json::object>> {
      auto id = service->store().latest_snapshot(code);
      if (!id) return id.error();
      if (!*id) return std::optional<json::object>{};
      return service->store().snapshot(**id);
    };  // named: GCC 12 and temporaries in co_await
    auto latest = co_await service->pool().run(std::move(latest_work));
    if (!latest) co_return fail(latest.error(), req);
    if (!*latest) co_return fail(not_found("no_snapshots", "No snapshots for " + code), req);
    co_return HttpResponse::json(200, **latest);
  });
  router.get("/snapshots/{id}", [service](HttpRequest& req) -> Awaitable {
    auto id = parse_int(req.param("id"));
    if (!id) co_return fail(invalid("snapshot_id", "must be an integer"), req);
    const auto sid = *id;
    auto snap_work = [service, sid] { return service->store().snapshot(sid); };  // named: GCC 12 and temporaries in co_await
    auto snap = co_await service->pool().run(std::move(snap_work));
    if (!snap) co_return fail(snap.error(), req);
    if (!*snap) co_return fail(not_found("snapshot_not_found", "Snapshot " + std::to_string(sid) + " not found"), req);
    co_return HttpResponse::json(200, **snap);
  });
  router.get("/snapshots/{id}/diff", [service](HttpRequest& req) -> Awaitable {
    auto id = parse_int(req.param("id"));
    if (!id) co_return fail(invalid("snapshot_id", "must be an integer"), req);
    auto against = int_param(req, "against");
    if (!against) co_return fail(against.error(), req);
    const auto to_id = *id;
    const auto explicit_from = *against;
    auto result_work = [service, to_id, explicit_from] { return snapshot_diff(*service, to_id, explicit_from); };
    auto result = co_await service->pool().run(std::move(result_work));
    if (!result) co_return fail(result.error(), req);
    co_return HttpResponse::json(200, *result);
  });
  // The newest snapshot of a shop against the one before it (the demo's one-liner).
  router.get("/snapshots/latest/diff", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    if (!*shop) co_return fail(invalid("shop_code", "is required"), req);
    auto code = **shop;
    auto result_work = [service, code]() -> Result<json::object> {
      auto id = service->store().latest_snapshot(code);
      if (!id) return id.error();
      if (!*id) return not_found("no_snapshots", "No snapshots for " + code);
      return snapshot_diff(*service, **id, std::nullopt);
    };
    auto result = co_await service->pool().run(std::move(result_work));
    if (!result) co_return fail(result.error(), req);
    co_return HttpResponse::json(200, *result);
  });

  // Analytics over the stored diffs.
  auto changes_route = [service, shop_param](HttpRequest& req, std::string type) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    auto p = paging(req);
    if (!p) co_return fail(p.error(), req);
    auto hours = int_param(req, "hours");
    if (!hours) co_return fail(hours.error(), req);
    std::optional<std::int64_t> since;
    if (*hours) since = unix_now() - **hours * 3600;
    double pct = 0;
    if (type == "price_changed") {
      pct = 10.0;
      if (auto raw = req.query_param("min_change_percent")) {
        auto v = parse_float(*raw);
        if (!v) co_return fail(invalid("min_change_percent", "must be a number"), req);
        pct = std::fabs(*v);
      }
    }
    auto code = *shop;
    const auto limit = p->limit, offset = p->offset;
    auto list_work = [service, code, type, since, pct, limit, offset] { return service->store().changes(code, type, since, pct, limit, offset); };  // named: GCC 12 and temporaries in co_await
    auto list = co_await service->pool().run(std::move(list_work));
    if (!list) co_return fail(list.error(), req);
    co_return envelope(std::move(list->items), list->total, *p);
  };
  router.get("/analytics/new-items", [changes_route](HttpRequest& req) -> Awaitable {
    std::string type = "added";  // named: GCC 12 and temporaries in co_await
    auto r = co_await changes_route(req, type);
    co_return r;
  });
  router.get("/analytics/sold-items", [changes_route](HttpRequest& req) -> Awaitable {
    std::string type = "removed";  // named: GCC 12 and temporaries in co_await
    auto r = co_await changes_route(req, type);
    co_return r;
  });
  router.get("/analytics/price-changes", [changes_route](HttpRequest& req) -> Awaitable {
    std::string type = "price_changed";  // named: GCC 12 and temporaries in co_await
    auto r = co_await changes_route(req, type);
    co_return r;
  });
  router.get("/analytics/count-changes", [changes_route](HttpRequest& req) -> Awaitable {
    std::string type = "count_changed";  // named: GCC 12 and temporaries in co_await
    auto r = co_await changes_route(req, type);
    co_return r;
  });
  // The newest snapshot of a shop against the one before it, in numbers.
  router.get("/analytics/market-activity", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    const std::string code = shop->value_or("moscow");
    auto activity_work = [service, code]() -> Result<json::object> {
      auto latest = service->store().latest_snapshot(code);
      if (!latest) return latest.error();
      if (!*latest) return Error::bad_request("Need at least 2 snapshots", "need_two_snapshots");
      auto to = service->store().snapshot(**latest);
      if (!to) return to.error();
      if ((**to)["previous_id"].is_null()) return Error::bad_request("Need at least 2 snapshots", "need_two_snapshots");
      const auto from_id = (**to)["previous_id"].as_int64();
      auto from = service->store().snapshot(from_id);
      if (!from) return from.error();
      auto changes = service->store().diff(from_id, **latest);
      if (!changes) return changes.error();
      auto old_owners = service->store().snapshot_owners(from_id);
      if (!old_owners) return old_owners.error();
      auto new_owners = service->store().snapshot_owners(**latest);
      if (!new_owners) return new_owners.error();
      std::int64_t added = 0, sold = 0, value_new = 0, value_sold = 0, new_sellers = 0;
      std::map<std::string, std::int64_t> by_category;
      for (const auto& c : *changes) {
        if (c.type == "added") {
          ++added;
          value_new += c.new_price_cents.value_or(0);
          ++by_category[c.category];
        } else if (c.type == "removed") {
          ++sold;
          value_sold += c.old_price_cents.value_or(0);
        }
      }
      for (const auto& o : *new_owners) new_sellers += old_owners->count(o) == 0;
      std::vector<std::pair<std::string, std::int64_t>> top(by_category.begin(), by_category.end());
      std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      json::array top_json;
      for (std::size_t i = 0; i < top.size() && i < 5; ++i) top_json.push_back({{"category", top[i].first}, {"new_items", top[i].second}});
      return json::object{{"shop_code", code}, {"from_snapshot", from_id}, {"to_snapshot", **latest},
                          {"period_start", (**from)["finished_at"]}, {"period_end", (**to)["finished_at"]},
                          {"new_items", added}, {"sold_items", sold}, {"new_sellers", new_sellers},
                          {"active_sellers", new_owners->size()}, {"total_value_new", static_cast<double>(value_new) / 100.0},
                          {"total_value_sold", static_cast<double>(value_sold) / 100.0}, {"top_categories", top_json}};
    };
    auto activity = co_await service->pool().run(std::move(activity_work));
    if (!activity) co_return fail(activity.error(), req);
    co_return HttpResponse::json(200, *activity);
  });
  router.get("/analytics/price-anomalies", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    auto min = int_param(req, "min_listings");
    if (!min) co_return fail(min.error(), req);
    auto p = paging(req);
    if (!p) co_return fail(p.error(), req);
    auto code = *shop;
    const auto min_listings = std::max<std::int64_t>(4, min->value_or(5));
    const auto limit = p->limit;
    auto work = [service, code, min_listings, limit] { return service->store().price_anomalies(code, min_listings, limit); };
    auto list = co_await service->pool().run(std::move(work));
    if (!list) co_return fail(list.error(), req);
    const auto n = static_cast<std::int64_t>(list->size());
    co_return envelope(std::move(*list), n, *p);
  });
  router.get("/analytics/seller-turnover", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    auto hours = int_param(req, "hours");
    if (!hours) co_return fail(hours.error(), req);
    auto p = paging(req);
    if (!p) co_return fail(p.error(), req);
    auto code = *shop;
    const auto since = unix_now() - hours->value_or(24 * 7) * 3600;
    const auto limit = p->limit;
    auto work = [service, code, since, limit] { return service->store().seller_turnover(code, since, limit); };
    auto list = co_await service->pool().run(std::move(work));
    if (!list) co_return fail(list.error(), req);
    const auto n = static_cast<std::int64_t>(list->size());
    co_return envelope(std::move(*list), n, *p);
  });
  router.get("/analytics/alerts", [service](HttpRequest& req) -> Awaitable {
    auto p = paging(req);
    if (!p) co_return fail(p.error(), req);
    const auto limit = p->limit, offset = p->offset;
    auto work = [service, limit, offset] { return service->store().alerts(limit, offset); };
    auto list = co_await service->pool().run(std::move(work));
    if (!list) co_return fail(list.error(), req);
    co_return envelope(std::move(list->items), list->total, *p);
  });
  router.get("/analytics/sell-through", [service, shop_param](HttpRequest& req) -> Awaitable {
    auto shop = shop_param(req);
    if (!shop) co_return fail(shop.error(), req);
    auto hours = int_param(req, "hours");
    if (!hours) co_return fail(hours.error(), req);
    const auto since = unix_now() - hours->value_or(24 * 7) * 3600;
    auto code = *shop;
    auto r_work = [service, code, since] { return service->store().sell_through(code, since); };  // named: GCC 12 and temporaries in co_await
    auto r = co_await service->pool().run(std::move(r_work));
    if (!r) co_return fail(r.error(), req);
    co_return HttpResponse::json(200, *r);
  });

  // Admin (bearer token, see features.cpp).
  router.post("/admin/snapshot/trigger", [service](HttpRequest& req) -> Awaitable {
    auto code = text_param(req, "shop_code");
    if (!code) co_return fail(invalid("shop_code", "is required"), req);
    auto job = service->trigger(*code, "admin");
    if (!job) co_return fail(job.error(), req);
    auto info = service->job(*job);
    auto resp = HttpResponse::json(202, json::object{{"job_id", *job}, {"shop_code", *code}, {"state", info ? info->state : "queued"},
                                                     {"status_url", "/admin/jobs/" + *job}});
    resp.headers.set("Location", "/admin/jobs/" + *job);
    co_return resp;
  });
  router.get("/admin/jobs/{id}", [service](HttpRequest& req) -> Awaitable {
    auto job = service->job(std::string(req.param("id")));
    if (!job) co_return fail(not_found("job_not_found", "Job " + std::string(req.param("id")) + " not found"), req);
    co_return HttpResponse::json(200, job->to_json());
  });
  router.get("/admin/bots/status", [service](HttpRequest&) -> Awaitable {
    json::array bots;
    for (const auto& b : service->bots())
      bots.push_back({{"shop_code", b.shop}, {"bot_login", b.login}, {"connected", b.connected}, {"authenticated", b.authenticated},
                      {"busy", b.busy}, {"queued_jobs", b.queued_jobs}, {"logins", b.logins}, {"login_refusals", b.login_refusals},
                      {"requests", b.requests}, {"failures", b.failures}, {"keepalives", b.keepalives},
                      {"last_activity", b.last_activity_unix ? json::value(iso_utc(b.last_activity_unix)) : nullptr},
                      {"breaker_open_until", b.breaker_open_until_unix ? json::value(iso_utc(b.breaker_open_until_unix)) : nullptr},
                      {"last_error", b.last_error.empty() ? json::value(nullptr) : json::value(b.last_error)},
                      {"lease", b.lease},
                      {"lease_holder", b.lease_holder.empty() ? json::value(nullptr) : json::value(b.lease_holder)}});
    co_return HttpResponse::json(200, json::object{{"bots", bots}});
  });
}

}  // namespace tzr::shop
