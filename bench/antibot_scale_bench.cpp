// Scoring a whole player base: 100,000 players × 90 days (≈ 11 M participations), the scale the
// antibot issue sets (≤ 5 s on 2 cores with bounded memory). Histories come from a compact
// generator of its own (the §12 population is bot-heavy: thousands of battles per player), one
// player at a time, so memory holds features, never all histories. The manual time is what a scan
// spends after reading a history: features for every player, training (Isolation Forest and
// k-means), and one detection per player; the generation is left out.
#include "antibot/detector.hpp"
#include "antibot/features.hpp"
#include "core/parallel.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <random>
#include <string>

using namespace tzr::antibot;
using tzr::default_threads;
using tzr::parallel_for;

namespace {

constexpr std::int64_t kStart = 1759276800;  // 2025-10-01T00:00:00Z

// A casual human: plays on about a third of the days, one or two sessions of a few battles with
// human pauses. A bot (one in ten): plays most days, sessions with machine-short pauses.
void history(std::uint64_t player, int days, std::vector<PlayerBattle>& out) {
  std::mt19937_64 rng(player * 0x9e3779b97f4a7c15ull + 1);
  std::uniform_real_distribution<double> u(0, 1);
  const bool bot = player % 10 == 0;
  std::lognormal_distribution<double> human_idle(4.0, 0.8);  // median ≈ 55 s
  std::int64_t id = static_cast<std::int64_t>(player) * 100'000;
  out.clear();
  for (int day = 0; day < days; ++day) {
    if (u(rng) > (bot ? 0.5 : 0.25)) continue;
    const int sessions = 1 + (u(rng) < 0.3);
    for (int s = 0; s < sessions; ++s) {
      double t = static_cast<double>(kStart + day * 86400) + (8 + 14 * u(rng)) * 3600;
      const int battles = bot ? 6 + static_cast<int>(u(rng) * 4) : 2 + static_cast<int>(u(rng) * 4);
      for (int b = 0; b < battles; ++b) {
        PlayerBattle pb;
        pb.battle_id = ++id;
        pb.start_ts = static_cast<std::int64_t>(t);
        t += 90 + u(rng) * 200;
        pb.end_ts = static_cast<std::int64_t>(t);
        pb.loc_x = static_cast<std::int32_t>(u(rng) * 20);
        pb.loc_y = static_cast<std::int32_t>(u(rng) * 20);
        pb.pvp = !bot && u(rng) < 0.2;
        pb.survived = bot ? u(rng) < 0.99 : u(rng) < 0.8;
        pb.kills_monsters = static_cast<std::int32_t>(u(rng) * (bot ? 8 : 5));
        pb.kills_players = pb.pvp ? static_cast<std::int32_t>(u(rng) * 3) : 0;
        pb.loot = static_cast<std::int64_t>(u(rng) * 4);
        out.push_back(pb);
        t += bot ? 2 + u(rng) * 2 : human_idle(rng);
      }
    }
  }
}

double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

void BM_AntibotScoreAllPlayers(benchmark::State& state) {
  const auto players = static_cast<std::uint64_t>(state.range(0));
  const int days = static_cast<int>(state.range(1));
  const FeatureOptions window{.window_end = kStart + std::int64_t{days} * 86400, .window_days = days};
  using clock = std::chrono::steady_clock;
  for (auto _ : state) {
    // Histories in blocks of 1,000 players (what a scan holds at once when it reads by pages),
    // features of a block computed on every core as `tzrhost antibot scan` does.
    std::vector<PlayerFeatures> features(players);
    std::vector<std::vector<PlayerBattle>> block(1000);
    double participations = 0, flagged = 0, bots = 0;
    clock::duration features_time{};
    for (std::uint64_t first = 0; first < players; first += block.size()) {
      const std::size_t n = std::min<std::size_t>(block.size(), players - first);
      for (std::size_t i = 0; i < n; ++i) {
        history(first + i + 1, days, block[i]);
        participations += static_cast<double>(block[i].size());
      }
      const auto t0 = clock::now();
      parallel_for(n, default_threads(), [&](std::size_t i) { features[first + i] = compute_features(block[i], window); });
      features_time += clock::now() - t0;
    }
    const auto t1 = clock::now();
    auto detector = Detector::train(features, {}, days, window.window_end);
    const auto t2 = clock::now();
    if (!detector) {
      state.SkipWithError(detector.error().message.c_str());
      return;
    }
    std::vector<char> is_bot(features.size());
    parallel_for(features.size(), default_threads(), [&](std::size_t p) { is_bot[p] = detector->detect(features[p]).is_bot; });
    for (std::uint64_t p = 0; p < features.size(); ++p) {
      flagged += is_bot[p];
      bots += (p + 1) % 10 == 0;
    }
    const auto t3 = clock::now();
    const auto seconds = [](clock::duration d) { return std::chrono::duration<double>(d).count(); };
    state.SetIterationTime(seconds(features_time + (t3 - t1)));
    state.counters["participations"] = participations;
    state.counters["features_s"] = seconds(features_time);
    state.counters["train_s"] = seconds(t2 - t1);
    state.counters["score_s"] = seconds(t3 - t2);
    state.counters["flagged"] = flagged;
    state.counters["bots"] = bots;
    state.counters["peak_rss_MiB"] = peak_rss_mib();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * players));
}
BENCHMARK(BM_AntibotScoreAllPlayers)->Args({100'000, 90})->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
