// Lambdas given to the blocking pool capture the handler's locals by reference (see
// battles/routes.cpp for why).
#include "antibot/player_activity_routes.hpp"

#include "antibot/player_activity.hpp"
#include "antibot/store.hpp"
#include "battles/battle_store.hpp"
#include "battles/model_json.hpp"
#include "core/time_format.hpp"
#include "net/http_errors.hpp"
#include "net/query_params.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

namespace tzr::antibot {
namespace {

namespace bj = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using net::int_param;
using Awaitable = boost::asio::awaitable<HttpResponse>;

struct Context {
  storage::Database& db;
  BlockingPool& blocking;
  std::string default_tz;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Asked {
  std::int64_t days = 30, until = 0, limit = 0;
  std::int64_t from() const { return until - days * 86400; }
};

// days (1–365, default 30), until (default now) and limit (1–max): as /api/analytics/player/{login}.
Result<Asked> asked_of(const HttpRequest& req, std::int64_t fallback_limit, std::int64_t max_limit) {
  auto days = int_param(req, "days", 30, 1, 365);
  if (!days) return days.error();
  auto until = int_param(req, "until", unix_now(), 1, std::int64_t{1} << 40);
  if (!until) return until.error();
  auto limit = int_param(req, "limit", fallback_limit, 1, max_limit);
  if (!limit) return limit.error();
  return Asked{*days, *until, *limit};
}

Error player_not_found() {
  return Error::make(ErrorKind::not_found, "player_not_found", "no battles of this player in the window");
}

}  // namespace

void add_player_activity_routes(net::Router& router, storage::Database& db, BlockingPool& blocking, std::string default_tz) {
  auto ctx = std::make_shared<Context>(Context{db, blocking, std::move(default_tz)});

  router.get("/api/analytics/player/{login}/sessions", [ctx](HttpRequest& req) -> Awaitable {
    auto a = asked_of(req, 50, 500);
    if (!a) co_return net::error_response(a.error(), req.request_id);
    const std::string tz = req.query_param("tz").value_or(ctx->default_tz);
    auto zone = co_await ctx->blocking.run([&tz] { return TimeZone::load(tz); });  // reads a TZif file
    if (!zone) co_return net::error_response(zone.error(), req.request_id);
    const std::string key = battles::login_key(req.param("login"));
    auto h = co_await ctx->blocking.run([&ctx, &a, &key] { return read_history(ctx->db, key, a->from(), a->until); });
    if (!h) co_return net::error_response(h.error(), req.request_id);
    if (!*h) co_return net::error_response(player_not_found(), req.request_id);
    const std::int64_t session_break = FeatureOptions{}.session_break_s;
    const auto sessions = play_sessions((*h)->battles, session_break);
    std::int64_t longest = 0, duration_sum = 0;
    for (const auto& s : sessions) {
      longest = std::max(longest, s.end - s.start);
      duration_sum += s.end - s.start;
    }
    bj::array items;  // newest first
    for (auto it = sessions.rbegin(); it != sessions.rend() && std::ssize(items) < a->limit; ++it)
      items.push_back(bj::object{{"start", iso_utc(it->start)}, {"end", iso_utc(it->end)},
                                 {"start_local", iso_local(it->start, *zone)}, {"end_local", iso_local(it->end, *zone)},
                                 {"battles", it->battles}, {"duration_s", it->end - it->start}});
    const auto n = static_cast<std::int64_t>(sessions.size());
    co_return HttpResponse::json(
        200, bj::object{{"ok", true},
                        {"login", (*h)->login},
                        {"period_days", a->days},
                        {"window_start", iso_utc(a->from())},
                        {"window_end", iso_utc(a->until)},
                        {"tz", zone->name()},
                        {"session_break_s", session_break},
                        {"total", n},
                        {"battles", static_cast<std::int64_t>((*h)->battles.size())},
                        {"avg_duration_s", n > 0 ? bj::value(static_cast<double>(duration_sum) / static_cast<double>(n)) : bj::value(nullptr)},
                        {"longest_s", longest},
                        {"items", std::move(items)}});
  });

  router.get("/api/analytics/player/{login}/locations", [ctx](HttpRequest& req) -> Awaitable {
    auto a = asked_of(req, 10, 100);
    if (!a) co_return net::error_response(a.error(), req.request_id);
    const std::string key = battles::login_key(req.param("login"));
    auto h = co_await ctx->blocking.run([&ctx, &a, &key] { return read_history(ctx->db, key, a->from(), a->until); });
    if (!h) co_return net::error_response(h.error(), req.request_id);
    if (!*h) co_return net::error_response(player_not_found(), req.request_id);
    const auto cells = top_locations((*h)->battles);
    const auto total_battles = static_cast<double>((*h)->battles.size());
    bj::array items;
    for (std::size_t i = 0; i < cells.size() && std::ssize(items) < a->limit; ++i)
      items.push_back(bj::object{{"loc", bj::object{{"x", cells[i].x}, {"y", cells[i].y}}},
                                 {"battles", cells[i].battles},
                                 {"share", static_cast<double>(cells[i].battles) / total_battles},
                                 {"last_seen", iso_utc(cells[i].last_ts)}});
    co_return HttpResponse::json(200, bj::object{{"ok", true},
                                                 {"login", (*h)->login},
                                                 {"period_days", a->days},
                                                 {"window_start", iso_utc(a->from())},
                                                 {"window_end", iso_utc(a->until)},
                                                 {"total", cells.size()},
                                                 {"battles", (*h)->battles.size()},
                                                 {"items", std::move(items)}});
  });
}

}  // namespace tzr::antibot
