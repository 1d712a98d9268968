// Handlers parse, run one function on the blocking pool, and shape JSON (playstyle.hpp holds the
// logic). The routes share one State (the installed model) through a shared_ptr that the handlers
// and the training job own.
#include "antibot/playstyle_routes.hpp"

#include "core/time_format.hpp"
#include "net/query_params.hpp"

#include "antibot/analytics.hpp"
#include "battles/battle_store.hpp"
#include "battles/model_json.hpp"
#include "core/json.hpp"
#include "net/http_errors.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace tzr::antibot {
namespace bj = boost::json;
using net::HttpRequest;
using net::HttpResponse;
using Awaitable = boost::asio::awaitable<HttpResponse>;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

using net::int_param;

struct Window {
  int days = 90;
  std::int64_t until = 0;
};

Result<Window> window_of(const HttpRequest& req, std::int64_t min_days) {
  auto days = int_param(req, "days", 90, min_days, 365);
  if (!days) return days.error();
  auto until = int_param(req, "until", unix_now(), 1, std::int64_t{1} << 40);
  if (!until) return until.error();
  return Window{static_cast<int>(*days), *until};
}

struct State {
  explicit State(PlaystyleHttpSettings s) : settings(std::move(s)) {}
  PlaystyleHttpSettings settings;
  std::mutex mu;
  std::shared_ptr<const PlaystyleModel> model;
  bool model_read = false;
};

// The installed model, read from the model path once; nullptr when there is none.
std::shared_ptr<const PlaystyleModel> current_model(State& s) {
  std::lock_guard lock(s.mu);
  if (!s.model_read) {
    s.model_read = true;
    if (auto m = read_playstyle_model(s.settings.model_path)) s.model = std::make_shared<const PlaystyleModel>(std::move(*m));
  }
  return s.model;
}

Error not_trained() {
  return Error::unavailable("model_not_trained",
                            "no playstyle model is trained yet; POST /api/admin/ml/train-playstyle or run tzrhost antibot "
                            "train-playstyle");
}

bj::object model_fields(const PlaystyleModel& m) {
  return {{"model_version", m.version()},
          {"model_window_days", m.window_days()},
          {"trained_at", iso_utc(m.trained_at())}};
}

// The training job: fit on the window, keep the installed model when the new one is worse.
Result<bj::object> train_and_install(State& s, const Window& w, const PlaystyleOptions& options) {
  const auto now = unix_now();
  auto trained = train_playstyle_from_store(s.settings.db, w.days, w.until, now, options);
  if (!trained) return trained.error();
  auto old = current_model(s);
  bj::array distribution;
  for (const auto& c : trained->clusters())
    distribution.push_back(bj::object{{"cluster_id", c.id}, {"playstyle", playstyle_code(c.playstyle)},
                                      {"display_name", playstyle_name_ru(c.playstyle)},
                                      {"display_name_en", playstyle_name_en(c.playstyle)}, {"player_count", c.players}});
  const bool worse = playstyle_candidate_is_worse(*trained, old.get());
  bj::object result{{"status", worse ? "kept" : "success"},
                    {"players_trained", trained->trained_on()},
                    {"window_days", w.days},
                    {"window_end", w.until},
                    {"k", trained->clusters().size()},
                    {"seed", options.seed},
                    {"installed", !worse},
                    {"clusters", cluster_stats_json(*trained).at("clusters")},
                    {"cluster_distribution", std::move(distribution)}};
  if (worse) {
    result["kept_model_version"] = old->version();
    result["reason"] = "the new model was fitted on less than half as many players as the installed one";
    return result;
  }
  if (auto st = write_playstyle_model(s.settings.model_path, *trained); !st) return st.error();
  result["model_version"] = trained->version();
  result["trained_at"] = iso_utc(trained->trained_at());
  std::lock_guard lock(s.mu);
  s.model = std::make_shared<const PlaystyleModel>(std::move(*trained));
  s.model_read = true;
  return result;
}

}  // namespace

Result<PlaystyleModel> read_playstyle_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make(ErrorKind::not_found, "model_not_found", "cannot read the playstyle model file " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  if (text.size() > (64u << 20)) return Error::make(ErrorKind::bad_request, "bad_model", "model file over 64 MiB");
  auto j = json::parse(text, {.max_depth = 64});
  if (!j) return Error::make(ErrorKind::bad_request, "bad_model", "the playstyle model file is not JSON");
  return PlaystyleModel::from_json(*j);
}

