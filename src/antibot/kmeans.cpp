#include "antibot/kmeans.hpp"

#include "core/parallel.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace tzr::antibot {
namespace {

double squared_distance(const Row& a, const Row& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

std::size_t nearest(const std::vector<Row>& centroids, const Row& x, double* best_d) {
  std::size_t best = 0;
  double bd = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < centroids.size(); ++c) {
    const double d = squared_distance(centroids[c], x);
    if (d < bd) {
      bd = d;
      best = c;
    }
  }
  if (best_d) *best_d = bd;
  return best;
}

// k-means++ seeding: each next centre drawn with probability proportional to D(x)².
std::vector<Row> seed_centroids(const std::vector<Row>& x, std::size_t k, std::mt19937_64& rng) {
  std::vector<Row> c{x[std::uniform_int_distribution<std::size_t>(0, x.size() - 1)(rng)]};
  std::vector<double> d2(x.size());
  while (c.size() < k) {
    double total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      nearest(c, x[i], &d2[i]);
      total += d2[i];
    }
    if (total <= 0) {
      c.push_back(x[std::uniform_int_distribution<std::size_t>(0, x.size() - 1)(rng)]);
      continue;
    }
    double r = std::uniform_real_distribution<double>(0, total)(rng);
    std::size_t pick = x.size() - 1;
    for (std::size_t i = 0; i < x.size(); ++i) {
      r -= d2[i];
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    c.push_back(x[pick]);
  }
  return c;
}

std::pair<std::vector<Row>, double> lloyd(const std::vector<Row>& x, std::vector<Row> c, const KMeansOptions& o, double tol) {
  const std::size_t width = x.front().size();
  std::vector<std::size_t> label(x.size());
  for (std::size_t iter = 0; iter < o.max_iter; ++iter) {
    for (std::size_t i = 0; i < x.size(); ++i) label[i] = nearest(c, x[i], nullptr);
    std::vector<Row> next(c.size(), Row(width, 0.0));
    std::vector<std::size_t> count(c.size(), 0);
    for (std::size_t i = 0; i < x.size(); ++i) {
      ++count[label[i]];
      for (std::size_t k = 0; k < width; ++k) next[label[i]][k] += x[i][k];
    }
    double shift = 0;
    for (std::size_t j = 0; j < c.size(); ++j) {
      if (count[j] == 0) {
        next[j] = c[j];  // an empty cluster keeps its centre
      } else {
        for (auto& v : next[j]) v /= static_cast<double>(count[j]);
      }
      shift += squared_distance(c[j], next[j]);
    }
    c = std::move(next);
    if (shift <= tol) break;
  }
  double inertia = 0;
  for (const auto& row : x) {
    double d = 0;
    nearest(c, row, &d);
    inertia += d;
  }
  return {std::move(c), inertia};
}

boost::json::array to_array(const Row& r) {
  boost::json::array a;
  for (double v : r) a.push_back(v);
  return a;
}

Row from_array(const boost::json::value& v) {
  Row r;
  for (const auto& x : v.as_array()) r.push_back(x.to_number<double>());
  return r;
}

}  // namespace

StandardScaler StandardScaler::fit(const std::vector<Row>& rows) {
  StandardScaler s;
  const std::size_t width = rows.front().size();
  s.mean.assign(width, 0.0);
  s.scale.assign(width, 0.0);
  for (const auto& r : rows)
    for (std::size_t k = 0; k < width; ++k) s.mean[k] += r[k];
  for (auto& m : s.mean) m /= static_cast<double>(rows.size());
  for (const auto& r : rows)
    for (std::size_t k = 0; k < width; ++k) s.scale[k] += (r[k] - s.mean[k]) * (r[k] - s.mean[k]);
  for (auto& v : s.scale) {
    v = std::sqrt(v / static_cast<double>(rows.size()));
    if (v == 0) v = 1;
  }
  return s;
}

Row StandardScaler::transform(const Row& x) const {
  Row out(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) out[k] = (x[k] - mean[k]) / scale[k];
  return out;
}

