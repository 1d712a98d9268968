#include "antibot/isolation_forest.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace tzr::antibot {
namespace {

constexpr double kEulerGamma = 0.5772156649015329;

Status check_rows(const std::vector<Row>& rows) {
  const std::size_t width = rows.front().size();
  if (width == 0) return Error::make(ErrorKind::bad_request, "bad_input", "rows have no features");
  for (const auto& r : rows) {
    if (r.size() != width) return Error::make(ErrorKind::bad_request, "bad_input", "rows differ in length");
    for (double v : r)
      if (!std::isfinite(v)) return Error::make(ErrorKind::bad_request, "bad_input", "a feature is not a finite number");
  }
  return {};
}

}  // namespace

double average_path_length(double n) {
  if (n <= 1) return 0;
  if (n == 2) return 1;
  return 2.0 * (std::log(n - 1) + kEulerGamma) - 2.0 * (n - 1) / n;
}

Result<IsolationForest> IsolationForest::fit(const std::vector<Row>& rows, const ForestOptions& options) {
  if (rows.size() < 2) return Error::make(ErrorKind::unprocessable, "not_enough_data", "at least 2 rows are needed");
  if (auto st = check_rows(rows); !st) return st.error();
  IsolationForest f;
  f.features_ = rows.front().size();
  f.sample_size_ = std::min(options.sample_size, rows.size());
  const auto height_limit = static_cast<std::size_t>(std::ceil(std::log2(static_cast<double>(f.sample_size_))));
  std::mt19937_64 rng(options.seed);

  std::vector<std::size_t> all(rows.size());
  std::iota(all.begin(), all.end(), 0);
  for (std::size_t t = 0; t < options.trees; ++t) {
    // Partial Fisher–Yates: the first ψ indices are a sample without replacement.
    for (std::size_t i = 0; i < f.sample_size_; ++i) {
      std::uniform_int_distribution<std::size_t> pick(i, all.size() - 1);
      std::swap(all[i], all[pick(rng)]);
    }
    std::vector<std::size_t> idx(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(f.sample_size_));
    Tree tree;
    // Iterative build: (node index, first, last, depth) over idx.
    struct Work {
      std::int32_t node;
      std::size_t first, last, depth;
    };
    tree.push_back({});
    std::vector<Work> stack{{0, 0, idx.size(), 0}};
    std::vector<std::size_t> usable;
    while (!stack.empty()) {
      const Work w = stack.back();
      stack.pop_back();
      const std::size_t n = w.last - w.first;
      usable.clear();
      std::vector<std::pair<double, double>> range(f.features_, {INFINITY, -INFINITY});
      if (n > 1 && w.depth < height_limit) {
        for (std::size_t i = w.first; i < w.last; ++i)
          for (std::size_t k = 0; k < f.features_; ++k) {
            range[k].first = std::min(range[k].first, rows[idx[i]][k]);
            range[k].second = std::max(range[k].second, rows[idx[i]][k]);
          }
        for (std::size_t k = 0; k < f.features_; ++k)
          if (range[k].second > range[k].first) usable.push_back(k);
      }
      if (usable.empty()) {
        tree[static_cast<std::size_t>(w.node)].size = static_cast<std::uint32_t>(n);
        continue;
      }
      const std::size_t k = usable[std::uniform_int_distribution<std::size_t>(0, usable.size() - 1)(rng)];
      const double threshold = std::uniform_real_distribution<double>(range[k].first, range[k].second)(rng);
      auto mid = std::partition(idx.begin() + static_cast<std::ptrdiff_t>(w.first), idx.begin() + static_cast<std::ptrdiff_t>(w.last),
                                [&](std::size_t r) { return rows[r][k] < threshold; });
      const auto split = static_cast<std::size_t>(mid - idx.begin());
      if (split == w.first || split == w.last) {  // the threshold fell on the minimum (measure zero)
        tree[static_cast<std::size_t>(w.node)].size = static_cast<std::uint32_t>(n);
        continue;
      }
      const auto left = static_cast<std::int32_t>(tree.size());
      tree.push_back({});
      tree.push_back({});
      auto& node = tree[static_cast<std::size_t>(w.node)];
      node.feature = static_cast<std::int32_t>(k);
      node.threshold = threshold;
      node.left = left;
      node.right = left + 1;
      stack.push_back({left, w.first, split, w.depth + 1});
      stack.push_back({left + 1, split, w.last, w.depth + 1});
    }
    f.trees_.push_back(std::move(tree));
  }

  std::vector<double> scores;
  scores.reserve(rows.size());
  for (const auto& r : rows) scores.push_back(f.score_samples(r));
  std::sort(scores.begin(), scores.end());
  // numpy's default (linear) percentile at 100·contamination.
  const double pos = std::clamp(options.contamination, 0.0, 1.0) * static_cast<double>(scores.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, scores.size() - 1);
  f.offset_ = scores[lo] + (scores[hi] - scores[lo]) * (pos - static_cast<double>(lo));
  return f;
}

