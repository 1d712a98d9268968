// Handlers parse, run one function of this file on the blocking pool, and shape JSON; errors use
// the one envelope (net::error_response). Lambdas given to the blocking pool capture the handler's
// locals by reference (see battles/routes.cpp for why), except the training job, which owns a
// shared State and outlives its request.
#include "antibot/http.hpp"

#include "core/time_format.hpp"
#include "net/query_params.hpp"

#include "antibot/aggregate_routes.hpp"
#include "antibot/analytics.hpp"
#include "antibot/detector.hpp"
#include "antibot/player_activity_routes.hpp"
#include "antibot/store.hpp"
#include "battles/battle_store.hpp"
#include "battles/model_json.hpp"
#include "core/json.hpp"
#include "net/auth.hpp"
#include "net/http_errors.hpp"
#include "storage/dialect_sql.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

namespace tzr::antibot {
namespace bj = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using Awaitable = boost::asio::awaitable<HttpResponse>;
using storage::Value;

struct Job {
  std::string status = "queued";  // queued, running, done, failed
  bj::object result;
  std::int64_t created_at = 0, finished_at = 0;
};

struct AntibotHttp::State {
  storage::Database& db;
  BlockingPool& blocking;
  AntibotHttpSettings settings;
  std::mutex mu;
  std::shared_ptr<const InstalledModel> model;
  bool model_read = false;
  std::map<std::string, Job> jobs;
  std::int64_t next_job = 1;
};

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

using net::bad_param;
using net::int_param;

struct Window {
  int days = 30;
  std::int64_t until = 0;
};

// days (1–365, default 30) and until (Unix seconds, default now): the window [until − days, until).
Result<Window> window_of(const HttpRequest& req) {
  auto days = int_param(req, "days", 30, 1, 365);
  if (!days) return days.error();
  auto until = int_param(req, "until", unix_now(), 1, std::int64_t{1} << 40);
  if (!until) return until.error();
  return Window{static_cast<int>(*days), *until};
}

Result<InstalledModel> read_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make(ErrorKind::not_found, "model_not_found", "cannot read the model file " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  if (text.size() > (64u << 20)) return Error::make(ErrorKind::bad_request, "bad_model", "model file over 64 MiB");
  auto j = json::parse(text, {.max_depth = 64});
  if (!j || !j->is_object()) return Error::make(ErrorKind::internal, "bad_model", "the model file is not a model");
  auto d = Detector::from_json(*j);
  if (!d) return d.error();
  const auto& o = j->as_object();
  InstalledModel m{std::move(*d), 0, 0, 0, {}};
  if (auto* w = o.if_contains("window_days")) m.window_days = w->to_number<int>();
  if (auto* n = o.if_contains("n")) m.trained_on = n->to_number<std::size_t>();
  if (auto* t = o.if_contains("trained_at")) m.trained_at = t->to_number<std::int64_t>();
  m.version = "if+kmeans/" + std::to_string(m.window_days) + "d/" + std::to_string(m.trained_at);
  return m;
}

Error not_trained() {
  return Error::make(ErrorKind::conflict, "model_not_trained",
                     "no trained bot detector is installed; POST /api/admin/ml/train-botdetector or run tzrhost antibot train");
}

// The installed model, read from antibot.model_path once; nullptr when there is none.
std::shared_ptr<const InstalledModel> current_model(AntibotHttp::State& s) {
  std::lock_guard lock(s.mu);
  if (!s.model_read) {
    s.model_read = true;
    if (auto m = read_model(s.settings.model_path)) s.model = std::make_shared<const InstalledModel>(std::move(*m));
  }
  return s.model;
}

struct Scored {
  PlayerHistory history;
  Detection detection;
};

Result<std::vector<Scored>> score_window(AntibotHttp::State& s, const InstalledModel& m, const Window& w,
                                         const std::string& only_key = {}) {
  if (w.days != m.window_days)
    return Error::make(ErrorKind::conflict, "window_mismatch",
                       "the installed model was trained on a " + std::to_string(m.window_days) + "-day window; ask with days=" +
                           std::to_string(m.window_days));
  // One player's score depends on its own history only: read just that one.
  const std::int64_t from = w.until - std::int64_t{w.days} * 86400;
  std::vector<PlayerHistory> histories;
  if (only_key.empty()) {
    auto all = read_histories(s.db, from, w.until);
    if (!all) return all.error();
    histories = std::move(*all);
  } else {
    auto one = read_history(s.db, only_key, from, w.until);
    if (!one) return one.error();
    if (*one) histories.push_back(std::move(**one));
  }
  const FeatureOptions fo{.window_end = w.until, .window_days = w.days};
  std::vector<Scored> out;
  for (auto& h : histories) {
    auto d = m.detector.detect(compute_features(h.battles, fo));
    out.push_back({std::move(h), std::move(d)});
  }
  return out;
}

bj::object item_json(const Scored& x) {
  bj::object o = to_json(x.detection).as_object();
  bj::array codes;
  for (const auto& r : x.detection.reasons) codes.push_back(bj::string(r.code));
  o["reasons_structured"] = std::move(o["reasons"]);
  o["reasons"] = std::move(codes);
  o["login"] = x.history.login;
  o["battles"] = static_cast<std::int64_t>(x.history.battles.size());
  return o;
}

Error player_not_found() {
  return Error::make(ErrorKind::not_found, "player_not_found", "unknown player, or fewer than 10 battles in the window");
}

// The labels moderators gave (banned = bot, cleared = human), by login_key.
Result<std::map<std::string, bool>> labels(storage::Database& db) {
  auto rows = db.query("SELECT login_key, verdict FROM antibot_labels WHERE verdict IN ('banned','cleared')");
  if (!rows) return rows.error();
  std::map<std::string, bool> out;
  for (const auto& r : rows->rows) out[r.text(0)] = r.text(1) == "banned";
  return out;
}

double auc_of(const Detector& d, const std::vector<PlayerHistory>& hs, const std::vector<PlayerFeatures>& fs,
              const std::map<std::string, bool>& labelled) {
  std::vector<std::pair<double, bool>> pairs;
  for (std::size_t i = 0; i < hs.size(); ++i)
    if (auto it = labelled.find(hs[i].login_key); it != labelled.end()) pairs.push_back({d.detect(fs[i]).score, it->second});
  return label_auc(pairs);
}

bj::value number_or_null(double x) { return std::isnan(x) ? bj::value(nullptr) : bj::value(x); }

// The training job: fit on the window, validate against the installed model, install or keep.
Result<bj::object> train_and_install(AntibotHttp::State& s, const Window& w) {
  auto histories = read_histories(s.db, w.until - std::int64_t{w.days} * 86400, w.until);
  if (!histories) return histories.error();
  const FeatureOptions fo{.window_end = w.until, .window_days = w.days};
  std::vector<PlayerFeatures> features;
  for (const auto& h : *histories) features.push_back(compute_features(h.battles, fo));
  const auto now = unix_now();
  auto trained = Detector::train(features, s.settings.detector, w.days, now);
  if (!trained) return trained.error();
  std::size_t eligible = 0;
  for (const auto& f : features) eligible += f.battles >= 10;
  auto labelled = labels(s.db);
  if (!labelled) return labelled.error();
  auto old = current_model(s);
  const double new_auc = auc_of(*trained, *histories, features, *labelled);
  const double old_auc = old && old->window_days == w.days ? auc_of(old->detector, *histories, features, *labelled)
                                                           : std::nan("");
  const bool worse = old && old->window_days == w.days && candidate_is_worse(new_auc, old_auc, eligible, old->trained_on);
  bj::object result{{"players_trained", eligible}, {"window_days", w.days}, {"window_end", w.until},
                    {"labelled_players", labelled->size()}, {"new_auc", number_or_null(new_auc)},
                    {"old_auc", number_or_null(old_auc)}, {"installed", !worse}};
  if (worse) {
    result["kept_model_version"] = old->version;
    result["reason"] = "the new model validates worse than the installed one";
    return result;
  }
  const auto& path = s.settings.model_path;
  std::error_code ec;
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << json::serialize(trained->to_json()) << '\n';
    if (!out) return Error::make(ErrorKind::internal, "io_error", "cannot write " + path);
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error::make(ErrorKind::internal, "io_error", "cannot rename into " + path);
  auto installed = read_model(path);
  if (!installed) return installed.error();
  result["model_version"] = installed->version;
  std::lock_guard lock(s.mu);
  s.model = std::make_shared<const InstalledModel>(std::move(*installed));
  s.model_read = true;
  return result;
}

bj::object job_json(const std::string& id, const Job& j) {
  bj::object o{{"ok", true}, {"job_id", id}, {"status", j.status}, {"created_at", iso_utc(j.created_at)}};
  o["finished_at"] = j.finished_at ? bj::value(iso_utc(j.finished_at)) : bj::value(nullptr);
  o["result"] = j.result;
  return o;
}

}  // namespace

