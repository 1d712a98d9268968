// Handlers parse and validate every parameter (400 for a malformed or out-of-range value, 422 for
// an unknown sort or risk), run one read and the pure code of ratings.hpp / churn.hpp on the
// blocking pool, and answer the list envelope of list_params.hpp. Lambdas given to the blocking
// pool capture the handler's locals by reference (see battles/routes.cpp for why).
#include "antibot/rating_routes.hpp"

#include "antibot/churn.hpp"
#include "antibot/list_params.hpp"
#include "antibot/ratings.hpp"
#include "antibot/store.hpp"
#include "battles/model_json.hpp"
#include "core/time_format.hpp"
#include "net/http_errors.hpp"
#include "net/query_params.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <map>
#include <memory>

namespace tzr::antibot {
namespace {

namespace bj = boost::json;
using net::bad_param;
using net::HttpRequest;
using net::HttpResponse;
using Awaitable = boost::asio::awaitable<HttpResponse>;

struct Context {
  storage::Database& db;
  BlockingPool& blocking;
  AntibotHttp& antibot;
  PlaystyleModelSource playstyle;
};

constexpr EloOptions kElo{};

double tenths(double x) { return std::round(x * 10) / 10; }

bj::object rating_json(const PlayerRating& p, std::size_t i) {
  bj::array history;
  for (double x : p.history) history.push_back(tenths(x));
  return bj::object{{"rank", i + 1},
                    {"login", p.login},
                    {"elo", tenths(p.elo)},
                    {"peak_elo", tenths(p.peak)},
                    {"wins", p.wins},
                    {"losses", p.losses},
                    {"draws", p.draws},
                    {"win_rate", ratio(p.wins, p.battles)},
                    {"total_battles", p.battles},
                    {"last_battle_at", iso_utc(p.last_ts)},
                    {"history", std::move(history)}};
}

// ctx is owned by the routes (the router outlives every request).
// The ladder of one kind: rate every battle of the window, list the players with min_battles.
Awaitable elo_route(Context& ctx, HttpRequest& req, bool pve) {
  auto w = list_window(req, 30);
  if (!w) co_return net::error_response(w.error(), req.request_id);
  auto page = list_page(req, 50, 200);
  if (!page) co_return net::error_response(page.error(), req.request_id);
  auto min_battles = net::int_param(req, "min_battles", 10, 1, 100'000);
  if (!min_battles) co_return net::error_response(min_battles.error(), req.request_id);
  auto ladder = co_await ctx.blocking.run([&ctx, &w, pve]() -> Result<Ladder> {
    auto battles = pve ? read_pve_battles(ctx.db, w->span()) : read_pvp_battles(ctx.db, w->span());
    if (!battles) return battles.error();
    return pve ? rate_pve(std::move(*battles), kElo) : rate_pvp(std::move(*battles), kElo);
  });
  if (!ladder) co_return net::error_response(ladder.error(), req.request_id);
  std::erase_if(ladder->players, [&min_battles](const PlayerRating& p) { return p.battles < *min_battles; });
  bj::object o = list_head(*w);
  o["kind"] = pve ? "pve" : "pvp";
  o["rating"] = bj::object{{"system", pve ? "elo_vs_encounter" : "team_elo"},
                           {"initial", kElo.initial},
                           {"k", kElo.k},
                           {"monster_k", pve ? bj::value(kElo.monster_k) : bj::value(nullptr)},
                           {"history_points", kElo.history_points}};
  o["min_battles"] = *min_battles;
  o["battles_rated"] = ladder->battles_rated;
  o["battles_skipped"] = ladder->battles_skipped;
  if (pve) {
    bj::array monsters;
    for (const auto& m : ladder->monsters) monsters.push_back(bj::object{{"kind", m.kind}, {"elo", tenths(m.elo)}, {"battles", m.battles}});
    o["monsters"] = std::move(monsters);
  }
  put_page(o, ladder->players, *page, rating_json);
  co_return HttpResponse::json(200, o);
}

// What the churn rows say about bots and playstyles, and why a field is null.
struct Models {
  std::shared_ptr<const InstalledModel> detector;
  std::shared_ptr<const PlaystyleModel> playstyle;
  std::string detector_status;  // ok, model_not_trained, window_mismatch
};

bj::object churn_json(const ChurnEstimate& e, std::size_t i, const PlayerHistory* h, const Models& m, const ListWindow& w) {
  bj::object o{{"rank", i + 1},
               {"login", e.login},
               {"churn_score", e.churn_score},
               {"risk", churn_risk_name(e.risk)},
               {"activity_drop", e.activity_drop},
               {"inactivity", e.inactivity},
               {"days_since_last_battle", e.days_since_last_battle},
               {"last_battle_at", iso_utc(e.last_ts)},
               {"battles", e.battles},
               {"battles_first_half", e.first_half},
               {"battles_second_half", e.second_half},
               {"is_bot", nullptr},
               {"detection", nullptr},
               {"playstyle", nullptr},
               {"playstyle_display_name", nullptr},
               {"playstyle_display_name_en", nullptr}};
  if (!h) return o;
  if (m.detector_status == "ok") {
    const auto d = m.detector->detector.detect(compute_features(h->battles, {.window_end = w.until, .window_days = w.days}));
    if (d.eligible) {
      o["is_bot"] = d.is_bot;
      o["detection"] = bj::object{{"score", d.score}, {"is_bot", d.is_bot}, {"method", d.method}};
    }
  }
  if (m.playstyle)
    if (auto c = m.playstyle->classify(*h)) {
      o["playstyle"] = playstyle_code(c->playstyle);
      o["playstyle_display_name"] = playstyle_name_ru(c->playstyle);
      o["playstyle_display_name_en"] = playstyle_name_en(c->playstyle);
    }
  return o;
}

Awaitable churn_route(Context& ctx, HttpRequest& req) {
  auto w = list_window(req, 30, 2, 365);
  if (!w) co_return net::error_response(w.error(), req.request_id);
  auto page = list_page(req, 50, 200);
  if (!page) co_return net::error_response(page.error(), req.request_id);
  auto min_battles = net::int_param(req, "min_battles", 5, 1, 100'000);
  if (!min_battles) co_return net::error_response(min_battles.error(), req.request_id);
  const std::string sort_text = req.query_param("sort").value_or("risk");
  auto order = parse_churn_order(sort_text);
  if (!order) co_return net::error_response(bad_param("sort", "must be risk or activity", ErrorKind::unprocessable), req.request_id);
  std::optional<ChurnRisk> only;
  if (auto r = req.query_param("risk"); r && !r->empty()) {
    only = parse_churn_risk(*r);
    if (!only)
      co_return net::error_response(bad_param("risk", "must be high, medium or low", ErrorKind::unprocessable), req.request_id);
  }
  Models models{installed_detector(ctx.antibot), ctx.playstyle ? ctx.playstyle() : nullptr, "model_not_trained"};
  if (models.detector) models.detector_status = models.detector->window_days == w->days ? "ok" : "window_mismatch";
  auto answer = co_await ctx.blocking.run([&ctx, &w, &page, &min_battles, &order, &only, &models]() -> Result<bj::object> {
    auto histories = read_histories(ctx.db, w->span().from, w->until);
    if (!histories) return histories.error();
    const ChurnOptions options{.window_end = w->until, .window_days = w->days, .min_battles = *min_battles};
    std::vector<ChurnEstimate> all;
    std::map<std::string, const PlayerHistory*> by_key;
    for (const auto& h : *histories)
      if (auto e = estimate_churn(h, options)) {
        all.push_back(std::move(*e));
        by_key[h.login_key] = &h;
      }
    order_churn(all, *order);
    std::int64_t counts[3] = {0, 0, 0};
    for (const auto& e : all) ++counts[static_cast<int>(e.risk)];
    bj::array histogram;
    const auto bins = churn_histogram(all);
    for (std::size_t i = 0; i < bins.size(); ++i)
      histogram.push_back(bj::object{{"from", static_cast<double>(i) / 10}, {"to", static_cast<double>(i + 1) / 10}, {"players", bins[i]}});
    std::vector<ChurnEstimate> listed;
    for (auto& e : all)
      if (!only || e.risk == *only) listed.push_back(e);
    bj::object o = list_head(*w);
    o["min_battles"] = *min_battles;
    o["sort"] = *order == ChurnOrder::risk ? "risk" : "activity";
    o["risk"] = only ? bj::value(churn_risk_name(*only)) : bj::value(nullptr);
    o["score"] = "max(activity_drop, inactivity)";
    o["thresholds"] = bj::object{{"high", 0.7}, {"medium", 0.4}};
    o["players"] = all.size();
    o["counts"] = bj::object{{"high", counts[2]}, {"medium", counts[1]}, {"low", counts[0]}};
    o["histogram"] = std::move(histogram);
    o["detector"] = bj::object{{"status", models.detector_status},
                               {"model_version", models.detector ? bj::value(models.detector->version) : bj::value(nullptr)},
                               {"window_days", models.detector ? bj::value(models.detector->window_days) : bj::value(nullptr)}};
    o["playstyle_model"] = models.playstyle ? bj::value(models.playstyle->version()) : bj::value(nullptr);
    put_page(o, listed, *page, [&by_key, &models, &w](const ChurnEstimate& e, std::size_t i) {
      auto it = by_key.find(e.login_key);
      return churn_json(e, i, it == by_key.end() ? nullptr : it->second, models, *w);
    });
    return o;
  });
  if (!answer) co_return net::error_response(answer.error(), req.request_id);
  co_return HttpResponse::json(200, *answer);
}

}  // namespace

void add_rating_routes(net::Router& router, storage::Database& db, BlockingPool& blocking, AntibotHttp& antibot,
                       PlaystyleModelSource playstyle) {
  auto ctx = std::make_shared<Context>(Context{db, blocking, antibot, std::move(playstyle)});
  router.get("/analytics/pvp/elo", [ctx](HttpRequest& req) -> Awaitable { return elo_route(*ctx, req, false); });
  router.get("/analytics/pve/elo", [ctx](HttpRequest& req) -> Awaitable { return elo_route(*ctx, req, true); });
  router.get("/analytics/predictions/churn", [ctx](HttpRequest& req) -> Awaitable { return churn_route(*ctx, req); });
}

}  // namespace tzr::antibot
