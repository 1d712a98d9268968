#pragma once
// k-means++ on standard-scaled features (antibot-analytics.md §4.3): the playstyle clusters.
// Deterministic under a seed; n_init restarts keep the lowest inertia, as scikit-learn does.
#include "antibot/isolation_forest.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tzr::antibot {

// Per-feature mean and standard deviation; a constant feature keeps scale 1.
struct StandardScaler {
  std::vector<double> mean, scale;
  static StandardScaler fit(const std::vector<Row>& rows);
  Row transform(const Row& x) const;
};

struct KMeansOptions {
  std::size_t k = 8;
  std::size_t n_init = 10;
  std::size_t max_iter = 300;
  double tol = 1e-4;  // relative to the mean feature variance, as in scikit-learn
  std::uint64_t seed = 42;
};

struct Assignment {
  std::size_t cluster = 0;
  double distance = 0;    // to its centroid, in scaled space
  double confidence = 1;  // 1 − d(own) / max_k d(k); 1 when every distance is 0
};

class KMeans {
 public:
  // Error "not_enough_data" (unprocessable) with fewer rows than k; "bad_input" as the forest.
  static Result<KMeans> fit(const std::vector<Row>& rows, const KMeansOptions& options);

  Assignment assign(const Row& x) const;  // x unscaled
  const std::vector<Row>& centroids() const { return centroids_; }  // scaled space
  Row centroid_unscaled(std::size_t cluster) const;
  double inertia() const { return inertia_; }

  boost::json::value to_json() const;
  static Result<KMeans> from_json(const boost::json::value& json);

 private:
  StandardScaler scaler_;
  std::vector<Row> centroids_;
  double inertia_ = 0;
};

}  // namespace tzr::antibot