std::shared_ptr<const InstalledModel> installed_detector(AntibotHttp& antibot) { return current_model(*antibot.state()); }

AntibotHttp::AntibotHttp(storage::Database& db, BlockingPool& blocking, AntibotHttpSettings settings)
    : state_(std::make_shared<State>(db, blocking, std::move(settings))) {}

AntibotHttp::~AntibotHttp() = default;

void add_antibot_routes(net::Router& router, AntibotHttp& antibot) {
  auto st = antibot.state();
  AntibotHttp::State& s = *st;

  router.get("/analytics/antibot/candidates", [&s](HttpRequest& req) -> Awaitable {
    auto w = window_of(req);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto limit = int_param(req, "limit", 50, 1, 200);
    if (!limit) co_return net::error_response(limit.error(), req.request_id);
    auto cursor = int_param(req, "cursor", 0, 0, std::int64_t{1} << 31);
    if (!cursor) co_return net::error_response(cursor.error(), req.request_id);
    double min_score = 0;
    if (auto v = req.query_param("min_score"); v && !v->empty()) {
      char* end = nullptr;
      min_score = std::strtod(v->c_str(), &end);
      if (end != v->c_str() + v->size() || !(min_score >= 0 && min_score <= 1))
        co_return net::error_response(bad_param("min_score", "must be a number from 0 to 1"), req.request_id);
    }
    auto model = current_model(s);
    if (!model) co_return net::error_response(not_trained(), req.request_id);
    auto scored = co_await s.blocking.run([&s, &model, &w] { return score_window(s, *model, *w); });
    if (!scored) co_return net::error_response(scored.error(), req.request_id);
    std::vector<const Scored*> ranked;
    for (const auto& x : *scored)
      if (x.detection.eligible && x.detection.score >= min_score) ranked.push_back(&x);
    std::stable_sort(ranked.begin(), ranked.end(), [](const Scored* a, const Scored* b) {
      if (a->detection.score != b->detection.score) return a->detection.score > b->detection.score;
      return a->history.login_key < b->history.login_key;
    });
    bj::array items;
    const auto from = static_cast<std::size_t>(*cursor);
    for (std::size_t i = from; i < ranked.size() && i < from + static_cast<std::size_t>(*limit); ++i)
      items.push_back(item_json(*ranked[i]));
    const std::size_t end = from + static_cast<std::size_t>(*limit);
    co_return HttpResponse::json(
        200, bj::object{{"ok", true}, {"period_days", w->days}, {"window_end", iso_utc(w->until)},
                        {"model_version", model->version}, {"threshold", DetectorOptions{}.threshold},
                        {"generated_at", iso_utc(unix_now())}, {"total", ranked.size()}, {"items", std::move(items)},
                        {"next_cursor", end < ranked.size() ? bj::value(std::to_string(end)) : bj::value(nullptr)}});
  });

  router.get("/analytics/antibot/player/{login}", [&s](HttpRequest& req) -> Awaitable {
    auto w = window_of(req);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto model = current_model(s);
    if (!model) co_return net::error_response(not_trained(), req.request_id);
    const std::string key = battles::login_key(req.param("login"));
    auto scored = co_await s.blocking.run([&s, &model, &w, &key] { return score_window(s, *model, *w, key); });
    if (!scored) co_return net::error_response(scored.error(), req.request_id);
    if (scored->empty() || !scored->front().detection.eligible) co_return net::error_response(player_not_found(), req.request_id);
    bj::object o = item_json(scored->front());
    o["ok"] = true;
    o["period_days"] = w->days;
    o["model_version"] = model->version;
    o["threshold"] = DetectorOptions{}.threshold;
    co_return HttpResponse::json(200, o);
  });

  router.get("/api/analytics/player/{login}", [&s](HttpRequest& req) -> Awaitable {
    auto w = window_of(req);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    const std::string tz = req.query_param("tz").value_or(s.settings.default_tz);
    auto zone = co_await s.blocking.run([&tz] { return TimeZone::load(tz); });  // reads a TZif file
    if (!zone) co_return net::error_response(zone.error(), req.request_id);
    const std::string key = battles::login_key(req.param("login"));
    auto hs = co_await s.blocking.run([&s, &w, &key] { return read_history(s.db, key, w->until - std::int64_t{w->days} * 86400, w->until); });
    if (!hs) co_return net::error_response(hs.error(), req.request_id);
    // The window is any [until − days, until) and the heatmap is in the asked zone, so neither
    // the UTC day rows nor the all-time state can answer it: the player's own battles do.
    const auto& player = *hs;
    if (!player)
      co_return net::error_response(Error::make(ErrorKind::not_found, "player_not_found", "no battles of this player in the window"),
                                    req.request_id);
    std::int64_t wins = 0, km = 0, kp = 0, pvp = 0;
    for (const auto& b : player->battles) {
      wins += b.survived;
      km += b.kills_monsters;
      kp += b.kills_players;
      pvp += b.pvp;
    }
    const auto n = static_cast<std::int64_t>(player->battles.size());
    co_return HttpResponse::json(200, bj::object{{"ok", true}, {"login", player->login}, {"period_days", w->days},
                                                 {"tz", zone->name()}, {"battles_count", n}, {"wins", wins},
                                                 {"losses", n - wins}, {"kills_monsters", km}, {"kills_players", kp},
                                                 {"pvp_battles", pvp}, {"heatmap", heatmap_json(heatmap(player->battles, *zone))}});
  });

  router.post("/api/admin/ml/train-botdetector", [st, &antibot](HttpRequest& req) -> Awaitable {
    auto w = window_of(req);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    std::function<Result<bj::object>()> work = [st, window = *w] { return train_and_install(*st, window); };
    auto executor = co_await boost::asio::this_coro::executor;
    co_return start_job(antibot, executor, "train", std::move(work));
  });

  router.get("/api/admin/ml/jobs/{id}", [&s](HttpRequest& req) -> Awaitable {
    const std::string id(req.param("id"));
    std::lock_guard lock(s.mu);
    auto it = s.jobs.find(id);
    if (it == s.jobs.end())
      co_return net::error_response(Error::make(ErrorKind::not_found, "job_not_found", "no such job"), req.request_id);
    co_return HttpResponse::json(200, job_json(id, it->second));
  });

  router.post("/analytics/antibot/player/{login}/verdict", [&s](HttpRequest& req) -> Awaitable {
    auto v = parse_verdict(req.body);
    if (!v) co_return net::error_response(v.error(), req.request_id);
    const std::string login(req.param("login"));
    const std::string actor(req.headers.get("X-Moderator").value_or("admin"));
    auto done = co_await s.blocking.run([&s, &v, &login, &actor]() -> Result<bj::object> {
      const std::string key = battles::login_key(login);
      const Value k[] = {Value{key}};
      auto known = s.db.query("SELECT login FROM battle_participants WHERE login_key = ? LIMIT 1", k);
      if (!known) return known.error();
      if (known->rows.empty()) return Error::make(ErrorKind::not_found, "player_not_found", "no battles of this player");
      const std::string name = known->rows[0].text(0);
      const auto now = unix_now();
      auto written = s.db.transaction([&](storage::Session& db) -> Status {
        const Value label[] = {Value{key}, Value{name}, Value{v->verdict}, Value{v->note}, Value{actor}, Value{now}};
        auto a = db.query("INSERT INTO antibot_labels (login_key, login, verdict, note, actor, updated_at) VALUES (?,?,?,?,?,?)" +
                              storage::upsert_tail(db.dialect(), "login_key",
                                                   "verdict = excluded.verdict, note = excluded.note,"
                                                   " actor = excluded.actor, updated_at = excluded.updated_at"),
                          label);
        if (!a) return a.error();
        const Value audit[] = {Value{key}, Value{name}, Value{"verdict"}, Value{v->verdict}, Value{v->note}, Value{actor}, Value{now}};
        auto b = db.query("INSERT INTO antibot_audit (login_key, login, action, verdict, note, actor, created_at)"
                          " VALUES (?,?,?,?,?,?,?)",
                          audit);
        if (!b) return b.error();
        return {};
      });
      if (!written) return written.error();
      return bj::object{{"ok", true}, {"login", name}, {"verdict", v->verdict}, {"note", v->note}, {"actor", actor},
                        {"created_at", iso_utc(now)}};
    });
    if (!done) co_return net::error_response(done.error(), req.request_id);
    co_return HttpResponse::json(201, *done);
  });

  add_aggregate_routes(router, s.db, s.blocking, s.settings.default_tz);
  add_player_activity_routes(router, s.db, s.blocking, s.settings.default_tz);

  router.get("/analytics/antibot/audit", [&s](HttpRequest& req) -> Awaitable {
    auto limit = int_param(req, "limit", 100, 1, 1000);
    if (!limit) co_return net::error_response(limit.error(), req.request_id);
    auto rows = co_await s.blocking.run([&s, &limit] {
      const Value p[] = {Value{*limit}};
      return s.db.query("SELECT id, login, action, verdict, note, actor, created_at FROM antibot_audit ORDER BY id DESC LIMIT ?", p);
    });
    if (!rows) co_return net::error_response(rows.error(), req.request_id);
    bj::array items;
    for (const auto& r : rows->rows)
      items.push_back(bj::object{{"id", r.integer(0)}, {"login", r.text(1)}, {"action", r.text(2)}, {"verdict", r.text(3)},
                                 {"note", r.text(4)}, {"actor", r.text(5)}, {"created_at", iso_utc(r.integer(6))}});
    co_return HttpResponse::json(200, bj::object{{"ok", true}, {"items", std::move(items)}});
  });
}