Status write_playstyle_model(const std::string& path, const PlaystyleModel& model) {
  std::error_code ec;
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) std::filesystem::create_directories(parent, ec);
  // One temporary per thread: two training jobs finishing together must not interleave bytes.
  const std::string tmp = path + ".tmp" + std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << json::serialize(model.to_json()) << '\n';
    if (!out) return Error::make(ErrorKind::internal, "io_error", "cannot write " + path);
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error::make(ErrorKind::internal, "io_error", "cannot rename into " + path);
  return {};
}

Result<PlaystyleModel> train_playstyle_from_store(storage::Database& db, int days, std::int64_t until, std::int64_t now,
                                                  const PlaystyleOptions& options) {
  auto histories = read_histories(db, until - std::int64_t{days} * 86400, until);
  if (!histories) return histories.error();
  return PlaystyleModel::train(*histories, days, until, now, options);
}

bool playstyle_candidate_is_worse(const PlaystyleModel& candidate, const PlaystyleModel* installed) {
  if (!installed || installed->window_days() != candidate.window_days()) return false;
  return candidate_is_worse(std::nan(""), std::nan(""), candidate.trained_on(), installed->trained_on());
}

PlaystyleModelSource add_playstyle_routes(net::Router& router, AntibotHttp& jobs, PlaystyleHttpSettings settings) {
  auto st = std::make_shared<State>(std::move(settings));

  router.get("/analytics/playstyle/clusters/stats", [st](HttpRequest& req) -> Awaitable {
    auto model = current_model(*st);
    if (!model) co_return net::error_response(not_trained(), req.request_id);
    bj::object o = cluster_stats_json(*model);
    o["ok"] = true;
    for (auto& [k, v] : model_fields(*model)) o[k] = v;
    co_return HttpResponse::json(200, o);
  });

  router.get("/analytics/playstyle/{login}", [st](HttpRequest& req) -> Awaitable {
    auto w = window_of(req, 7);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto model = current_model(*st);
    if (!model) co_return net::error_response(not_trained(), req.request_id);
    const std::string key = battles::login_key(req.param("login"));
    auto classified = co_await st->settings.blocking.run([&st, &w, &key, &model]() -> Result<bj::object> {
      auto hs = read_histories(st->settings.db, w->until - std::int64_t{w->days} * 86400, w->until);
      if (!hs) return hs.error();
      auto it = std::find_if(hs->begin(), hs->end(), [&key](const PlayerHistory& h) { return h.login_key == key; });
      if (it == hs->end())
        return Error::make(ErrorKind::not_found, "player_not_found", "no battles of this player in the window");
      auto c = model->classify(*it);
      if (!c) return c.error();
      return classification_json(*c, *model, it->login);
    });
    if (!classified) co_return net::error_response(classified.error(), req.request_id);
    bj::object o = std::move(*classified);
    o["ok"] = true;
    o["period_days"] = w->days;
    o["window_end"] = iso_utc(w->until);
    for (auto& [k, v] : model_fields(*model)) o[k] = v;
    co_return HttpResponse::json(200, o);
  });

  router.post("/api/admin/ml/train-playstyle", [st, &jobs](HttpRequest& req) -> Awaitable {
    auto w = window_of(req, 30);
    if (!w) co_return net::error_response(w.error(), req.request_id);
    auto k = int_param(req, "k", 8, 2, 32);
    if (!k) co_return net::error_response(k.error(), req.request_id);
    auto seed = int_param(req, "seed", 42, 0, std::int64_t{1} << 53);
    if (!seed) co_return net::error_response(seed.error(), req.request_id);
    const PlaystyleOptions options{.k = static_cast<std::size_t>(*k), .seed = static_cast<std::uint64_t>(*seed)};
    std::function<Result<bj::object>()> work = [st, window = *w, options] { return train_and_install(*st, window, options); };
    auto executor = co_await boost::asio::this_coro::executor;
    co_return start_job(jobs, executor, "playstyle", std::move(work));
  });
  return [st] { return current_model(*st); };
}

}  // namespace tzr::antibot