double IsolationForest::path_length(const Tree& tree, const Row& x, std::vector<double>* credit) const {
  std::size_t node = 0;
  double depth = 0;
  while (tree[node].feature >= 0) {
    node = static_cast<std::size_t>(x[static_cast<std::size_t>(tree[node].feature)] < tree[node].threshold ? tree[node].left
                                                                                                             : tree[node].right);
    depth += 1;
  }
  const double h = depth + average_path_length(tree[node].size);
  if (credit && h > 0) {
    // Walk the path again to credit its split features (only for explanations).
    for (std::size_t n = 0; tree[n].feature >= 0;) {
      (*credit)[static_cast<std::size_t>(tree[n].feature)] += 1.0 / h;
      n = static_cast<std::size_t>(x[static_cast<std::size_t>(tree[n].feature)] < tree[n].threshold ? tree[n].left : tree[n].right);
    }
  }
  return h;
}

double IsolationForest::score_samples(const Row& x) const {
  double total = 0;
  for (const auto& t : trees_) total += path_length(t, x, nullptr);
  const double mean = trees_.empty() ? 0 : total / static_cast<double>(trees_.size());
  const double c = average_path_length(static_cast<double>(sample_size_));
  return -std::pow(2.0, -mean / (c > 0 ? c : 1.0));
}

std::vector<double> IsolationForest::attribution(const Row& x) const {
  std::vector<double> credit(features_, 0.0);
  for (const auto& t : trees_) path_length(t, x, &credit);
  const double sum = std::accumulate(credit.begin(), credit.end(), 0.0);
  if (sum > 0)
    for (auto& c : credit) c /= sum;
  return credit;
}

boost::json::value IsolationForest::to_json() const {
  boost::json::array trees;
  for (const auto& t : trees_) {
    boost::json::array nodes;
    for (const auto& n : t) nodes.push_back(boost::json::array{n.feature, n.threshold, n.left, n.right, n.size});
    trees.push_back(std::move(nodes));
  }
  return boost::json::object{{"kind", "isolation_forest"}, {"version", 1},           {"features", features_},
                             {"sample_size", sample_size_}, {"offset", offset_}, {"trees", std::move(trees)}};
}

Result<IsolationForest> IsolationForest::from_json(const boost::json::value& json) {
  auto bad = [] { return Error::make(ErrorKind::unprocessable, "bad_model", "not an isolation forest model of version 1"); };
  try {
    const auto& o = json.as_object();
    if (o.at("kind") != "isolation_forest" || o.at("version") != 1) return bad();
    IsolationForest f;
    f.features_ = static_cast<std::size_t>(o.at("features").to_number<std::int64_t>());
    f.sample_size_ = static_cast<std::size_t>(o.at("sample_size").to_number<std::int64_t>());
    f.offset_ = o.at("offset").to_number<double>();
    for (const auto& t : o.at("trees").as_array()) {
      Tree tree;
      for (const auto& n : t.as_array()) {
        const auto& a = n.as_array();
        Node node{static_cast<std::int32_t>(a.at(0).to_number<std::int64_t>()), a.at(1).to_number<double>(),
                  static_cast<std::int32_t>(a.at(2).to_number<std::int64_t>()), static_cast<std::int32_t>(a.at(3).to_number<std::int64_t>()),
                  static_cast<std::uint32_t>(a.at(4).to_number<std::int64_t>())};
        tree.push_back(node);
      }
      // Children come after their parent (no cycles), inside the tree; features inside the row.
      for (std::size_t i = 0; i < tree.size(); ++i) {
        const auto& node = tree[i];
        const auto at = static_cast<std::int32_t>(i);
        if (node.feature >= 0 && (node.left <= at || node.right <= at || static_cast<std::size_t>(node.left) >= tree.size() ||
                                  static_cast<std::size_t>(node.right) >= tree.size() ||
                                  static_cast<std::size_t>(node.feature) >= f.features_))
          return bad();
      }
      if (tree.empty()) return bad();
      f.trees_.push_back(std::move(tree));
    }
    return f;
  } catch (const std::exception&) {
    return bad();
  }
}

}  // namespace tzr::antibot
