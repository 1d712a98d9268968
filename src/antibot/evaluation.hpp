#pragma once
// The labelled benchmark (antibot-analytics.md §11.1, §12.6): generate the population for each
// seed, compute the features, train the detector on that cohort, score everyone, and report
// precision, recall, F1, PR-AUC (average precision), ROC-AUC, per-archetype recall (bots) and
// false-positive rate (humans), mean ± sd over the seeds, and check the bars.
#include "antibot/detector.hpp"
#include "antibot/population.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::antibot {

struct ArchetypeResult {
  int players = 0;
  int scored = 0;    // with at least min_battles battles
  int flagged = 0;
  // Bots: flagged / scored (recall; the bars count bots with ≥ 10 battles). Humans: flagged /
  // players (false-positive rate).
  double rate = 0;
  double min_score = 1, max_score = 0;  // over the scored players: how far from the threshold
};

struct SeedResult {
  std::uint64_t seed = 0;
  double precision = 0, recall = 0, f1 = 0, pr_auc = 0, roc_auc = 0;
  int true_positives = 0, false_positives = 0, false_negatives = 0;
  std::array<ArchetypeResult, kArchetypeCount> archetypes{};
  std::size_t battles = 0;
  double generate_ms = 0, features_ms = 0, train_ms = 0, score_ms = 0;
};

struct Mean {
  double mean = 0, sd = 0;
};

struct EvalReport {
  PopulationOptions population;
  std::vector<SeedResult> seeds;
  Mean precision, recall, f1, pr_auc, roc_auc;
  std::array<Mean, kArchetypeCount> archetypes{};
};

struct EvalOptions {
  PopulationOptions population;   // its seed is the first seed; seeds+1, +2, … follow
  int seeds = 5;
  DetectorOptions detector;
  std::function<void(std::string_view)> progress;  // one line per step (may be empty)
};

// Scores from a labelled list: average precision and ROC-AUC with ties handled as groups.
double average_precision(const std::vector<double>& scores, const std::vector<bool>& labels);
double roc_auc(const std::vector<double>& scores, const std::vector<bool>& labels);

Result<SeedResult> evaluate_seed(const PopulationOptions& population, const DetectorOptions& detector,
                                 const std::function<void(std::string_view)>& progress = {});
Result<EvalReport> evaluate(const EvalOptions& options);

// The bars on the means; empty when all hold. Each entry says which bar failed and by how much.
std::vector<std::string> check_bars(const EvalReport& report);

// A plain-text table of the report (the CLI prints it; bench/README.md quotes it).
std::string format_report(const EvalReport& report);

}  // namespace tzr::antibot
