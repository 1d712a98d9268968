// Handlers parse and validate every parameter (a malformed or out-of-range value is a 400, an
// unknown metric a 422), run one read of aggregates.hpp on the blocking pool, shape it with the
// pure functions there, and answer JSON; errors use the one envelope (net::error_response).
// Lambdas given to the blocking pool capture the handler's locals by reference (see
// battles/routes.cpp for why).
#include "antibot/aggregate_routes.hpp"

#include "core/time_format.hpp"
#include "net/query_params.hpp"

#include "antibot/aggregates.hpp"
#include "antibot/list_params.hpp"
#include "battles/model_json.hpp"
#include "net/http_errors.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <memory>

namespace tzr::antibot {
namespace {

namespace bj = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using Awaitable = boost::asio::awaitable<HttpResponse>;

struct Context {
  storage::Database& db;
  BlockingPool& blocking;
  std::string default_tz;
};

using net::bad_param;
using net::int_param;

Result<double> threshold_param(const HttpRequest& req) {
  auto v = req.query_param("threshold");
  if (!v || v->empty()) return 2.0;
  char* end = nullptr;
  const double t = std::strtod(v->c_str(), &end);
  if (end != v->c_str() + v->size() || !std::isfinite(t) || t <= 0 || t > 100)
    return bad_param("threshold", "must be a number above 0 and at most 100");
  return t;
}

using Window = ListWindow;

std::string date_of(std::int64_t day) { return iso_utc(day * 86400).substr(0, 10); }

bj::object loc_json(std::int64_t x, std::int64_t y) { return bj::object{{"x", x}, {"y", y}}; }

bj::object point_json(const ResourcePoint& p) {
  return bj::object{{"resource", p.resource},
                    {"date", date_of(p.day)},
                    {"quantity", p.qty},
                    {"baseline_mean", p.baseline_mean},
                    {"baseline_sd", p.baseline_sd},
                    {"z_score", p.z ? bj::value(*p.z) : bj::value(nullptr)},
                    {"is_anomaly", p.is_anomaly}};
}

// The complete UTC days before the day of `until`: today's partial day would always read as a drop.
struct Days {
  std::int64_t first = 0, count = 0;
};
Days days_of(const Window& w) {
  const std::int64_t last = (w.until >= 0 ? w.until : w.until - 86399) / 86400;  // exclusive
  return {last - w.days, w.days};
}

bj::object day_head(const Window& w, const Days& d, double threshold) {
  return bj::object{{"ok", true},
                    {"period_days", w.days},
                    {"date_from", date_of(d.first)},
                    {"date_to", date_of(d.first + d.count - 1)},
                    {"day", "UTC"},
                    {"generated_at", iso_utc(unix_now_seconds())},
                    {"threshold", threshold},
                    {"method", "leave_one_out"}};
}

Result<TimeZone> zone_of(const HttpRequest& req, const Context& c) {
  return TimeZone::load(req.query_param("tz").value_or(c.default_tz));
}

}  // namespace

void add_aggregate_routes(net::Router& router, storage::Database& db, BlockingPool& blocking, std::string default_tz) {
  auto ctx = std::make_shared<Context>(Context{db, blocking, std::move(default_tz)});

  router.get("/analytics/players/top", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto page = list_page(req, 10, 100);
    if (!page) co_return net::error_response(page.error(), req.request_id);
    auto min_battles = int_param(req, "min_battles", 10, 1, 100'000);
    if (!min_battles) co_return net::error_response(min_battles.error(), req.request_id);
    // sort_by is what the reference's dashboard sends (D20); it is the same parameter.
    auto metric_text = req.query_param("metric"), sort_by = req.query_param("sort_by");
    if (metric_text && sort_by && *metric_text != *sort_by)
      co_return net::error_response(bad_param("metric", "metric and sort_by disagree"), req.request_id);
    std::string allowed;
    for (auto n : player_metric_names()) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
    const std::string name = metric_text ? *metric_text : sort_by.value_or("battles_count");
    auto metric = parse_player_metric(name);
    if (!metric)
      co_return net::error_response(bad_param("metric", "must be one of " + allowed, ErrorKind::unprocessable), req.request_id);
    auto players = co_await ctx->blocking.run([&ctx, &w, &min_battles] {
      return read_player_totals(ctx->db, w->span(), *min_battles);
    });
    if (!players) co_return net::error_response(players.error(), req.request_id);
    rank_players(*players, *metric);
    bj::object o = list_head(*w);
    o["metric"] = player_metric_name(*metric);
    o["min_battles"] = *min_battles;
    put_page(o, *players, *page, [m = *metric](const PlayerTotals& p, std::size_t i) {
      const double n = static_cast<double>(p.battles);
      return bj::object{{"rank", i + 1},
                        {"login", p.login},
                        {"value", metric_value(p, m)},
                        {"battles_count", p.battles},
                        {"wins", p.wins},
                        {"losses", p.battles - p.wins},
                        {"survival_rate", static_cast<double>(p.wins) / n},
                        {"kills_monsters", p.kills_monsters},
                        {"kills_players", p.kills_players},
                        {"kills_monsters_avg", static_cast<double>(p.kills_monsters) / n},
                        {"kills_players_avg", static_cast<double>(p.kills_players) / n},
                        {"rank_points_avg", p.rank_points_sum / n},
                        {"pve_points_avg", static_cast<double>(p.pve_points_sum) / n},
                        {"pvp_battles", p.pvp_battles}};
    });
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/time/activity-heatmap", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto zone = co_await ctx->blocking.run([&req, &ctx] { return zone_of(req, *ctx); });  // reads a TZif file
    if (!zone) co_return net::error_response(zone.error(), req.request_id);
    auto slots = co_await ctx->blocking.run([&ctx, &w] { return read_time_slots(ctx->db, w->span()); });
    if (!slots) co_return net::error_response(slots.error(), req.request_id);
    const auto cells = activity_cells(*slots, *zone);
    std::int64_t total = 0;
    for (auto n : cells) total += n;
    bj::object o = list_head(*w);
    o["tz"] = zone->name();
    o["weekdays"] = "ISO, 1 = Monday";
    o["total_battles"] = total;
    o["items"] = heatmap_json(cells);
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/time/peak-hours", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto zone = co_await ctx->blocking.run([&req, &ctx] { return zone_of(req, *ctx); });  // reads a TZif file
    if (!zone) co_return net::error_response(zone.error(), req.request_id);
    auto slots = co_await ctx->blocking.run([&ctx, &w] { return read_time_slots(ctx->db, w->span()); });
    if (!slots) co_return net::error_response(slots.error(), req.request_id);
    const auto hours = peak_hours(*slots, *zone);
    bj::array items;
    std::int64_t total = 0;
    int peak = -1;
    for (int h = 0; h < 24; ++h) {
      const auto& x = hours[static_cast<std::size_t>(h)];
      total += x.total;
      if (x.total > 0 && (peak < 0 || x.total > hours[static_cast<std::size_t>(peak)].total)) peak = h;
      items.push_back(bj::object{{"hour", h}, {"total_battles", x.total}, {"pvp_battles", x.pvp}, {"pve_battles", x.pve},
                                 {"mixed_battles", x.mixed}, {"other_battles", x.other}});
    }
    bj::object o = list_head(*w);
    o["tz"] = zone->name();
    o["total_battles"] = total;
    o["peak_hour"] = peak < 0 ? bj::value(nullptr) : bj::value(peak);
    o["items"] = std::move(items);
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/map/clan-control", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto page = list_page(req, 10, 50);
    if (!page) co_return net::error_response(page.error(), req.request_id);
    auto control = co_await ctx->blocking.run([&ctx, &w]() -> Result<std::vector<LocationControl>> {
      auto clans = read_location_clans(ctx->db, w->span());
      if (!clans) return clans.error();
      auto battles = read_location_battles(ctx->db, w->span());
      if (!battles) return battles.error();
      return clan_control(*clans, *battles);
    });
    if (!control) co_return net::error_response(control.error(), req.request_id);
    auto share_json = [](const ClanShare& s) {
      return bj::object{{"clan", s.clan}, {"participations", s.participations}, {"share", s.share}};
    };
    bj::object o = list_head(*w);
    put_page(o, *control, *page, [&share_json](const LocationControl& c, std::size_t) {
      return bj::object{{"loc", loc_json(c.loc_x, c.loc_y)},
                        {"battles", c.battles},
                        {"participations", c.participations},
                        {"clan_participations", c.clan_participations},
                        {"clans", c.clans},
                        {"dominant_clan", c.dominant.clan},
                        {"dominant", share_json(c.dominant)},
                        {"runner_up", c.runner_up ? bj::value(share_json(*c.runner_up)) : bj::value(nullptr)}};
    });
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/clans/wars", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto page = list_page(req, 20, 100);
    if (!page) co_return net::error_response(page.error(), req.request_id);
    auto wars = co_await ctx->blocking.run([&ctx, &w] { return read_clan_wars(ctx->db, w->span()); });
    if (!wars) co_return net::error_response(wars.error(), req.request_id);
    bj::object o = list_head(*w);
    put_page(o, *wars, *page, [](const ClanWar& x, std::size_t) {
      return bj::object{{"clan1", x.clan1}, {"clan2", x.clan2}, {"battles", x.battles},
                        {"last_battle_at", iso_utc(x.last_ts)}};
    });
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/clans/{clan}/members", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto page = list_page(req, 50, 200);
    if (!page) co_return net::error_response(page.error(), req.request_id);
    const std::string clan(req.param("clan"));
    if (clan.empty() || clan.size() > 100)
      co_return net::error_response(bad_param("clan", "must be 1 to 100 bytes"), req.request_id);
    auto members = co_await ctx->blocking.run([&ctx, &w, &clan] { return read_clan_members(ctx->db, w->span(), clan); });
    if (!members) co_return net::error_response(members.error(), req.request_id);
    std::int64_t battles = 0;
    for (const auto& m : *members) battles += m.battles;
    bj::object o = list_head(*w);
    o["clan"] = clan;
    o["participations"] = battles;
    put_page(o, *members, *page, [](const ClanMember& m, std::size_t) {
      return bj::object{{"login", m.login}, {"battles", m.battles}, {"wins", m.wins}, {"losses", m.battles - m.wins},
                        {"win_rate", ratio(m.wins, m.battles)}, {"last_battle_at", iso_utc(m.last_ts)}};
    });
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/anomalies", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 7, 3, 365);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto threshold = threshold_param(req);
    if (!threshold) co_return net::error_response(threshold.error(), req.request_id);
    auto page = list_page(req, 100, 1000);
    if (!page) co_return net::error_response(page.error(), req.request_id);
    const Days d = days_of(*w);
    auto rows = co_await ctx->blocking.run([&ctx, &d] { return read_resource_days(ctx->db, d.first, d.count); });
    if (!rows) co_return net::error_response(rows.error(), req.request_id);
    auto points = score_resource_days(zero_filled(*rows, d.first, d.count), *threshold);
    order_by_unusualness(points);
    std::int64_t anomalies = 0;
    for (const auto& p : points) anomalies += p.is_anomaly;
    bj::object o = day_head(*w, d, *threshold);
    o["anomalies_count"] = anomalies;
    put_page(o, points, *page, [](const ResourcePoint& p, std::size_t) { return point_json(p); });
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/economy/resources", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto threshold = threshold_param(req);
    if (!threshold) co_return net::error_response(threshold.error(), req.request_id);
    const Days d = days_of(*w);
    auto rows = co_await ctx->blocking.run([&ctx, &d] { return read_resource_days(ctx->db, d.first, d.count); });
    if (!rows) co_return net::error_response(rows.error(), req.request_id);
    const auto filled = zero_filled(*rows, d.first, d.count);
    std::vector<std::int64_t> totals(static_cast<std::size_t>(d.count));
    for (const auto& r : filled) totals[static_cast<std::size_t>(r.day - d.first)] += r.qty;
    bj::array items, daily_totals, anomalies;
    for (std::int64_t day = d.first; day < d.first + d.count; ++day) {  // by date, then resource
      const auto total = totals[static_cast<std::size_t>(day - d.first)];
      daily_totals.push_back(bj::object{{"date", date_of(day)}, {"total", total}});
      for (const auto& r : filled)
        if (r.day == day)
          items.push_back(bj::object{{"date", date_of(day)}, {"resource", r.resource}, {"qty", r.qty},
                                     {"share", total > 0 ? static_cast<double>(r.qty) / static_cast<double>(total) : 0.0}});
    }
    auto points = score_resource_days(filled, *threshold);
    order_by_unusualness(points);
    for (const auto& p : points)
      if (p.is_anomaly) anomalies.push_back(point_json(p));
    bj::object o = day_head(*w, d, *threshold);
    o["items"] = std::move(items);
    o["daily_totals"] = std::move(daily_totals);
    o["anomalies"] = std::move(anomalies);
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/pve/monsters/breakdown", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto page = list_page(req, 100, 1000);
    if (!page) co_return net::error_response(page.error(), req.request_id);
    std::optional<std::pair<std::int64_t, std::int64_t>> loc;
    const bool has_x = req.query_param("loc_x").has_value(), has_y = req.query_param("loc_y").has_value();
    if (has_x != has_y)
      co_return net::error_response(bad_param(has_x ? "loc_y" : "loc_x", "loc_x and loc_y go together"), req.request_id);
    if (has_x) {
      auto x = int_param(req, "loc_x", 0, -1'000'000, 1'000'000);
      if (!x) co_return net::error_response(x.error(), req.request_id);
      auto y = int_param(req, "loc_y", 0, -1'000'000, 1'000'000);
      if (!y) co_return net::error_response(y.error(), req.request_id);
      loc = std::pair(*x, *y);
    }
    auto rows = co_await ctx->blocking.run([&ctx, &w, &loc] { return read_monster_breakdown(ctx->db, w->span(), loc); });
    if (!rows) co_return net::error_response(rows.error(), req.request_id);
    bj::object o = list_head(*w);
    o["loc"] = loc ? bj::value(loc_json(loc->first, loc->second)) : bj::value(nullptr);
    put_page(o, *rows, *page, [](const MonsterRow& m, std::size_t) {
      return bj::object{{"kind", m.kind}, {"spec", m.spec}, {"count", m.count}, {"battles", m.battles},
                        {"avg_per_battle", ratio(m.count, m.battles)}};
    });
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/monster/{kind}", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    const std::string kind(req.param("kind"));
    if (kind.empty() || kind.size() > 100)
      co_return net::error_response(bad_param("kind", "must be 1 to 100 characters"), req.request_id);
    auto stats = co_await ctx->blocking.run([&ctx, &w, &kind] { return read_monster_stats(ctx->db, w->span(), kind); });
    if (!stats) co_return net::error_response(stats.error(), req.request_id);
    if (!*stats)
      co_return net::error_response(Error::make(ErrorKind::not_found, "monster_not_found", "no battle has this monster kind"),
                                    req.request_id);
    const auto& s = **stats;
    bj::array variants;
    for (const auto& v : s.variants)
      variants.push_back(bj::object{{"kind", v.kind}, {"spec", v.spec}, {"count", v.count}, {"battles", v.battles}});
    bj::object o = list_head(*w);
    o["kind"] = s.kind;
    o["battles_count"] = s.battles;
    o["total_count"] = s.total_count;
    o["avg_per_battle"] = ratio(s.total_count, s.battles);
    o["participations"] = s.participations;
    o["survived"] = s.survived;
    o["player_survival_rate"] = ratio(s.survived, s.participations);
    o["variants"] = std::move(variants);
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/stats", [ctx](HttpRequest& req) -> Awaitable {
    auto w = list_window(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto s = co_await ctx->blocking.run([&ctx, &w] { return read_global_stats(ctx->db, w->span()); });
    if (!s) co_return net::error_response(s.error(), req.request_id);
    bj::object o = list_head(*w);
    o["battles"] = bj::object{{"total", s->battles},
                              {"pvp", s->pvp},
                              {"pve", s->pve},
                              {"mixed", s->mixed},
                              {"active_days", s->active_days},
                              {"avg_players_per_battle", ratio(s->players_sum, s->battles)},
                              {"avg_monsters_per_battle", ratio(s->monsters_sum, s->battles)}};
    o["players"] = bj::object{{"unique_players", s->unique_players}, {"unique_clans", s->unique_clans},
                              {"participations", s->participations}};
    o["resources"] = bj::object{{"unique_resources", s->unique_resources}, {"total_quantity", s->resource_quantity},
                                {"battles_with_resources", s->resource_battles}};
    co_return HttpResponse::json(200, o);
  });
}

}  // namespace tzr::antibot
