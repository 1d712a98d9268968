#include "antibot/detector.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tzr::antibot {
namespace {

constexpr int kModelVersion = 1;

// 0 at zero_at, 1 at full_at, linear between (either direction); NaN gives 0.
double ramp(double x, double zero_at, double full_at) {
  if (std::isnan(x)) return 0;
  return std::clamp((x - zero_at) / (full_at - zero_at), 0.0, 1.0);
}

double or_value(double x, double undefined) { return std::isnan(x) ? undefined : x; }

struct Component {
  const char* code;
  const char* severity;
  const char* feature;
  double value, threshold, strength, weight;
};

// The corrected §4.1 components. Timing signals use idle time (start − previous end), not
// end-to-end gaps; survival really counts (D4); each signal has its own threshold (D5); same-second
// ends only count as overlapping battles (D6); zeroes are kept (D8); "narrow window" is replaced by
// "same start time every day" and one long sleep no longer cancels round-the-clock play (D25).
std::vector<Component> components(const PlayerFeatures& f) {
  const bool idles = f.idle_count >= 10;
  const double marathon = f.marathon_count <= 0 ? 0 : std::min(1.0, f.marathon_count / 3 + (f.longest_marathon_hours > 5 ? 0.3 : 0));
  return {
      {"fast_idle", "critical", "idle_median_s", f.idle_median_s, 5, idles ? ramp(f.idle_median_s, 12, 5) : 0, 1.0},
      {"fixed_delay", "critical", "idle_mode_share", f.idle_mode_share, 0.6,
       f.idle_count >= 20 ? ramp(f.idle_mode_share, 0.2, 0.6) : 0, 1.0},
      {"concurrent_battles", "critical", "overlap_ratio", f.overlap_ratio, 0.10,
       f.battles >= 20 ? ramp(f.overlap_ratio, 0.02, 0.10) : 0, 1.0},
      {"round_the_clock", "high", "daily_hours_mean", f.daily_hours_mean, 16,
       f.active_days >= 3 ? ramp(f.daily_hours_mean, 10, 16) : 0, 1.0},
      {"fixed_schedule", "high", "session_start_mad_hours", f.session_start_mad_hours, 0.1,
       f.sessions >= 5 ? ramp(f.session_start_mad_hours, 0.5, 0.1) * ramp(f.active_day_ratio, 0.6, 0.9) : 0, 0.9},
      {"marathon_sessions", "medium", "marathon_count", f.marathon_count, 3, marathon, 0.25},
      {"high_activity", "low", "battles_per_active_day", f.battles_per_active_day, 400,
       ramp(f.battles_per_active_day, 100, 400), 0.15},
      {"high_survival", "low", "survival_rate", f.survival_rate, 0.95, ramp(f.survival_rate, 0.70, 0.95), 0.10},
      {"high_pvp_kpm", "low", "kills_players_avg", f.kills_players_avg, 5, ramp(f.kills_players_avg, 1, 5), 0.10},
      {"pve_focus", "low", "kills_monsters_avg", f.kills_monsters_avg, 25,
       f.kills_players_avg <= 0.3 ? ramp(f.kills_monsters_avg, 10, 25) : 0, 0.05},
  };
}

const char* kIfReason = "if_anomaly";
const char* kKmeansReason = "kmeans_bot_cluster";

// Cluster labelling by centroid rules, on the model vector's units (see model_vector).
bool bot_centroid(const Row& c) {
  return std::expm1(c[2]) <= 6 || c[4] >= 0.1 || c[7] >= 14 || (c[6] <= 0.25 && c[1] >= 0.9);
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

boost::json::value number_or_null(double v) { return std::isfinite(v) ? boost::json::value(v) : boost::json::value(nullptr); }

}  // namespace

const std::vector<std::string>& model_feature_names() {
  static const std::vector<std::string> names{
      "log_battles_per_active_day", "active_day_ratio", "log_idle_median_s", "idle_mode_share", "overlap_ratio",
      "same_second_ratio", "session_start_mad_hours", "daily_hours_mean", "log_session_hours_mean",
      "session_battles_cv", "marathon_share", "survival_rate", "pvp_ratio", "kills_monsters_avg", "location_entropy"};
  return names;
}

// Undefined statistics get explicit, documented values here (never a zero turned into a default):
// no in-session idle → 60 s; fewer than 3 sessions → start spread 3 h; one session → CV 0.6.
Row model_vector(const PlayerFeatures& f) {
  return {std::log1p(or_value(f.battles_per_active_day, 0)),
          f.active_day_ratio,
          std::log1p(or_value(f.idle_median_s, 60)),
          or_value(f.idle_mode_share, 0),
          or_value(f.overlap_ratio, 0),
          or_value(f.same_second_ratio, 0),
          or_value(f.session_start_mad_hours, 3),
          or_value(f.daily_hours_mean, 0),
          std::log1p(or_value(f.session_hours_mean, 0)),
          or_value(f.session_battles_cv, 0.6),
          f.battles > 0 ? f.marathon_battles / f.battles : 0,
          or_value(f.survival_rate, 0),
          or_value(f.pvp_ratio, 0),
          or_value(f.kills_monsters_avg, 0),
          or_value(f.location_entropy, 0)};
}

double rule_score(const PlayerFeatures& f, std::vector<Reason>* reasons) {
  // Noisy-OR: one saturated critical signal is enough, weak signals only add up partially.
  const auto parts = components(f);
  double keep = 1, evidence = 0;
  std::vector<double> logs;
  for (const auto& c : parts) {
    const double p = std::min(0.999, c.weight * c.strength);
    keep *= 1 - c.weight * c.strength;
    logs.push_back(-std::log1p(-p));
    evidence += logs.back();
  }
  const double score = 1 - keep;
  if (reasons)
    for (std::size_t i = 0; i < parts.size(); ++i)
      if (parts[i].strength > 0)
        reasons->push_back({parts[i].code, parts[i].severity, parts[i].feature, parts[i].value, parts[i].threshold,
                            evidence > 0 ? score * logs[i] / evidence : 0});
  return score;
}

Result<Detector> Detector::train(const std::vector<PlayerFeatures>& cohort, const DetectorOptions& options,
                                 int window_days, std::int64_t trained_at) {
  std::vector<Row> rows;
  for (const auto& f : cohort)
    if (f.battles >= options.min_battles) rows.push_back(model_vector(f));
  if (rows.size() < std::max<std::size_t>(10, options.kmeans.k))
    return Error::make(ErrorKind::unprocessable, "not_enough_data",
                       "training needs at least max(10, k) players with " + std::to_string(options.min_battles) +
                           " battles; found " + std::to_string(rows.size()));
  Detector d;
  d.options_ = options;
  d.window_days_ = window_days;
  d.trained_on_ = rows.size();
  d.trained_at_ = trained_at;
  auto forest = IsolationForest::fit(rows, options.forest);
  if (!forest) return forest.error();
  auto kmeans = KMeans::fit(rows, options.kmeans);
  if (!kmeans) return kmeans.error();
  d.forest_ = std::move(*forest);
  d.kmeans_ = std::move(*kmeans);
  for (std::size_t c = 0; c < d.kmeans_->centroids().size(); ++c)
    d.bot_clusters_.push_back(bot_centroid(d.kmeans_->centroid_unscaled(c)));
  return d;
}

Detection Detector::detect(const PlayerFeatures& f) const {
  Detection out;
  out.metrics = f;
  out.eligible = f.battles >= options_.min_battles;
  if (!out.eligible) {
    out.method = "insufficient_data";
    return out;
  }
  out.rule_score = rule_score(f, &out.reasons);
  MlDetection ml;
  const Row x = model_vector(f);
  ml.if_anomaly_score = forest_->decision(x);
  ml.if_anomaly = ml.if_anomaly_score < 0;
  ml.if_probability =
      std::clamp((-ml.if_anomaly_score - options_.forest_offset) / options_.forest_span, 0.0, 1.0);
  const auto assignment = kmeans_->assign(x);
  ml.cluster = assignment.cluster;
  ml.kmeans_bot = bot_clusters_[assignment.cluster];
  ml.kmeans_probability = ml.kmeans_bot ? 0.5 + 0.5 * assignment.confidence : 0;

  for (auto& r : out.reasons) r.contribution *= options_.w_rules;
  const double score = std::clamp(options_.w_rules * out.rule_score + options_.w_forest * ml.if_probability +
                                      options_.w_kmeans * ml.kmeans_probability,
                                  0.0, 1.0);
  const auto attribution = forest_->attribution(x);
  const auto& names = model_feature_names();
  std::vector<std::size_t> order(attribution.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return attribution[a] > attribution[b]; });
  for (std::size_t i = 0; i < std::min<std::size_t>(3, order.size()); ++i)
    ml.attributions.push_back({names[order[i]], attribution[order[i]]});
  if (ml.if_anomaly)
    out.reasons.push_back({kIfReason, "medium", ml.attributions.front().first, ml.if_anomaly_score, 0,
                           options_.w_forest * ml.if_probability});
  if (ml.kmeans_bot)
    out.reasons.push_back({kKmeansReason, "medium", "", static_cast<double>(ml.cluster), 0,
                           options_.w_kmeans * ml.kmeans_probability});
  std::stable_sort(out.reasons.begin(), out.reasons.end(),
                   [](const Reason& a, const Reason& b) { return a.contribution > b.contribution; });

