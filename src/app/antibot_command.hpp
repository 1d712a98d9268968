#pragma once
#include "antibot/detector.hpp"
#include "app/runtime.hpp"
#include "core/config.hpp"

#include <functional>
// The antibot subcommands: `tzrhost antibot synth` writes the labelled synthetic population
// (antibot-analytics.md §12) as JSON lines, `tzrhost antibot eval` runs the labelled benchmark
// over several seeds and prints precision, recall, F1, PR-AUC and per-archetype rates.
#include "app/commands.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace tzr::app {

void add_antibot_commands(CLI::App& app, const GlobalOptions& global, int& code);

struct AntibotSynthOptions {
  int players = 1000;
  int days = 30;
  std::uint64_t seed = 1;
  double bot_share = 0.10;
  std::string out;     // JSON lines: a manifest, then one line per player (label and battles)
  std::string labels;  // optional: labels only, one JSON line per player
};
int cmd_antibot_synth(const AntibotSynthOptions& options);

struct AntibotEvalOptions {
  int players = 1000;
  int days = 30;
  int seeds = 5;
  std::uint64_t seed = 1;
  double bot_share = 0.10;
  bool check = false;  // exit 1 when a bar fails
  bool quiet = false;
};
int cmd_antibot_eval(const AntibotEvalOptions& options);

// `tzrhost antibot scan`: reads the window's participations from the battles store, trains the
// detector on that cohort, scores every player with enough battles, stores the verdicts in
// antibot_scores and prints the flagged players (or every verdict as JSON lines).
struct AntibotScanOptions {
  int days = 30;
  std::int64_t until = 0;  // exclusive window end, Unix seconds; 0 = now
  int top = 20;
  bool json = false;
  bool quiet = false;
  std::string model;  // a model from `antibot train`; empty: train on this window's cohort
};
int cmd_antibot_scan(const GlobalOptions& global, const AntibotScanOptions& options);

// `tzrhost antibot train`: trains on the window's cohort and writes the versioned model JSON.
struct AntibotTrainOptions {
  int days = 30;
  std::int64_t until = 0;
  std::string out;
  bool quiet = false;
};
int cmd_antibot_train(const GlobalOptions& global, const AntibotTrainOptions& options);

// `tzrhost antibot train-playstyle`: fits the playstyle clusters (k-means++) on the window's
// players and writes the versioned model JSON (default: antibot.playstyle_model_path).
struct AntibotTrainPlaystyleOptions {
  int days = 90;
  std::int64_t until = 0;
  std::string out;
  int k = 8;
  std::uint64_t seed = 42;
  bool quiet = false;
};
int cmd_antibot_train_playstyle(const GlobalOptions& global, const AntibotTrainPlaystyleOptions& options);

// `tzrhost antibot rebuild-state` (alias `rebuild`): recomputes every player's incremental state
// and daily rows from the whole battles store (the full rebuild of antibot_player_state /
// antibot_player_days), in one transaction that concurrent ingest batches wait for.
int cmd_antibot_rebuild(const GlobalOptions& global, bool quiet);

// The bot detector's settings from [antibot] (threshold, ensemble weights, forest and k-means
// sizes, seed); the labelled benchmark keeps the specification's defaults instead.
Result<antibot::DetectorOptions> detector_options(const Config& config);

// The bot detector trained on the window's players and written to path (what `antibot train`
// does, for callers that hold a runtime: the demo). Returns the players it was fitted on.
Result<std::size_t> train_detector_into(Runtime& rt, int days, std::int64_t until, const std::string& path,
                                        const std::function<void(const std::string&)>& say);

}  // namespace tzr::app
