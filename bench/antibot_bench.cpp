// The bot detector's models on a synthetic 14-feature population (the reference trains scikit-
// learn on the same shape): Isolation Forest fit and scoring, k-means fit.
#include "antibot/isolation_forest.hpp"
#include "antibot/kmeans.hpp"

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

}  // namespace
