#include "antibot/evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace tzr::antibot {
namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Mean mean_of(const std::vector<double>& v) {
  Mean m;
  if (v.empty()) return m;
  m.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - m.mean) * (x - m.mean);
  m.sd = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0;
  return m;
}

std::vector<std::size_t> by_score_desc(const std::vector<double>& scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

double average_precision(const std::vector<double>& scores, const std::vector<bool>& labels) {
  const auto positives = static_cast<double>(std::count(labels.begin(), labels.end(), true));
  if (positives == 0) return 0;
  const auto order = by_score_desc(scores);
  double tp = 0, seen = 0, ap = 0, last_recall = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;  // one group of equal scores is one threshold
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      tp += labels[order[j]];
      seen += 1;
      ++j;
    }
    const double recall = tp / positives;
    ap += (recall - last_recall) * (tp / seen);
    last_recall = recall;
    i = j;
  }
  return ap;
}

double roc_auc(const std::vector<double>& scores, const std::vector<bool>& labels) {
  const auto positives = static_cast<double>(std::count(labels.begin(), labels.end(), true));
  const double negatives = static_cast<double>(labels.size()) - positives;
  if (positives == 0 || negatives == 0) return 0;
  // Mann–Whitney U with mid-ranks for ties.
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
  double rank_sum = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double mid = (static_cast<double>(i) + static_cast<double>(j) + 1) / 2;
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]]) rank_sum += mid;
    i = j;
  }
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

Result<SeedResult> evaluate_seed(const PopulationOptions& population, const DetectorOptions& detector,
                                 const std::function<void(std::string_view)>& progress) {
  SeedResult r;
  r.seed = population.seed;
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  auto t = std::chrono::steady_clock::now();
  const auto pop = generate_population(population);
  r.generate_ms = ms_since(t);
  for (const auto& p : pop.players) r.battles += p.battles.size();
  say("seed " + std::to_string(population.seed) + ": " + std::to_string(pop.players.size()) + " players, " +
      std::to_string(r.battles) + " battles generated");

  t = std::chrono::steady_clock::now();
  const FeatureOptions window{.window_end = pop.window_end(), .window_days = population.days};
  std::vector<PlayerFeatures> features;
  features.reserve(pop.players.size());
  for (const auto& p : pop.players) features.push_back(compute_features(p.battles, window));
  r.features_ms = ms_since(t);

  t = std::chrono::steady_clock::now();
  auto model = Detector::train(features, detector, population.days, pop.window_end());
  if (!model) return model.error();
  r.train_ms = ms_since(t);

  t = std::chrono::steady_clock::now();
  std::vector<double> scores;
  std::vector<bool> labels;
  for (std::size_t i = 0; i < pop.players.size(); ++i) {
    const auto& p = pop.players[i];
    const auto d = model->detect(features[i]);
    const bool bot = archetype_is_bot(p.archetype);
    scores.push_back(d.score);
    labels.push_back(bot);
    auto& a = r.archetypes[static_cast<std::size_t>(p.archetype)];
    ++a.players;
    a.scored += d.eligible;
    if (d.eligible) {
      a.min_score = std::min(a.min_score, d.score);
      a.max_score = std::max(a.max_score, d.score);
    }
    a.flagged += d.is_bot;
    if (d.is_bot && bot) ++r.true_positives;
    if (d.is_bot && !bot) ++r.false_positives;
    if (!d.is_bot && bot) ++r.false_negatives;
  }
  r.score_ms = ms_since(t);
  for (std::size_t k = 0; k < r.archetypes.size(); ++k) {
    auto& a = r.archetypes[k];
    const int base = archetype_is_bot(static_cast<Archetype>(k)) ? a.scored : a.players;
    a.rate = base > 0 ? static_cast<double>(a.flagged) / base : 0;
  }
  const int flagged = r.true_positives + r.false_positives, bots = r.true_positives + r.false_negatives;
  r.precision = flagged > 0 ? static_cast<double>(r.true_positives) / flagged : 0;
  r.recall = bots > 0 ? static_cast<double>(r.true_positives) / bots : 0;
  r.f1 = r.precision + r.recall > 0 ? 2 * r.precision * r.recall / (r.precision + r.recall) : 0;
  r.pr_auc = average_precision(scores, labels);
  r.roc_auc = roc_auc(scores, labels);
  return r;
}

