#pragma once
// The bot detector: the corrected rule scorer (antibot-analytics.md §4.1 with D4/D5/D6/D8/D25
// fixed), an Isolation Forest and k-means++ on the same model vector, and the §4.4 voting
// ensemble. Deterministic under a seed. The result keeps the legacy fields (is_bot, score 0–1,
// method, reasons, metrics, ml_detection) and adds structured reasons.
#include "antibot/features.hpp"
#include "antibot/isolation_forest.hpp"
#include "antibot/kmeans.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tzr::antibot {

struct DetectorOptions {
  int min_battles = 10;           // fewer: not scored ("insufficient_data")
  double threshold = 0.5;         // is_bot ⇔ score ≥ threshold
  // §4.4 weights: critical (here: the rule score), Isolation Forest, k-means.
  double w_rules = 0.50, w_forest = 0.30, w_kmeans = 0.20;
  // if_probability = clamp((−decision − offset) / span), the reference's mapping.
  double forest_offset = 0.05, forest_span = 0.30;
  ForestOptions forest{};
  KMeansOptions kmeans{.k = 8};
};

// A structured reason: stable code, what it looked at, and how much it added to the score.
struct Reason {
  std::string code;       // e.g. "fast_idle", "if_anomaly"
  std::string severity;   // critical, high, medium, low
  std::string feature;    // the feature it reads ("" for model-level reasons)
  double value = 0;
  double threshold = 0;   // where the signal reaches full strength
  double contribution = 0;  // its share of the final score
};

struct MlDetection {
  bool is_bot = false;
  double confidence = 0;      // the ensemble probability, 0–1
  std::string method;         // voting_both, kmeans_only, if_only, rule_based
  bool kmeans_bot = false;
  bool if_anomaly = false;
  double if_anomaly_score = 0;  // decision(): negative = anomalous
  double if_probability = 0, kmeans_probability = 0;
  std::size_t cluster = 0;
  std::vector<std::pair<std::string, double>> attributions;  // top features isolating the player
};

struct Detection {
  bool eligible = false;
  bool is_bot = false;
  double score = 0;           // 0–1
  double rule_score = 0;
  std::string method;         // as ml.method, or "insufficient_data"
  std::vector<Reason> reasons;
  PlayerFeatures metrics;
  std::optional<MlDetection> ml;
};

// The vector the models see, derived from the features (logs for counts and durations, explicit
// values for undefined statistics). Names in model_feature_names().
Row model_vector(const PlayerFeatures& f);
const std::vector<std::string>& model_feature_names();

// The rule layer alone: per-component reasons and the combined rule score in [0, 1].
double rule_score(const PlayerFeatures& f, std::vector<Reason>* reasons);

class Detector {
 public:
  // Fits the forest and the clusters on the eligible players of a cohort. Needs ≥ max(10, k) of them.
  static Result<Detector> train(const std::vector<PlayerFeatures>& cohort, const DetectorOptions& options,
                                int window_days, std::int64_t trained_at);
  Detection detect(const PlayerFeatures& f) const;

  const std::vector<bool>& bot_clusters() const { return bot_clusters_; }
  boost::json::value to_json() const;
  static Result<Detector> from_json(const boost::json::value& json);

 private:
  DetectorOptions options_;
  std::optional<IsolationForest> forest_;
  std::optional<KMeans> kmeans_;
  std::vector<bool> bot_clusters_;
  int window_days_ = 0;
  std::size_t trained_on_ = 0;
  std::int64_t trained_at_ = 0;
};

boost::json::value to_json(const Detection& d);

}  // namespace tzr::antibot
