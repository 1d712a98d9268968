// HTTP routes of the battles service. Handlers parse, call the store on the blocking pool, and
// shape JSON; errors use the one envelope (net::error_response). Work given to the blocking pool
// captures the handler's locals by reference (the handler's frame outlives the await): GCC 12
// relocated by-value string captures of those lambdas bytewise (a crash freeing an SSO pointer).
#include "battles/feature.hpp"
#include "battles/fuzzy_search.hpp"
#include "battles/gzip.hpp"
#include "battles/model_json.hpp"
#include "battles/parser.hpp"
#include "battles/raw_http.hpp"
#include "battles/sync_worker.hpp"
#include "battles/upload_body.hpp"
#include "core/json.hpp"
#include "core/time_format.hpp"
#include "net/http_errors.hpp"
#include "net/query_params.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <ctime>

namespace tzr::battles {
namespace json = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using Awaitable = boost::asio::awaitable<HttpResponse>;

namespace {

using net::bad_param;

// Players a fuzzy search compares at most (~50 ms of edit distances); beyond, it says truncated.
constexpr std::int64_t kFuzzyScanLimit = 200'000;

std::optional<std::int64_t> parse_i64(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Unix seconds, or an ISO date (2025-10-02) / date-time (2025-10-02T18:10:20Z) in UTC.
std::optional<std::int64_t> parse_time(std::string_view s) {
  if (auto v = parse_i64(s)) return v;
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  const std::string t(s);
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) < 3) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<std::int64_t>(timegm(&tm));
}

Result<std::optional<std::int64_t>> int_param(const HttpRequest& req, const std::string& name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<std::int64_t>{};
  auto n = parse_i64(*v);
  if (!n) return bad_param(name, "must be an integer");
  return std::optional<std::int64_t>{*n};
}

Result<BattleQuery> query_of(const HttpRequest& req) {
  BattleQuery q;
  for (const char* name : {"from", "to"}) {
    if (auto v = req.query_param(name)) {
      auto t = parse_time(*v);
      if (!t) return bad_param(name, "must be unix seconds or an ISO-8601 date");
      (std::string_view(name) == "from" ? q.from_ts : q.to_ts) = *t;
    }
  }
  auto text = [&req](const char* name, std::optional<std::string>& out) -> Status {
    if (auto v = req.query_param(name)) {
      if (v->empty() || v->size() > 100) return bad_param(name, "must be 1 to 100 characters");
      out = *v;
    }
    return {};
  };
  if (auto st = text("player", q.player); !st) return st.error();
  if (auto st = text("clan", q.clan); !st) return st.error();
  if (auto st = text("type", q.battle_type); !st) return st.error();
  if (auto st = text("monster", q.monster_kind); !st) return st.error();
  struct Bound { const char* name; std::optional<std::int64_t>* out; };
  for (auto [name, out] : {Bound{"x_min", &q.x_min}, Bound{"x_max", &q.x_max}, Bound{"y_min", &q.y_min}, Bound{"y_max", &q.y_max}}) {
    auto v = int_param(req, name);
    if (!v) return v.error();
    *out = *v;
  }
  if (auto v = req.query_param("kind")) {
    if (*v == "pvp") q.pvp = true;
    else if (*v == "pve") q.pvp = false;
    else return bad_param("kind", "must be pvp or pve");
  }
  if (auto v = req.query_param("after")) {
    const auto colon = v->find(':');
    auto ts = colon == std::string::npos ? std::nullopt : parse_i64(std::string_view(*v).substr(0, colon));
    auto id = colon == std::string::npos ? std::nullopt : parse_i64(std::string_view(*v).substr(colon + 1));
    if (!ts || !id) return bad_param("after", "must be the 'next' cursor of the previous page (ts:id)");
    q.after_ts = ts;
    q.after_id = id;
  }
  auto limit = int_param(req, "limit");
  if (!limit) return limit.error();
  if (*limit) {
    if (**limit < 1 || **limit > 500) return bad_param("limit", "must be between 1 and 500");
    q.limit = static_cast<int>(**limit);
  }
  return q;
}

json::value opt_json(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object summary_json(const BattleSummary& s) {
  return json::object{{"battle_id", s.battle_id},
                      {"ts", s.ts ? json::value(iso_utc(*s.ts)) : json::value(nullptr)},
                      {"ts_unix", opt_json(s.ts)},
                      {"turns", s.turns},
                      {"battle_type", s.battle_type ? json::value(*s.battle_type) : json::value(nullptr)},
                      {"loc", json::object{{"x", s.loc_x}, {"y", s.loc_y}}},
                      {"players_cnt", s.players_cnt},
                      {"monsters_cnt", s.monsters_cnt},
                      {"has_pvp", s.has_pvp},
                      {"has_monsters", s.has_monsters}};
}

HttpResponse page_json(const BattlePage& page) {
  json::array list;
  for (const auto& s : page.battles) list.push_back(summary_json(s));
  json::value next = page.next ? json::value(std::to_string(page.next->first) + ":" + std::to_string(page.next->second)) : json::value(nullptr);
  return HttpResponse::json(200, json::object{{"ok", true}, {"battles", std::move(list)}, {"next", std::move(next)}});
}

Result<std::int64_t> battle_id_of(const HttpRequest& req) {
  auto id = parse_i64(req.param("id"));
  if (!id || *id <= 0) return Error::make(ErrorKind::not_found, "battle_not_found", "no such battle");
  return *id;
}

}  // namespace

void add_sync_routes(net::Router& router, BattlesFeature& f) {
  auto no_sync = [](const HttpRequest& req) {
    return net::error_response(Error::make(ErrorKind::not_found, "sync_disabled", "battle sync is not configured (battles.sync_enabled)"),
                               req.request_id);
  };
  router.get("/admin/battles/sync", [&f, no_sync](HttpRequest& req) -> Awaitable {
    if (!f.sync()) co_return no_sync(req);
    auto status = co_await f.blocking().run([&f] { return f.sync()->status_json(); });
    co_return HttpResponse::json(200, json::object{{"ok", true}, {"sync", std::move(status)}});
  });
  for (const char* action : {"pause", "resume"}) {
    const std::string name = action;
    router.post("/admin/battles/sync/" + name, [&f, no_sync, name](HttpRequest& req) -> Awaitable {
      if (!f.sync()) co_return no_sync(req);
      if (name == "pause") f.sync()->pause();
      else f.sync()->resume();
      co_return HttpResponse::json(200, json::object{{"ok", true}, {"paused", f.sync()->paused()}});
    });
  }
  router.post("/admin/battles/sync/retry-failed", [&f, no_sync](HttpRequest& req) -> Awaitable {
    if (!f.sync()) co_return no_sync(req);
    auto n = co_await f.blocking().run([&f] { return f.sync()->queue().retry_failed(); });
    if (!n) co_return net::error_response(n.error(), req.request_id);
    co_return HttpResponse::json(200, json::object{{"ok", true}, {"requeued", *n}});
  });
  router.post("/admin/battles/sync/enqueue", [&f, no_sync](HttpRequest& req) -> Awaitable {
    if (!f.sync()) co_return no_sync(req);
    auto from = int_param(req, "from");
    auto to = int_param(req, "to");
    if (!from || !to || !*from || !*to || **from < 1 || **to < **from || **to - **from >= 100000)
      co_return net::error_response(bad_param("from", "from and to: 1 <= from <= to, at most 100000 ids"), req.request_id);
    auto st = co_await f.blocking().run([&f, &from, &to] { return f.sync()->queue().enqueue_range(**from, **to); });
    if (!st) co_return net::error_response(st.error(), req.request_id);
    co_return HttpResponse::json(202, json::object{{"ok", true}, {"enqueued", **to - **from + 1}});
  });
}

void add_battles_routes(net::Router& router, BattlesFeature& f) {
  router.get("/battles", [&f](HttpRequest& req) -> Awaitable {
    auto q = query_of(req);
    if (!q) co_return net::error_response(q.error(), req.request_id);
    auto page = co_await f.blocking().run([&f, &q] { return f.store().list(*q); });
    if (!page) co_return net::error_response(page.error(), req.request_id);
    co_return page_json(*page);
  });

  router.get("/players/{login}/battles", [&f](HttpRequest& req) -> Awaitable {
    auto q = query_of(req);
    if (!q) co_return net::error_response(q.error(), req.request_id);
    q->player = std::string(req.param("login"));
    auto page = co_await f.blocking().run([&f, &q] { return f.store().list(*q); });
    if (!page) co_return net::error_response(page.error(), req.request_id);
    co_return page_json(*page);
  });

  router.get("/players/search", [&f](HttpRequest& req) -> Awaitable {
    auto text = req.query_param("q");
    if (!text || text->empty() || text->size() > 100)
      co_return net::error_response(bad_param("q", "must be 1 to 100 characters"), req.request_id);
    const std::string mode = req.query_param("mode").value_or("prefix");
    if (mode != "exact" && mode != "prefix" && mode != "fuzzy")
      co_return net::error_response(bad_param("mode", "must be exact, prefix or fuzzy"), req.request_id);
    auto limit = int_param(req, "limit");
    if (!limit) co_return net::error_response(limit.error(), req.request_id);
    const int n = static_cast<int>(std::clamp<std::int64_t>(limit->value_or(20), 1, 100));
    auto player_json = [](const PlayerMatch& p) {
      return json::object{{"login", p.login}, {"battles", p.battles},
                          {"last_ts", p.last_ts ? json::value(iso_utc(*p.last_ts)) : json::value(nullptr)}};
    };
    if (mode == "fuzzy") {
      auto found = co_await f.blocking().run(
          [&f, &text, n] { return fuzzy_search_players(f.store().database(), *text, static_cast<std::size_t>(n), kFuzzyScanLimit); });
      if (!found) co_return net::error_response(found.error(), req.request_id);
      json::array out;
      for (const auto& m : found->matches) {
        auto p = player_json(m.player);
        p["distance"] = m.distance;
        p["prefix"] = m.prefix;
        out.push_back(std::move(p));
      }
      co_return HttpResponse::json(200, json::object{{"ok", true}, {"players", std::move(out)}, {"scanned", found->scanned},
                                                     {"truncated", found->truncated}});
    }
    const bool prefix = mode == "prefix";
    auto found = co_await f.blocking().run([&f, &text, prefix, n] { return f.store().search_players(*text, prefix, n); });
    if (!found) co_return net::error_response(found.error(), req.request_id);
    json::array out;
    for (const auto& p : *found) out.push_back(player_json(p));
    co_return HttpResponse::json(200, json::object{{"ok", true}, {"players", std::move(out)}});
  });

  router.get("/battle/{id}", [&f](HttpRequest& req) -> Awaitable {
    auto id = battle_id_of(req);
    if (!id) co_return net::error_response(id.error(), req.request_id);
    auto b = co_await f.blocking().run([&f, &id] { return f.store().get(*id); });
    if (!b) co_return net::error_response(b.error(), req.request_id);
    if (!*b) co_return net::error_response(Error::make(ErrorKind::not_found, "battle_not_found", "no such battle"), req.request_id);
    const auto& sb = **b;
    json::object battle = summary_json(sb.summary);
    battle["content_sha256"] = sb.content_sha256;
    battle["size_bytes"] = sb.size_bytes;
    battle["parser_version"] = sb.parser_version;
    battle["complete"] = sb.complete;
    json::value data = json::parse(sb.data);
    co_return HttpResponse::json(200, json::object{{"ok", true}, {"battle", std::move(battle)}, {"data", std::move(data)}});
  });

  router.get("/battle/{id}/raw", [&f](HttpRequest& req) -> Awaitable {
    auto id = battle_id_of(req);
    if (!id) co_return net::error_response(id.error(), req.request_id);
    const auto range = req.headers.get("Range");
    // A range is cut from the identity bytes; without one the stored gzip record goes out as it is.
    const bool gz = !range && accepts_gzip(req.headers.get("Accept-Encoding"));
    auto blob = co_await f.blocking().run([&f, &id, gz]() -> Result<std::pair<std::string, std::string>> {
      auto b = f.store().get(*id);
      if (!b) return b.error();
      if (!*b) return Error::make(ErrorKind::not_found, "battle_not_found", "no such battle");
      auto bytes = gz ? f.raw().get_compressed((*b)->content_sha256) : f.raw().get_plain((*b)->content_sha256);
      if (!bytes) return bytes.error();
      return std::make_pair((*b)->content_sha256, std::move(*bytes));
    });
    if (!blob) co_return net::error_response(blob.error(), req.request_id);
    const std::string etag = raw_etag(blob->first, gz);
    HttpResponse res;
    res.headers.set("ETag", etag);
    res.headers.set("Cache-Control", "public, max-age=31536000, immutable");
    res.headers.set("Vary", "Accept-Encoding");
    res.headers.set("Accept-Ranges", "bytes");
    if (auto inm = req.headers.get("If-None-Match"); inm && if_none_match_hits(*inm, etag)) {
      res.status = 304;
      co_return res;
    }
    res.status = 200;
    res.headers.set("Content-Type", "application/xml; charset=utf-8");
    if (gz) res.headers.set("Content-Encoding", "gzip");
    const std::uint64_t size = blob->second.size();
    if (range && if_range_allows(req.headers.get("If-Range"), etag)) {
      const RangeRequest r = parse_range(*range, size);
      if (r.kind == RangeKind::unsatisfiable) {
        res.status = 416;
        res.headers.set("Content-Range", "bytes */" + std::to_string(size));
        co_return res;
      }
      if (r.kind == RangeKind::satisfiable) {
        res.status = 206;
        res.headers.set("Content-Range",
                        "bytes " + std::to_string(r.range.first) + "-" + std::to_string(r.range.last) + "/" + std::to_string(size));
        res.body = blob->second.substr(r.range.first, r.range.length());
        co_return res;
      }
    }
    res.body = std::move(blob->second);
    co_return res;
  });

  router.get("/battle/{id}/events", [&f](HttpRequest& req) -> Awaitable {
    auto id = battle_id_of(req);
    if (!id) co_return net::error_response(id.error(), req.request_id);
    auto events = co_await f.blocking().run([&f, &id]() -> Result<json::value> {
      auto b = f.store().get(*id);
      if (!b) return b.error();
      if (!*b) return Error::make(ErrorKind::not_found, "battle_not_found", "no such battle");
      auto plain = f.raw().get_plain((*b)->content_sha256, f.settings().ingest.max_log_bytes);
      if (!plain) return plain.error();
      auto full = model_json(parse_battle_log(*plain), true);
      return full.at("events");
    });
    if (!events) co_return net::error_response(events.error(), req.request_id);
    co_return HttpResponse::json(200, json::object{{"ok", true}, {"battle_id", *id}, {"events", std::move(*events)}});
  });

  router.get("/battles/ingest/status", [&f](HttpRequest& req) -> Awaitable {
    auto stats = co_await f.blocking().run([&f] { return f.store().ingest_stats(20); });
    if (!stats) co_return net::error_response(stats.error(), req.request_id);
    json::object by;
    for (const auto& [k, v] : stats->by_status) by[k] = v;
    json::array fails;
    for (auto& x : stats->recent_failures) fails.push_back(std::move(x));
    json::object body{{"ok", true}, {"battles", stats->battles}, {"ingest_log", std::move(by)},
                      {"recent_failures", std::move(fails)}, {"newest_battle_id", opt_json(stats->newest_battle_id)},
                      {"parser_version", kParserVersion}};
    if (f.sync()) body["sync"] = f.sync()->status_json();
    co_return HttpResponse::json(200, body);
  });

  router.post("/battles/upload", [&f](HttpRequest& req) -> Awaitable {
    if (req.body.size() > f.settings().upload_max_bytes)
      co_return net::error_response(Error::make(ErrorKind::payload_too_large, "payload_too_large", "the upload is too large"),
                                    req.request_id);
    auto file = read_upload(req.headers.get("Content-Type").value_or(""), req.body, req.query_param("name").value_or(""));
    if (!file) co_return net::error_response(file.error(), req.request_id);
    RawLog log{"upload", file->name, std::move(file->bytes), {}, {}};
    auto done = co_await f.blocking().run([&f, &log] { return f.ingest().ingest_one(std::move(log)); });
    if (!done) co_return net::error_response(done.error(), req.request_id);
    const auto& [rec, outcome] = *done;
    const bool ok = rec.status != IngestStatus::failed;
    json::object body{{"ok", ok},
                      {"status", ingest_status_name(rec.status)},
                      {"battle_id", rec.battle_id > 0 ? json::value(rec.battle_id) : json::value(nullptr)},
                      {"file", file->name},
                      {"sha256", outcome.source.sha256},
                      {"parser_version", outcome.parser_version}};
    if (!rec.error_code.empty()) {
      body["parse_error"] = rec.error_code;
      body["parse_message"] = rec.error_message;
    }
    if (!ok) {
      // The one error envelope, with the outcome beside it: a failed parse is never a 200.
      body["error"] = rec.error_code.empty() ? "parse_failed" : rec.error_code;
      body["message"] = rec.error_message.empty() ? "the log could not be parsed" : rec.error_message;
      body["request_id"] = req.request_id;
      co_return HttpResponse::json(422, body);
    }
    co_return HttpResponse::json(rec.status == IngestStatus::stored || rec.status == IngestStatus::replaced ? 201 : 200, body);
  });

  router.post("/admin/battles/reprocess", [&f](HttpRequest& req) -> Awaitable {
    auto below = int_param(req, "below_version");
    if (!below) co_return net::error_response(below.error(), req.request_id);
    auto limit = int_param(req, "limit");
    if (!limit) co_return net::error_response(limit.error(), req.request_id);
    const int version = static_cast<int>(below->value_or(kParserVersion));
    const int n = static_cast<int>(std::clamp<std::int64_t>(limit->value_or(1000), 1, 100000));
    auto result = co_await f.blocking().run([&f, version, n]() -> Result<json::object> {
      auto ids = f.store().older_than_parser(version, n);
      if (!ids) return ids.error();
      std::int64_t ok = 0, failed = 0;
      for (const auto& [id, sha] : *ids) {
        auto plain = f.raw().get_plain(sha, f.settings().ingest.max_log_bytes);
        if (!plain) {
          ++failed;
          continue;
        }
        ParseOptions po;
        po.keep_events = false;
        IngestItem item{"reprocess", std::to_string(id), parse_battle_log(*plain, po), 0, std::nullopt};
        auto rec = f.store().write_reparsed(item);
        if (rec) ++ok;
        else ++failed;
      }
      return json::object{{"ok", true}, {"selected", static_cast<std::int64_t>(ids->size())}, {"reparsed", ok}, {"failed", failed},
                          {"parser_version", kParserVersion}};
    });
    if (!result) co_return net::error_response(result.error(), req.request_id);
    co_return HttpResponse::json(200, *result);
  });

  add_sync_routes(router, f);
  add_reference_routes(router, f);
}

}  // namespace tzr::battles
