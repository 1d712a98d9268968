#pragma once
// The battles subcommands: `tzrhost battles synth` (a synthetic corpus of .tzb logs) and
// `tzrhost ingest PATH…` (files and folders of .tzb/.tzb.gz into the platform database).
#include "app/commands.hpp"
#include "net/http_server.hpp"

#include <CLI/CLI.hpp>

namespace tzr::app {

void add_battles_commands(CLI::App& app, const GlobalOptions& global, int& code);

struct BattlesSynthOptions {
  int players = 50;
  int days = 1;
  std::uint64_t seed = 1;
  std::string out;
  std::int64_t first_id = 4000000;
  int max_battles = 0;
  bool gzip = false;
  bool flat = false;
};
int cmd_battles_synth(const BattlesSynthOptions& options);
int cmd_ingest(const GlobalOptions& global, const std::vector<std::string>& paths, bool quiet);

// `tzrhost demo`: writes a small synthetic corpus into folder (once) and ingests it into the
// configured platform database, so that the battles service has battles at once.
Status prepare_demo_battles(const Config& config, const std::string& folder);
// The end of the demo corpus's days (Unix seconds): the anti-bot window of the demo.
std::int64_t demo_corpus_end();
// The battles lines of the demo guide.
void print_battles_guide(const std::vector<net::BoundService>& services, const std::string& token_file, const std::string& folder);

}  // namespace tzr::app
