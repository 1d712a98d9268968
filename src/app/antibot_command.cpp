#include "app/antibot_command.hpp"

#include "antibot/evaluation.hpp"
#include "antibot/playstyle_routes.hpp"
#include "antibot/population.hpp"
#include "antibot/store.hpp"
#include "app/runtime.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/parallel.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iterator>
#include <optional>
#include <fstream>

namespace tzr::app {
namespace {

boost::json::object label_of(const antibot::SyntheticPlayer& p) {
  return {{"id", p.id},
          {"login", p.login},
          {"is_bot", antibot::archetype_is_bot(p.archetype)},
          {"archetype", antibot::archetype_code(p.archetype)},
          {"difficulty", antibot::archetype_difficulty(p.archetype)},
          {"tz_hours", p.tz_hours}};
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<antibot::DetectorOptions> detector_options(const Config& c) {
  antibot::DetectorOptions o;
  o.threshold = static_cast<double>(c.integer("antibot.threshold_pct")) / 100.0;
  o.min_battles = static_cast<int>(c.integer("antibot.min_battles"));
  const auto weights = c.list("antibot.weights");
  if (weights.size() != 3)
    return Error::bad_request("antibot.weights needs three numbers: rules, isolation forest, k-means", "config_error");
  double w[3] = {};
  for (int i = 0; i < 3; ++i) {
    char* end = nullptr;
    w[i] = std::strtod(weights[static_cast<std::size_t>(i)].c_str(), &end);
    if (end == weights[static_cast<std::size_t>(i)].c_str() || *end != '\0' || !(w[i] >= 0))
      return Error::bad_request("antibot.weights: '" + weights[static_cast<std::size_t>(i)] + "' is not a weight", "config_error");
  }
  if (std::abs(w[0] + w[1] + w[2] - 1.0) > 1e-6) return Error::bad_request("antibot.weights must add up to 1", "config_error");
  o.w_rules = w[0];
  o.w_forest = w[1];
  o.w_kmeans = w[2];
  o.forest.trees = static_cast<std::size_t>(c.integer("antibot.forest_trees"));
  o.forest.sample_size = static_cast<std::size_t>(c.integer("antibot.forest_sample_size"));
  o.forest.contamination = static_cast<double>(c.integer("antibot.contamination_pct")) / 100.0;
  o.kmeans.k = static_cast<std::size_t>(c.integer("antibot.kmeans_k"));
  o.forest.seed = o.kmeans.seed = static_cast<std::uint64_t>(c.integer("antibot.seed"));
  return o;
}

namespace {

Result<std::unique_ptr<Runtime>> open_store(const GlobalOptions& global) {
  auto config = load_config(global);
  if (!config) return config.error();
  log::init(config->string("log.level") == "info" ? "warn" : config->string("log.level"), log::Format::text);
  return open_runtime(std::move(*config));
}

struct Cohort {
  std::vector<antibot::PlayerHistory> histories;
  std::vector<antibot::PlayerFeatures> features;
};

Result<Cohort> read_cohort(storage::Database& db, int days, std::int64_t until,
                           const std::function<void(const std::string&)>& say) {
  say("reading participations of the " + std::to_string(days) + " days before " + std::to_string(until));
  auto histories = antibot::read_histories(db, until - std::int64_t{days} * 86400, until);
  if (!histories) return histories.error();
  std::size_t participations = 0;
  for (const auto& h : *histories) participations += h.battles.size();
  say(std::to_string(histories->size()) + " players, " + std::to_string(participations) + " participations; computing features");
  Cohort c{std::move(*histories), {}};
  const antibot::FeatureOptions window{.window_end = until, .window_days = days};
  c.features.resize(c.histories.size());
  parallel_for(c.histories.size(), default_threads(),
               [&](std::size_t i) { c.features[i] = antibot::compute_features(c.histories[i].battles, window); });
  return c;
}

Result<antibot::Detector> load_model(const std::string& path, int days) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make(ErrorKind::not_found, "model_not_found", "cannot read the model file " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  if (text.size() > (64u << 20)) return Error::make(ErrorKind::bad_request, "bad_model", "model file over 64 MiB");
  auto json = json::parse(text, {.max_depth = 64});
  if (!json) return json.error();
  auto model = antibot::Detector::from_json(*json);
  if (!model) return model.error();
  const auto trained_days = json->as_object().at("window_days").to_number<int>();
  if (trained_days != days)
    return Error::make(ErrorKind::validation, "window_mismatch",
                       "the model was trained on a " + std::to_string(trained_days) + "-day window; scan with --days " +
                           std::to_string(trained_days));
  return model;
}

}  // namespace

Result<std::size_t> train_detector_into(Runtime& rt, int days, std::int64_t until, const std::string& path,
                                        const std::function<void(const std::string&)>& say) {
  const std::int64_t now = unix_now();
  auto cohort = read_cohort(*rt.db, days, until > 0 ? until : now, say);
  if (!cohort) return cohort.error();
  auto options = detector_options(rt.config);
  if (!options) return options.error();
  say("training the detector");
  auto detector = antibot::Detector::train(cohort->features, *options, days, now);
  if (!detector) return detector.error();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << json::serialize(detector->to_json()) << '\n';
    if (!out) return Error::make(ErrorKind::internal, "io_error", "cannot write " + path);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error::make(ErrorKind::internal, "io_error", "cannot rename into " + path);
  std::size_t n = 0;
  for (const auto& f : cohort->features) n += f.battles >= 10;
  return n;
}

int cmd_antibot_train(const GlobalOptions& global, const AntibotTrainOptions& o) {
  auto say = [&](const std::string& line) {
    if (!o.quiet) std::fprintf(stderr, "antibot train: %s\n", line.c_str());
  };
  auto rt = open_store(global);
  if (!rt) return fail(rt.error());
  auto n = train_detector_into(**rt, o.days, o.until, o.out, say);
  if (!n) return fail(n.error());
  std::printf("model trained on %zu players (%d-day window) written to %s\n", *n, o.days, o.out.c_str());
  return 0;
}

int cmd_antibot_train_playstyle(const GlobalOptions& global, const AntibotTrainPlaystyleOptions& o) {
  auto rt = open_store(global);
  if (!rt) return fail(rt.error());
  std::string out = o.out.empty() ? (*rt)->config.string("antibot.playstyle_model_path") : o.out;
  if (out.empty()) out = (std::filesystem::path((*rt)->config.string("server.var_dir")) / "playstyle-model.json").string();
  const std::int64_t now = unix_now();
  const std::int64_t until = o.until > 0 ? o.until : now;
  if (!o.quiet)
    std::fprintf(stderr, "antibot train-playstyle: fitting %d clusters on the %d days before %lld\n", o.k, o.days,
                 static_cast<long long>(until));
  auto model = antibot::train_playstyle_from_store(*(*rt)->db, o.days, until, now,
                                                   {.k = static_cast<std::size_t>(o.k), .seed = o.seed});
  if (!model) return fail(model.error());
  if (auto st = antibot::write_playstyle_model(out, *model); !st) return fail(st.error());
  std::printf("playstyle model trained on %zu players (%d-day window, k=%d) written to %s\n", model->trained_on(), o.days,
              o.k, out.c_str());
  for (const auto& c : model->clusters())
    std::printf("  cluster %zu: %-14s %zu players\n", c.id, std::string(antibot::playstyle_code(c.playstyle)).c_str(),
                c.players);
  return 0;
}

int cmd_antibot_scan(const GlobalOptions& global, const AntibotScanOptions& o) {
  auto say = [&](const std::string& line) {
    if (!o.quiet) std::fprintf(stderr, "antibot scan: %s\n", line.c_str());
  };
  auto rt = open_store(global);
  if (!rt) return fail(rt.error());
  auto& db = *(*rt)->db;
  const std::int64_t now = unix_now();
  const std::int64_t until = o.until > 0 ? o.until : now;
  std::optional<antibot::Detector> given;
  if (!o.model.empty()) {
    auto model = load_model(o.model, o.days);
    if (!model) return fail(model.error());
    given = std::move(*model);
  }
  auto cohort = read_cohort(db, o.days, until, say);
  if (!cohort) return fail(cohort.error());
  auto* histories = &cohort->histories;
  const auto& features = cohort->features;
  if (!given) {
    auto options = detector_options((*rt)->config);
    if (!options) return fail(options.error());
    say("training the detector");
    auto trained = antibot::Detector::train(features, *options, o.days, now);
    if (!trained) return fail(trained.error());
    given = std::move(*trained);
  }
  const auto* detector = &*given;
  say("scoring");
  std::vector<antibot::Detection> detections(features.size());
  parallel_for(features.size(), default_threads(), [&](std::size_t i) { detections[i] = detector->detect(features[i]); });
  if (auto st = antibot::save_scores(db, *histories, detections, o.days, until, now); !st) return fail(st.error());

  std::vector<std::size_t> order;
  std::size_t scored = 0, flagged = 0;
  for (std::size_t i = 0; i < detections.size(); ++i) {
    scored += detections[i].eligible;
    flagged += detections[i].is_bot;
    if (detections[i].eligible) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return detections[a].score > detections[b].score; });
  if (o.json) {
    for (auto i : order) {
      auto line = antibot::to_json(detections[i]).as_object();
      line.emplace("login", (*histories)[i].login);
      std::printf("%s\n", json::serialize(line).c_str());
    }
    return 0;
  }
  std::printf("%zu players, %zu scored (≥ 10 battles), %zu flagged as bots (score ≥ 0.5)\n", histories->size(), scored,
              flagged);
  std::printf("%-24s %6s %-12s %s\n", "login", "score", "method", "reasons");
  for (std::size_t k = 0; k < order.size() && k < static_cast<std::size_t>(o.top); ++k) {
    const auto& d = detections[order[k]];
    std::string reasons;
    for (std::size_t r = 0; r < d.reasons.size() && r < 3; ++r) reasons += (r ? ", " : "") + d.reasons[r].code;
    std::printf("%-24s %6.3f %-12s %s\n", (*histories)[order[k]].login.c_str(), d.score, d.method.c_str(), reasons.c_str());
  }
  return 0;
}

int cmd_antibot_rebuild(const GlobalOptions& global, bool quiet) {
  auto rt = open_store(global);
  if (!rt) return fail(rt.error());
  const auto started = std::chrono::steady_clock::now();
  auto counts = antibot::rebuild_all_states(*(*rt)->db, {}, unix_now(), [quiet](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "antibot rebuild-state: %s\n", line.c_str());
  });
  if (!counts) return fail(counts.error());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("rebuilt the state of %zu players from %zu participations in %.1f s\n", counts->players, counts->participations, s);
  return 0;
}

int cmd_antibot_synth(const AntibotSynthOptions& o) {
  antibot::PopulationOptions po{.players = o.players, .days = o.days, .bot_share = o.bot_share, .seed = o.seed};
  std::fprintf(stderr, "antibot synth: generating %d players over %d days (seed %llu)…\n", o.players, o.days,
               static_cast<unsigned long long>(o.seed));
  const auto pop = antibot::generate_population(po);
  const std::string tmp = o.out + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  std::ofstream labels;
  if (!o.labels.empty()) labels.open(o.labels, std::ios::binary | std::ios::trunc);
  if (!out || (!o.labels.empty() && !labels))
    return fail(Error::make(ErrorKind::internal, "io_error", "cannot write " + (out ? o.labels : o.out)));
  boost::json::object manifest{{"type", "manifest"},
                               {"generator", "tzrhost antibot synth v1"},
                               {"seed", o.seed},
                               {"players", o.players},
                               {"days", o.days},
                               {"bot_share", o.bot_share},
                               {"window_start", po.start_unix},
                               {"window_end", pop.window_end()},
                               {"battle_fields", boost::json::array{"battle_id", "start_ts", "end_ts", "loc_x", "loc_y",
                                                                    "pvp", "survived", "kills_monsters", "kills_players",
                                                                    "loot"}}};
  out << json::serialize(manifest) << '\n';
  std::size_t battles = 0, done = 0;
  for (const auto& p : pop.players) {
    auto line = label_of(p);
    if (labels) labels << json::serialize(line) << '\n';
    line.emplace("type", "player");
    boost::json::array rows;
    rows.reserve(p.battles.size());
    for (const auto& b : p.battles)
      rows.push_back(boost::json::array{b.battle_id, b.start_ts, b.end_ts, b.loc_x, b.loc_y, b.pvp ? 1 : 0,
                                        b.survived ? 1 : 0, b.kills_monsters, b.kills_players, b.loot});
    battles += p.battles.size();
    line["battles"] = std::move(rows);
    out << json::serialize(line) << '\n';
    if (++done % 100 == 0 || done == pop.players.size())
      std::fprintf(stderr, "antibot synth: %zu/%zu players written, %zu battles\n", done, pop.players.size(), battles);
  }
  out.close();
  if (!out) return fail(Error::make(ErrorKind::internal, "io_error", "cannot write " + o.out));
  std::error_code ec;
  std::filesystem::rename(tmp, o.out, ec);
  if (ec) return fail(Error::make(ErrorKind::internal, "io_error", "cannot rename into " + o.out));
  std::printf("%zu players, %zu battles written to %s\n", pop.players.size(), battles, o.out.c_str());
  return 0;
}

int cmd_antibot_eval(const AntibotEvalOptions& o) {
  antibot::EvalOptions eo;
  eo.population = {.players = o.players, .days = o.days, .bot_share = o.bot_share, .seed = o.seed};
  eo.seeds = o.seeds;
  if (!o.quiet)
    eo.progress = [](std::string_view line) {
      std::fprintf(stderr, "antibot eval: %.*s\n", static_cast<int>(line.size()), line.data());
    };
  auto report = antibot::evaluate(eo);
  if (!report) return fail(report.error());
  std::fputs(antibot::format_report(*report).c_str(), stdout);
  const auto failures = antibot::check_bars(*report);
  if (failures.empty()) {
    std::printf("bars: all met\n");
    return 0;
  }
  for (const auto& f : failures) std::printf("bar missed: %s\n", f.c_str());
  return o.check ? 1 : 0;
}

void add_antibot_commands(CLI::App& app, const GlobalOptions& global, int& code) {
  static AntibotSynthOptions synth;
  static AntibotEvalOptions eval;
  auto* antibot = app.add_subcommand("antibot", "Bot detection tools (labelled synthetic benchmark)");
  antibot->require_subcommand(1);

  auto* s = antibot->add_subcommand("synth", "Write the labelled synthetic population (A§12) as JSON lines");
  s->add_option("--players", synth.players, "Players")->capture_default_str()->check(CLI::Range(10, 100'000));
  s->add_option("--days", synth.days, "Days of play (the window)")->capture_default_str()->check(CLI::Range(1, 365));
  s->add_option("--seed", synth.seed, "Seed (same seed, same population)")->capture_default_str();
  s->add_option("--bot-share", synth.bot_share, "Bot prevalence π")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  s->add_option("--out", synth.out, "Output file: a manifest line, then one line per player with label and battles")
      ->required();
  s->add_option("--labels", synth.labels, "Also write the labels alone to this file (JSON lines)");
  s->callback([&code] { code = cmd_antibot_synth(synth); });

  auto* e = antibot->add_subcommand("eval", "Run the labelled benchmark over several seeds and print the metrics");
  e->add_option("--players", eval.players, "Players per seed")->capture_default_str()->check(CLI::Range(30, 100'000));
  e->add_option("--days", eval.days, "Window in days")->capture_default_str()->check(CLI::Range(1, 365));
  e->add_option("--seeds", eval.seeds, "Number of seeds")->capture_default_str()->check(CLI::Range(1, 100));
  e->add_option("--seed", eval.seed, "First seed")->capture_default_str();
  e->add_option("--bot-share", eval.bot_share, "Bot prevalence π")->capture_default_str()->check(CLI::Range(0.01, 0.9));
  e->add_flag("--check", eval.check, "Exit 1 when a bar of the issue is missed");
  e->add_flag("-q,--quiet", eval.quiet, "No progress output");
  e->callback([&code] { code = cmd_antibot_eval(eval); });

  static AntibotScanOptions scan;
  auto* sc = antibot->add_subcommand("scan", "Score every player of the battles store over a window and store the verdicts");
  sc->add_option("--days", scan.days, "Window in days")->capture_default_str()->check(CLI::Range(1, 365));
  sc->add_option("--until", scan.until, "Window end, Unix seconds (default: now)")->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  sc->add_option("--top", scan.top, "How many of the highest scores to print")->capture_default_str()->check(CLI::Range(0, 100'000));
  sc->add_option("--model", scan.model, "Model file from 'antibot train' (default: train on this window)");
  sc->add_flag("--json", scan.json, "Print every verdict as a JSON line instead of the table");
  sc->add_flag("-q,--quiet", scan.quiet, "No progress output");
  sc->callback([&global, &code] { code = cmd_antibot_scan(global, scan); });

  static AntibotTrainOptions train;
  auto* tr = antibot->add_subcommand("train", "Train the detector on the battles store's window and write the model JSON");
  tr->add_option("--days", train.days, "Window in days")->capture_default_str()->check(CLI::Range(1, 365));
  tr->add_option("--until", train.until, "Window end, Unix seconds (default: now)")->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  tr->add_option("--out", train.out, "Model file (versioned JSON with the feature-schema hash)")->required();
  tr->add_flag("-q,--quiet", train.quiet, "No progress output");
  tr->callback([&global, &code] { code = cmd_antibot_train(global, train); });

  static AntibotTrainPlaystyleOptions playstyle;
  auto* tp = antibot->add_subcommand("train-playstyle", "Fit the playstyle clusters on the battles store's window and write the model JSON");
  tp->add_option("--days", playstyle.days, "Window in days")->capture_default_str()->check(CLI::Range(30, 365));
  tp->add_option("--until", playstyle.until, "Window end, Unix seconds (default: now)")->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  tp->add_option("--out", playstyle.out, "Model file (default: antibot.playstyle_model_path, else <server.var_dir>/playstyle-model.json)");
  tp->add_option("--k", playstyle.k, "Number of clusters")->capture_default_str()->check(CLI::Range(2, 32));
  tp->add_option("--seed", playstyle.seed, "Seed (same seed and data, same model)")->capture_default_str();
  tp->add_flag("-q,--quiet", playstyle.quiet, "No progress output");
  tp->callback([&global, &code] { code = cmd_antibot_train_playstyle(global, playstyle); });

  static bool rebuild_quiet = false;
  auto* rb = antibot->add_subcommand("rebuild-state",
                                     "Recompute every player's incremental state and daily rows from the whole battles store"
                                     " (after battles arrived out of order, or when the definitions change)");
  rb->alias("rebuild");
  rb->add_flag("-q,--quiet", rebuild_quiet, "No progress output");
  rb->callback([&global, &code] { code = cmd_antibot_rebuild(global, rebuild_quiet); });
}

}  // namespace tzr::app
