// Battle-log parsing throughput on the synthetic corpus (MB/s and battles/s on one core), the HP
// grammar, and the raw-store compression. Run: build/default/bench/tzr_bench --benchmark_filter=Battles
#include "battles/gzip.hpp"
#include "battles/hp_grammar.hpp"
#include "battles/parser.hpp"
#include "battles/synth.hpp"

#include <benchmark/benchmark.h>

#include <vector>

using namespace tzr::battles;

namespace {

// ~2,000 realistic battles (3 KB average), built once.
const std::vector<std::string>& corpus() {
  static const std::vector<std::string> logs = [] {
    std::vector<std::string> out;
    SynthOptions o;
    o.players = 60;
    o.days = 6;
    o.seed = 2026;
    o.max_battles = 2000;
    synthesize(o, [&out](SynthBattle&& b) {
      out.push_back(std::move(b.text));
      return true;
    });
    return out;
  }();
  return logs;
}

void parse_corpus(benchmark::State& state, bool events, bool digests = true) {
  const auto& logs = corpus();
  std::int64_t bytes = 0, n = 0;
  ParseOptions po;
  po.keep_events = events;
  po.digests = digests;
  for (auto _ : state) {
    for (const auto& text : logs) {
      auto out = parse_battle_log(text, po);
      benchmark::DoNotOptimize(out);
      bytes += static_cast<std::int64_t>(text.size());
      ++n;
    }
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(n);
}

void BM_BattlesParseCorpus(benchmark::State& state) { parse_corpus(state, false); }
// The model alone, without the two SHA-256 digests the store keeps.
void BM_BattlesParseCorpusNoDigests(benchmark::State& state) { parse_corpus(state, false, false); }
void BM_BattlesParseCorpusWithEvents(benchmark::State& state) { parse_corpus(state, true); }

void BM_BattlesParseGzipCorpus(benchmark::State& state) {
  static const std::vector<std::string> zipped = [] {
    std::vector<std::string> out;
    for (const auto& t : corpus()) out.push_back(gzip(t));
    return out;
  }();
  std::int64_t bytes = 0, n = 0;
  ParseOptions po;
  po.keep_events = false;
  for (auto _ : state) {
    for (std::size_t i = 0; i < zipped.size(); ++i) {
      auto out = parse_battle_log(zipped[i], po);
      benchmark::DoNotOptimize(out);
      bytes += static_cast<std::int64_t>(corpus()[i].size());
      ++n;
    }
  }
  state.SetBytesProcessed(bytes);  // uncompressed bytes
  state.SetItemsProcessed(n);
}

void BM_BattlesHpGrammar(benchmark::State& state) {
  const std::vector<std::string> hp = {"60", "0:60", "1:46", "2:31", "0:-52", "0:A7", "0:18:N4", "5:10:H3", "invalid"};
  for (auto _ : state)
    for (const auto& s : hp) benchmark::DoNotOptimize(parse_hp(s));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * hp.size()));
}

void BM_BattlesGzipRaw(benchmark::State& state) {
  const auto& logs = corpus();
  std::int64_t bytes = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& t = logs[i++ % logs.size()];
    benchmark::DoNotOptimize(gzip(t, kRawStoreGzipLevel));
    bytes += static_cast<std::int64_t>(t.size());
  }
  state.SetBytesProcessed(bytes);
}

}  // namespace

BENCHMARK(BM_BattlesParseCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BattlesParseCorpusNoDigests)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BattlesParseCorpusWithEvents)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BattlesParseGzipCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BattlesHpGrammar);
BENCHMARK(BM_BattlesGzipRaw);