  ml.method = ml.kmeans_bot && ml.if_anomaly ? "voting_both"
              : ml.kmeans_bot                ? "kmeans_only"
              : ml.if_anomaly                ? "if_only"
                                             : "rule_based";
  out.score = score;
  out.is_bot = score >= options_.threshold;
  ml.is_bot = out.is_bot;
  ml.confidence = score;
  out.method = ml.method;
  out.ml = std::move(ml);
  return out;
}

boost::json::value Detector::to_json() const {
  boost::json::object o;
  o["version"] = kModelVersion;
  o["feature_schema"] = hex64(feature_schema_hash());
  o["model_features"] = boost::json::value_from(model_feature_names());
  o["window_days"] = window_days_;
  o["n"] = trained_on_;
  o["trained_at"] = trained_at_;
  o["min_battles"] = options_.min_battles;
  o["threshold"] = options_.threshold;
  o["weights"] = {{"rules", options_.w_rules}, {"forest", options_.w_forest}, {"kmeans", options_.w_kmeans}};
  o["forest_mapping"] = {{"offset", options_.forest_offset}, {"span", options_.forest_span}};
  o["forest"] = forest_->to_json();
  o["kmeans"] = kmeans_->to_json();
  boost::json::array bots;
  for (bool b : bot_clusters_) bots.push_back(b);
  o["bot_clusters"] = std::move(bots);
  return o;
}

