// The bot detector's models on a synthetic 14-feature population (the reference trains scikit-
// learn on the same shape): Isolation Forest fit and scoring, k-means fit.
#include "antibot/detector.hpp"
#include "antibot/isolation_forest.hpp"
#include "antibot/kmeans.hpp"
#include "antibot/population.hpp"

#include <benchmark/benchmark.h>

#include <random>

using namespace tzr::antibot;

namespace {

std::vector<Row> population(std::size_t n) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> x(0, 1);
  std::vector<Row> rows(n, Row(14));
  for (auto& r : rows)
    for (auto& v : r) v = x(rng);
  return rows;
}

void BM_IsolationForestFit(benchmark::State& state) {
  const auto rows = population(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(IsolationForest::fit(rows, {}));
  state.SetItemsProcessed(state.iterations() * state.range(0));  // fit includes scoring every row once (the offset)
}
BENCHMARK(BM_IsolationForestFit)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_IsolationForestScore(benchmark::State& state) {
  const auto rows = population(100'000);
  const auto forest = IsolationForest::fit(rows, {}).value();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(forest.score_samples(rows[i]));
    i = (i + 1) % rows.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IsolationForestScore);

void BM_KMeansFit(benchmark::State& state) {
  const auto rows = population(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(KMeans::fit(rows, {.k = 8, .n_init = 10}));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_KMeansFit)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The §12 population (300 players, 30 days): features per participation, and one detection.
const Population& bench_population() {
  static const Population pop = generate_population({.players = 300, .days = 30, .seed = 1});
  return pop;
}

void BM_AntibotFeatures(benchmark::State& state) {
  const auto& pop = bench_population();
  const FeatureOptions window{.window_end = pop.window_end(), .window_days = 30};
  std::int64_t battles = 0;
  for (auto _ : state)
    for (const auto& p : pop.players) {
      benchmark::DoNotOptimize(compute_features(p.battles, window));
      battles += static_cast<std::int64_t>(p.battles.size());
    }
  state.SetItemsProcessed(battles);  // participations per second
}
BENCHMARK(BM_AntibotFeatures)->Unit(benchmark::kMillisecond);

void BM_AntibotDetect(benchmark::State& state) {
  const auto& pop = bench_population();
  const FeatureOptions window{.window_end = pop.window_end(), .window_days = 30};
  std::vector<PlayerFeatures> features;
  for (const auto& p : pop.players) features.push_back(compute_features(p.battles, window));
  const auto detector = Detector::train(features, {}, 30, pop.window_end()).value();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(detector.detect(features[i]));
    i = (i + 1) % features.size();
  }
  state.SetItemsProcessed(state.iterations());  // players per second
}
BENCHMARK(BM_AntibotDetect);

}  // namespace