Result<KMeans> KMeans::fit(const std::vector<Row>& rows, const KMeansOptions& options) {
  if (options.k == 0 || rows.size() < options.k)
    return Error::make(ErrorKind::unprocessable, "not_enough_data", "fewer rows than clusters");
  for (const auto& r : rows) {
    if (r.size() != rows.front().size() || r.empty()) return Error::make(ErrorKind::bad_request, "bad_input", "rows differ in length");
    for (double v : r)
      if (!std::isfinite(v)) return Error::make(ErrorKind::bad_request, "bad_input", "a feature is not a finite number");
  }
  KMeans m;
  m.scaler_ = StandardScaler::fit(rows);
  std::vector<Row> x;
  x.reserve(rows.size());
  for (const auto& r : rows) x.push_back(m.scaler_.transform(r));
  // tol is relative to the mean variance of the (scaled) features, as in scikit-learn.
  const StandardScaler spread = StandardScaler::fit(x);
  double variance = 0;
  for (double sd : spread.scale) variance += sd == 1 ? 1 : sd * sd;
  const double tol = options.tol * variance / static_cast<double>(x.front().size());
  // The seedings are drawn in order from one stream (cheap), the restarts run in parallel, and
  // the first restart with the lowest inertia wins: the same model for any thread count.
  std::mt19937_64 rng(options.seed);
  const std::size_t runs = std::max<std::size_t>(1, options.n_init);
  std::vector<std::vector<Row>> seeds;
  for (std::size_t run = 0; run < runs; ++run) seeds.push_back(seed_centroids(x, options.k, rng));
  std::vector<std::pair<std::vector<Row>, double>> results(runs);
  parallel_for(runs, default_threads(), [&](std::size_t run) { results[run] = lloyd(x, std::move(seeds[run]), options, tol); });
  m.inertia_ = std::numeric_limits<double>::infinity();
  for (auto& [centroids, inertia] : results)
    if (inertia < m.inertia_) {
      m.inertia_ = inertia;
      m.centroids_ = std::move(centroids);
    }
  return m;
}

Assignment KMeans::assign(const Row& raw) const {
  const Row x = scaler_.transform(raw);
  Assignment a;
  double own = 0;
  a.cluster = nearest(centroids_, x, &own);
  a.distance = std::sqrt(own);
  double far = 0;
  for (const auto& c : centroids_) far = std::max(far, std::sqrt(squared_distance(c, x)));
  a.confidence = far > 0 ? 1.0 - a.distance / far : 1.0;
  return a;
}

Row KMeans::centroid_unscaled(std::size_t cluster) const {
  Row out = centroids_.at(cluster);
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = out[k] * scaler_.scale[k] + scaler_.mean[k];
  return out;
}

boost::json::value KMeans::to_json() const {
  boost::json::array centroids;
  for (const auto& c : centroids_) centroids.push_back(to_array(c));
  return boost::json::object{{"kind", "kmeans"},          {"version", 1},     {"mean", to_array(scaler_.mean)},
                             {"scale", to_array(scaler_.scale)}, {"inertia", inertia_}, {"centroids", std::move(centroids)}};
}

Result<KMeans> KMeans::from_json(const boost::json::value& json) {
  auto bad = [] { return Error::make(ErrorKind::unprocessable, "bad_model", "not a k-means model of version 1"); };
  try {
    const auto& o = json.as_object();
    if (o.at("kind") != "kmeans" || o.at("version") != 1) return bad();
    KMeans m;
    m.scaler_.mean = from_array(o.at("mean"));
    m.scaler_.scale = from_array(o.at("scale"));
    m.inertia_ = o.at("inertia").to_number<double>();
    for (const auto& c : o.at("centroids").as_array()) m.centroids_.push_back(from_array(c));
    const std::size_t width = m.scaler_.mean.size();
    if (m.centroids_.empty() || m.scaler_.scale.size() != width) return bad();
    for (const auto& c : m.centroids_)
      if (c.size() != width) return bad();
    for (double s : m.scaler_.scale)
      if (!(s > 0)) return bad();
    return m;
  } catch (const std::exception&) {
    return bad();
  }
}

}  // namespace tzr::antibot