HttpResponse start_job(AntibotHttp& antibot, const boost::asio::any_io_executor& executor, std::string kind,
                       std::function<Result<bj::object>()> work) {
  auto st = antibot.state();
  std::string id;
  {
    std::lock_guard lock(st->mu);
    id = kind + "-" + std::to_string(st->next_job++);
    st->jobs[id].created_at = unix_now();
  }
  boost::asio::co_spawn(
      executor,
      [st, id, work = std::move(work)]() -> boost::asio::awaitable<void> {
        {
          std::lock_guard lock(st->mu);
          st->jobs[id].status = "running";
        }
        auto r = co_await st->blocking.run([&work] { return work(); });
        std::lock_guard lock(st->mu);
        auto& job = st->jobs[id];
        job.finished_at = unix_now();
        if (r) {
          job.status = "done";
          job.result = std::move(*r);
        } else {
          job.status = "failed";
          job.result = bj::object{{"error", r.error().code}, {"message", r.error().message}};
        }
      },
      boost::asio::detached);
  HttpResponse res = HttpResponse::json(202, bj::object{{"ok", true}, {"job_id", id}, {"status", "queued"},
                                                        {"status_url", "/api/admin/ml/jobs/" + id}});
  res.headers.set("Location", "/api/admin/ml/jobs/" + id);
  return res;
}

net::Middleware moderator_auth(std::string token) {
  auto inner = net::bearer_auth(std::move(token), "/analytics/antibot/");
  net::Middleware m;
  m.before = [inner](HttpRequest& req) -> boost::asio::awaitable<std::optional<HttpResponse>> {
    if (req.method != "POST" && req.path != "/analytics/antibot/audit") co_return std::nullopt;
    co_return co_await inner.before(req);
  };
  return m;
}

}  // namespace tzr::antibot
