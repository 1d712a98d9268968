#pragma once
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

}  // namespace tzr::app