Result<EvalReport> evaluate(const EvalOptions& options) {
  EvalReport report;
  report.population = options.population;
  for (int s = 0; s < options.seeds; ++s) {
    auto population = options.population;
    population.seed = options.population.seed + static_cast<std::uint64_t>(s);
    auto r = evaluate_seed(population, options.detector, options.progress);
    if (!r) return r.error();
    report.seeds.push_back(*r);
  }
  auto collect = [&](auto get) {
    std::vector<double> v;
    for (const auto& s : report.seeds) v.push_back(get(s));
    return mean_of(v);
  };
  report.precision = collect([](const SeedResult& s) { return s.precision; });
  report.recall = collect([](const SeedResult& s) { return s.recall; });
  report.f1 = collect([](const SeedResult& s) { return s.f1; });
  report.pr_auc = collect([](const SeedResult& s) { return s.pr_auc; });
  report.roc_auc = collect([](const SeedResult& s) { return s.roc_auc; });
  for (std::size_t k = 0; k < kArchetypeCount; ++k)
    report.archetypes[k] = collect([k](const SeedResult& s) { return s.archetypes[k].rate; });
  return report;
}

std::vector<std::string> check_bars(const EvalReport& report) {
  std::vector<std::string> failures;
  auto need = [&](std::string_view what, double value, double bar, bool at_least) {
    if (at_least ? value < bar : value > bar) {
      char line[160];
      std::snprintf(line, sizeof line, "%.*s = %.4f, bar %s %.2f", static_cast<int>(what.size()), what.data(), value,
                    at_least ? "≥" : "≤", bar);
      failures.emplace_back(line);
    }
  };
  need("precision", report.precision.mean, 0.95, true);
  need("recall", report.recall.mean, 0.90, true);
  auto rate = [&](Archetype a) { return report.archetypes[static_cast<std::size_t>(a)].mean; };
  for (auto a : {Archetype::B1, Archetype::B2, Archetype::B4}) need(archetype_code(a), rate(a), 0.95, true);
  need("B3", rate(Archetype::B3), 0.70, true);
  need("B5", rate(Archetype::B5), 0.80, true);
  for (auto a : {Archetype::H1, Archetype::H3, Archetype::H4}) need(archetype_code(a), rate(a), 0.01, false);
  for (auto a : {Archetype::H2, Archetype::H5, Archetype::H6}) need(archetype_code(a), rate(a), 0.03, false);
  return failures;
}

std::string format_report(const EvalReport& report) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "antibot eval: %d players, %d days, bot share %.2f, %zu seeds from %llu\n",
                report.population.players, report.population.days, report.population.bot_share, report.seeds.size(),
                static_cast<unsigned long long>(report.population.seed));
  out += line;
  auto row = [&](const char* name, const Mean& m) {
    std::snprintf(line, sizeof line, "  %-10s %.4f ± %.4f\n", name, m.mean, m.sd);
    out += line;
  };
  row("precision", report.precision);
  row("recall", report.recall);
  row("F1", report.f1);
  row("PR-AUC", report.pr_auc);
  row("ROC-AUC", report.roc_auc);
  out += "  archetype  kind   players scored flagged  rate mean ± sd   score min–max  (rate: recall for bots, FPR for humans)\n";
  for (std::size_t k = 0; k < kArchetypeCount; ++k) {
    const auto a = static_cast<Archetype>(k);
    int players = 0, scored = 0, flagged = 0;
    double low = 1, high = 0;
    for (const auto& s : report.seeds) {
      low = std::min(low, s.archetypes[k].min_score);
      high = std::max(high, s.archetypes[k].max_score);
      players += s.archetypes[k].players;
      scored += s.archetypes[k].scored;
      flagged += s.archetypes[k].flagged;
    }
    std::snprintf(line, sizeof line, "  %-9.*s  %-5s %8d %6d %7d  %.4f ± %.4f  %.3f–%.3f\n",
                  static_cast<int>(archetype_code(a).size()), archetype_code(a).data(),
                  archetype_is_bot(a) ? "bot" : "human", players, scored, flagged, report.archetypes[k].mean,
                  report.archetypes[k].sd, low, high);
    out += line;
  }
  for (const auto& s : report.seeds) {
    std::snprintf(line, sizeof line,
                  "  seed %llu: %zu battles; generate %.0f ms, features %.0f ms, train %.0f ms, score %.0f ms; "
                  "TP %d FP %d FN %d\n",
                  static_cast<unsigned long long>(s.seed), s.battles, s.generate_ms, s.features_ms, s.train_ms,
                  s.score_ms, s.true_positives, s.false_positives, s.false_negatives);
    out += line;
  }
  return out;
}

}  // namespace tzr::antibot
