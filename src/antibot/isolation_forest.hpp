#pragma once
// Isolation Forest (Liu, Ting & Zhou 2008), native and deterministic under a seed: the anomaly
// model of the bot detector (antibot-analytics.md §4.2). Conventions follow scikit-learn so that
// thresholds carry over: score_samples() is the negated anomaly score −2^(−E[h(x)]/c(ψ)) (lower =
// more anomalous), and decision() = score_samples − offset, where offset is the contamination
// quantile of the training scores (negative = anomalous).
#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tzr::antibot {

using Row = std::vector<double>;

struct ForestOptions {
  std::size_t trees = 100;
  std::size_t sample_size = 256;  // ψ: rows per tree, drawn without replacement (min(ψ, n))
  double contamination = 0.10;    // share of training rows below the decision threshold
  std::uint64_t seed = 42;
};

class IsolationForest {
 public:
  // Error "not_enough_data" (unprocessable) below 2 rows; "bad_input" on ragged or non-finite rows.
  static Result<IsolationForest> fit(const std::vector<Row>& rows, const ForestOptions& options);

  double score_samples(const Row& x) const;  // in [−1, 0)
  double decision(const Row& x) const { return score_samples(x) - offset_; }
  bool is_anomaly(const Row& x) const { return decision(x) < 0; }
  // Per-feature share of the isolation of x (sums to 1): each split on x's path credits its
  // feature with 1/path length, so features that isolate x early weigh most.
  std::vector<double> attribution(const Row& x) const;

  std::size_t features() const { return features_; }
  double offset() const { return offset_; }

  boost::json::value to_json() const;
  static Result<IsolationForest> from_json(const boost::json::value& json);

 private:
  struct Node {
    std::int32_t feature = -1;  // -1: leaf
    double threshold = 0;
    std::int32_t left = -1, right = -1;
    std::uint32_t size = 0;  // rows that reached a leaf
  };
  using Tree = std::vector<Node>;

  double path_length(const Tree& tree, const Row& x, std::vector<double>* credit) const;

  std::vector<Tree> trees_;
  std::size_t features_ = 0;
  std::size_t sample_size_ = 0;
  double offset_ = 0;
};

// c(n): the average path length of an unsuccessful search in a binary search tree of n nodes.
double average_path_length(double n);

}  // namespace tzr::antibot