Result<Detector> Detector::from_json(const boost::json::value& json) {
  auto bad = [](std::string why) { return Error::make(ErrorKind::bad_request, "bad_model", std::move(why)); };
  const auto* o = json.if_object();
  if (!o) return bad("a model is a JSON object");
  const auto* version = o->if_contains("version");
  if (!version || !version->is_int64() || version->as_int64() != kModelVersion) return bad("unknown model version");
  const auto* schema = o->if_contains("feature_schema");
  if (!schema || !schema->is_string() || schema->as_string() != hex64(feature_schema_hash()))
    return bad("the model was trained on another feature schema; train again");
  Detector d;
  try {
    d.window_days_ = static_cast<int>(o->at("window_days").to_number<std::int64_t>());
    d.trained_on_ = o->at("n").to_number<std::size_t>();
    d.trained_at_ = o->at("trained_at").to_number<std::int64_t>();
    d.options_.min_battles = static_cast<int>(o->at("min_battles").to_number<std::int64_t>());
    d.options_.threshold = o->at("threshold").to_number<double>();
    const auto& w = o->at("weights").as_object();
    d.options_.w_rules = w.at("rules").to_number<double>();
    d.options_.w_forest = w.at("forest").to_number<double>();
    d.options_.w_kmeans = w.at("kmeans").to_number<double>();
    const auto& m = o->at("forest_mapping").as_object();
    d.options_.forest_offset = m.at("offset").to_number<double>();
    d.options_.forest_span = m.at("span").to_number<double>();
    for (const auto& b : o->at("bot_clusters").as_array()) d.bot_clusters_.push_back(b.as_bool());
  } catch (const std::exception&) {
    return bad("a model field is missing or has the wrong type");
  }
  if (d.options_.forest_span <= 0) return bad("forest_mapping.span must be positive");
  auto forest = IsolationForest::from_json(o->at("forest"));
  if (!forest) return forest.error();
  auto kmeans = KMeans::from_json(o->at("kmeans"));
  if (!kmeans) return kmeans.error();
  const auto width = model_feature_names().size();
  if (forest->features() != width || kmeans->centroids().empty() || kmeans->centroids().front().size() != width ||
      kmeans->centroids().size() != d.bot_clusters_.size())
    return bad("the model's shapes do not match the feature schema");
  d.forest_ = std::move(*forest);
  d.kmeans_ = std::move(*kmeans);
  return d;
}

boost::json::value to_json(const Detection& d) {
  boost::json::object o;
  o["is_bot"] = d.is_bot;
  o["score"] = d.score;
  o["confidence"] = d.score;
  o["method"] = d.method;
  o["rule_score"] = d.rule_score;
  boost::json::array reasons;
  for (const auto& r : d.reasons)
    reasons.push_back({{"code", r.code}, {"severity", r.severity}, {"feature", r.feature},
                       {"value", number_or_null(r.value)}, {"threshold", r.threshold}, {"contribution", r.contribution}});
  o["reasons"] = std::move(reasons);
  boost::json::object metrics;
  const auto values = to_array(d.metrics);
  for (std::size_t i = 0; i < kFeatureCount; ++i) metrics[feature_names()[i]] = number_or_null(values[i]);
  o["metrics"] = std::move(metrics);
  if (!d.ml) {
    o["ml_detection"] = nullptr;
  } else {
    const auto& m = *d.ml;
    boost::json::array attributions;
    for (const auto& [name, share] : m.attributions) attributions.push_back({{"feature", name}, {"share", share}});
    o["ml_detection"] = {{"is_bot", m.is_bot},
                         {"confidence", m.confidence},
                         {"method", m.method},
                         {"kmeans_bot", m.kmeans_bot},
                         {"if_anomaly", m.if_anomaly},
                         {"if_anomaly_score", m.if_anomaly_score},
                         {"if_probability", m.if_probability},
                         {"kmeans_probability", m.kmeans_probability},
                         {"cluster", m.cluster},
                         {"attributions", std::move(attributions)}};
  }
  return o;
}

}  // namespace tzr::antibot
