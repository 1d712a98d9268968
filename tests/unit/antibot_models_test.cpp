// The anomaly and clustering models on toy data whose answer is known: outliers found, blobs
// recovered, the same output for the same seed, models that survive a JSON round trip.
#include "antibot/isolation_forest.hpp"
#include "antibot/kmeans.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace tzr::antibot;

namespace {

// 300 points in the cube [-1, 1]^4 (no natural outliers), then 6 far away in different directions.
std::vector<Row> cloud_with_outliers(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> n(-1, 1);
  std::vector<Row> rows;
  for (int i = 0; i < 300; ++i) rows.push_back({n(rng), n(rng), n(rng), n(rng)});
  rows.push_back({9, 0, 0, 0});
  rows.push_back({0, -9, 0, 0});
  rows.push_back({0, 0, 8, 8});
  rows.push_back({-7, 7, 0, 0});
  rows.push_back({0, 0, 0, 12});
  rows.push_back({6, 6, 6, 6});
  return rows;
}

std::vector<Row> blobs(std::uint64_t seed, std::vector<std::size_t>* truth) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0, 0.5);
  const std::vector<Row> centres{{0, 0, 0}, {10, 10, 0}, {-10, 5, 8}};
  std::vector<Row> rows;
  for (std::size_t c = 0; c < centres.size(); ++c)
    for (int i = 0; i < 100; ++i) {
      rows.push_back({centres[c][0] + n(rng), centres[c][1] + n(rng), centres[c][2] + n(rng)});
      truth->push_back(c);
    }
  return rows;
}

}  // namespace

TEST(IsolationForest, FindsTheOutliersAndExplainsThem) {
  const auto rows = cloud_with_outliers(7);
  auto forest = IsolationForest::fit(rows, {.contamination = 0.02});
  ASSERT_TRUE(forest) << forest.error().message;
  std::vector<std::pair<double, std::size_t>> ranked;
  for (std::size_t i = 0; i < rows.size(); ++i) ranked.emplace_back(forest->score_samples(rows[i]), i);
  std::sort(ranked.begin(), ranked.end());
  std::set<std::size_t> top;
  for (std::size_t i = 0; i < 6; ++i) top.insert(ranked[i].second);
  EXPECT_EQ(top, (std::set<std::size_t>{300, 301, 302, 303, 304, 305}));
  for (std::size_t i = 300; i < 306; ++i) EXPECT_TRUE(forest->is_anomaly(rows[i])) << i;
  std::size_t flagged = 0;
  for (const auto& r : rows) flagged += forest->is_anomaly(r) ? 1 : 0;
  EXPECT_LE(flagged, 8u);  // about the contamination share
  EXPECT_GE(forest->score_samples(rows[0]), -1.0);
  EXPECT_LT(forest->score_samples(rows[0]), 0.0);

  // The point far out on feature 3 only is isolated mostly by feature 3.
  const auto why = forest->attribution(rows[304]);
  EXPECT_EQ(std::max_element(why.begin(), why.end()) - why.begin(), 3);
  double sum = 0;
  for (double w : why) sum += w;
  EXPECT_NEAR(sum, 1.0, 1e-9);
}

TEST(IsolationForest, SameSeedSameModelAndJsonRoundTrip) {
  const auto rows = cloud_with_outliers(11);
  auto a = IsolationForest::fit(rows, {.seed = 5});
  auto b = IsolationForest::fit(rows, {.seed = 5});
  auto c = IsolationForest::fit(rows, {.seed = 6});
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->score_samples(rows[3]), b->score_samples(rows[3]));
  EXPECT_NE(a->score_samples(rows[3]), c->score_samples(rows[3]));
  auto back = IsolationForest::from_json(a->to_json());
  ASSERT_TRUE(back) << back.error().message;
  for (const auto& r : rows) EXPECT_EQ(back->score_samples(r), a->score_samples(r));
  EXPECT_EQ(back->offset(), a->offset());

  auto cyclic = a->to_json();
  cyclic.as_object()["trees"].as_array()[0].as_array()[0].as_array()[2] = 0;  // root's left child = root
  EXPECT_FALSE(IsolationForest::from_json(cyclic));
  EXPECT_FALSE(IsolationForest::from_json(boost::json::value("nope")));
}

TEST(IsolationForest, RefusesBadInput) {
  EXPECT_EQ(IsolationForest::fit({{1.0}}, {}).error().code, "not_enough_data");
  EXPECT_EQ(IsolationForest::fit({{1.0, 2.0}, {1.0}}, {}).error().code, "bad_input");
  EXPECT_EQ(IsolationForest::fit({{1.0}, {NAN}}, {}).error().code, "bad_input");
  auto constant = IsolationForest::fit({{1.0}, {1.0}, {1.0}}, {});  // nothing to split: all leaves
  ASSERT_TRUE(constant);
  EXPECT_EQ(constant->score_samples({1.0}), constant->score_samples({5.0}));
}

TEST(KMeans, RecoversBlobsDeterministically) {
  std::vector<std::size_t> truth;
  const auto rows = blobs(3, &truth);
  auto model = KMeans::fit(rows, {.k = 3});
  ASSERT_TRUE(model) << model.error().message;
  std::map<std::size_t, std::set<std::size_t>> clusters_of_blob;
  for (std::size_t i = 0; i < rows.size(); ++i) clusters_of_blob[truth[i]].insert(model->assign(rows[i]).cluster);
  std::set<std::size_t> used;
  for (const auto& [blob, clusters] : clusters_of_blob) {
    EXPECT_EQ(clusters.size(), 1u) << "blob " << blob << " split";
    used.insert(*clusters.begin());
  }
  EXPECT_EQ(used.size(), 3u);
  // Unscaled centroids sit on the blob centres.
  const auto c = model->centroid_unscaled(model->assign({10, 10, 0}).cluster);
  EXPECT_NEAR(c[0], 10, 0.3);
  EXPECT_NEAR(c[1], 10, 0.3);
  EXPECT_GT(model->assign({10, 10, 0}).confidence, 0.8);

  auto again = KMeans::fit(rows, {.k = 3});
  EXPECT_EQ(again->inertia(), model->inertia());
  auto back = KMeans::from_json(model->to_json());
  ASSERT_TRUE(back) << back.error().message;
  for (const auto& r : rows) EXPECT_EQ(back->assign(r).cluster, model->assign(r).cluster);
}

TEST(KMeans, RefusesTooFewRowsAndBadModels) {
  EXPECT_EQ(KMeans::fit({{1.0}, {2.0}}, {.k = 3}).error().code, "not_enough_data");
  auto constant = KMeans::fit({{1.0, 1.0}, {1.0, 1.0}, {1.0, 1.0}}, {.k = 2});
  ASSERT_TRUE(constant);
  EXPECT_EQ(constant->assign({1.0, 1.0}).confidence, 1.0);
  boost::json::value broken = constant->to_json();
  broken.as_object()["scale"] = boost::json::array{0.0, 1.0};
  EXPECT_FALSE(KMeans::from_json(broken));
}
