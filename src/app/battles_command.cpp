#include "app/battles_command.hpp"

#include "antibot/state_ingest.hpp"
#include "app/runtime.hpp"
#include "battles/gzip.hpp"
#include "battles/ingest.hpp"
#include "battles/synth.hpp"
#include "core/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace tzr::app {
namespace fs = std::filesystem;
namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

// Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.
class ProgressReport {
 public:
  explicit ProgressReport(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0) {}
  void operator()(const battles::PathIngestProgress& p) {
    if (quiet_) return;
    const double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0;
    const double eta = rate > 0 && p.total > p.done ? static_cast<double>(p.total - p.done) / rate : 0;
    if (tty_) {
      const int width = 30;
      const int filled = p.total > 0 ? static_cast<int>(width * p.done / std::max<std::int64_t>(1, p.total)) : 0;
      std::fprintf(stderr, "\r[%s%s] %lld/%lld files  %.0f/s  ETA %s  failed %lld ", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(width - filled), '.').c_str(), static_cast<long long>(p.done),
                   static_cast<long long>(p.total), rate, clock_text(eta).c_str(), static_cast<long long>(p.counts.failed));
      std::fflush(stderr);
      drawn_ = true;
      return;
    }
    if (p.seconds - last_ < 2.0 && p.done != p.total) return;
    last_ = p.seconds;
    std::fprintf(stderr, "ingest: %lld/%lld files, %.0f/s, ETA %s, failed %lld\n", static_cast<long long>(p.done),
                 static_cast<long long>(p.total), rate, clock_text(eta).c_str(), static_cast<long long>(p.counts.failed));
  }
  ~ProgressReport() {
    if (drawn_) std::fprintf(stderr, "\n");
  }

 private:
  bool quiet_, tty_;
  bool drawn_ = false;
  double last_ = -10;
};

bool write_file_atomically(const fs::path& path, std::string_view bytes) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return false;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

int cmd_battles_synth(const BattlesSynthOptions& o) {
  battles::SynthOptions so;
  so.players = o.players;
  so.days = o.days;
  so.seed = o.seed;
  so.first_battle_id = o.first_id;
  so.max_battles = o.max_battles;
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) return fail(Error::unavailable("io_error", "cannot create " + o.out + ": " + ec.message()));
  std::int64_t bytes = 0;
  bool failed = false;
  const auto started = std::chrono::steady_clock::now();
  const auto n = battles::synthesize(so, [&](battles::SynthBattle&& b) {
    const std::string ext = o.gzip ? ".tzb.gz" : ".tzb";
    const fs::path path = fs::path(o.out) / (o.flat ? std::to_string(b.id) + ext : battles::shard_path(b.id, ext));
    fs::create_directories(path.parent_path(), ec);
    const std::string data = o.gzip ? battles::gzip(b.text) : std::move(b.text);
    bytes += static_cast<std::int64_t>(data.size());
    if (!write_file_atomically(path, data)) {
      failed = true;
      return false;
    }
    return true;
  });
  if (failed) return fail(Error::unavailable("io_error", "cannot write into " + o.out));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("wrote %lld battles (%.1f MB) into %s in %.1f s\n", static_cast<long long>(n), static_cast<double>(bytes) / 1e6,
              o.out.c_str(), s);
  return 0;
}

namespace {

Result<battles::IngestCounts> ingest_with_config(Config config, const std::vector<std::string>& paths, bool quiet) {
  auto rt = open_runtime(std::move(config));
  if (!rt) return rt.error();
  const auto& c = (*rt)->config;
  std::string raw_dir = c.string("battles.raw_dir");
  if (raw_dir.empty()) raw_dir = (fs::path(c.string("server.var_dir")) / "raw").string();
  battles::BattleStore store(*(*rt)->db);
  antibot::StateAtIngest state;  // the per-player antibot state, updated in each batch's transaction
  if (c.boolean("antibot.state_at_ingest")) store.set_observer(&state);
  battles::RawStore raw(raw_dir, *(*rt)->db);
  battles::IngestOptions io;
  io.max_log_bytes = static_cast<std::size_t>(c.integer("battles.max_log_bytes"));
  io.batch_size = static_cast<std::size_t>(c.integer("battles.ingest_batch"));
  battles::BattleIngest ingest(store, raw, io);
  std::vector<fs::path> roots(paths.begin(), paths.end());
  ProgressReport progress(quiet);
  return battles::ingest_paths(ingest, roots, "file", std::ref(progress));
}

}  // namespace

int cmd_ingest(const GlobalOptions& global, const std::vector<std::string>& paths, bool quiet) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  log::init(config->string("log.level") == "info" ? "warn" : config->string("log.level"), log::Format::text);
  const auto started = std::chrono::steady_clock::now();
  auto counts = ingest_with_config(std::move(*config), paths, quiet);
  if (!counts) return fail(counts.error());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("ingested %lld files in %.1f s (%.0f/s, %.1f MB): stored %lld, replaced %lld, duplicate %lld, kept %lld, failed %lld\n",
              static_cast<long long>(counts->total()), s, s > 0 ? static_cast<double>(counts->total()) / s : 0.0,
              static_cast<double>(counts->bytes) / 1e6, static_cast<long long>(counts->stored), static_cast<long long>(counts->replaced),
              static_cast<long long>(counts->duplicate), static_cast<long long>(counts->kept), static_cast<long long>(counts->failed));
  return 0;
}

constexpr int kDemoDays = 2;  // days of the demo's synthetic corpus

std::int64_t demo_corpus_end() { return battles::SynthOptions{}.start_unix + std::int64_t{kDemoDays} * 86400; }

Status prepare_demo_battles(const Config& config, const std::string& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec)) {
    battles::SynthOptions so;
    so.players = 40;
    so.days = kDemoDays;
    so.seed = 1;
    so.max_battles = 300;
    const fs::path tmp = folder + ".tmp";
    fs::remove_all(tmp, ec);
    bool ok = true;
    battles::synthesize(so, [&](battles::SynthBattle&& b) {
      const fs::path path = tmp / battles::shard_path(b.id);
      fs::create_directories(path.parent_path(), ec);
      ok = write_file_atomically(path, b.text);
      return ok;
    });
    if (!ok) return Error::unavailable("io_error", "cannot write the demo battle logs into " + tmp.string());
    fs::rename(tmp, folder, ec);
    if (ec) return Error::unavailable("io_error", "cannot create " + folder + ": " + ec.message());
  }
  auto counts = ingest_with_config(config, {folder}, true);
  if (!counts) return counts.error();
  std::printf("tzrhost demo: %lld battle logs in %s/ (%lld new in the database), also served by the game simulator\n",
              static_cast<long long>(counts->total()), folder.c_str(), static_cast<long long>(counts->stored));
  return {};
}

void print_battles_guide(const std::vector<net::BoundService>& services, const std::string& token_file, const std::string& folder) {
  unsigned port = 0;
  for (const auto& s : services)
    if (s.name == "battles") port = s.port;
  if (port == 0) return;
  // The demo corpus is dated (battles synth's default start), so the anti-bot window names its end.
  const battles::SynthOptions corpus;
  const std::string window = "days=7&until=" + std::to_string(corpus.start_unix + kDemoDays * 86400);
  std::printf(
      "  battles:    curl 'http://127.0.0.1:%u/battles?limit=3'            (newest first; ?after=<next> for the next page)\n"
      "              curl 'http://127.0.0.1:%u/battles?kind=pvp&limit=3'   curl http://127.0.0.1:%u/battle/4000001\n"
      "              curl --compressed -i http://127.0.0.1:%u/battle/4000001/raw   curl http://127.0.0.1:%u/battle/4000001/events\n"
      "              curl 'http://127.0.0.1:%u/players/search?q=gh'   curl http://127.0.0.1:%u/battles/ingest/status\n"
      "              curl -i -H 'Range: bytes=0-99' http://127.0.0.1:%u/battle/4000001/raw   (a byte range: 206)\n"
      "              curl 'http://127.0.0.1:%u/players/search?mode=fuzzy&q=ghots1'   (edit distance, Cyrillic look-alikes folded)\n"
      "  reference:  curl http://127.0.0.1:%u/monsters   curl http://127.0.0.1:%u/monsters/rat   curl 'http://127.0.0.1:%u/items?limit=20'\n"
      "              curl 'http://127.0.0.1:%u/maps?limit=3'   then curl http://127.0.0.1:%u/maps/<map_id>   (map templates seen in the logs)\n"
      "  upload:     curl -X POST -H \"Authorization: Bearer $(cat %s)\" --data-binary @%s/80/4000002.tzb \\\n"
      "                'http://127.0.0.1:%u/battles/upload?name=4000002.tzb'   (already ingested: \"duplicate\")\n"
      "  anti-bot:   curl -X POST -H \"Authorization: Bearer $(cat %s)\" 'http://127.0.0.1:%u/api/admin/ml/train-botdetector?%s'\n"
      "              curl 'http://127.0.0.1:%u/analytics/antibot/candidates?limit=5&%s'   (after the training job is done)\n"
      "              curl 'http://127.0.0.1:%u/api/analytics/player/<login>?tz=Europe/Moscow&%s'   (a login from the list)\n"
      "  ratings:    curl 'http://127.0.0.1:%u/analytics/pvp/elo?min_battles=3&limit=5&%s'   (and /analytics/pve/elo)\n"
      "  churn:      curl 'http://127.0.0.1:%u/analytics/predictions/churn?limit=5&%s'\n\n",
      port, port, port, port, port, port, port, port, port, port, port, port, port, port, token_file.c_str(), folder.c_str(), port,
      token_file.c_str(), port,
      window.c_str(), port, window.c_str(), port, window.c_str(), port, window.c_str(), port, window.c_str());
}

void add_battles_commands(CLI::App& app, const GlobalOptions& global, int& code) {
  static BattlesSynthOptions synth;
  auto* battles = app.add_subcommand("battles", "Battle-log tools (synthetic corpus)");
  battles->require_subcommand(1);
  auto* s = battles->add_subcommand("synth", "Write a synthetic corpus of realistic .tzb battle logs ({id/50000}/{id}.tzb)");
  s->add_option("--players", synth.players, "Players in the synthetic world")->capture_default_str()->check(CLI::Range(1, 1'000'000));
  s->add_option("--days", synth.days, "Days of play")->capture_default_str()->check(CLI::Range(1, 3650));
  s->add_option("--seed", synth.seed, "Seed (same seed, same corpus)")->capture_default_str();
  s->add_option("--out", synth.out, "Output folder")->required();
  s->add_option("--first-id", synth.first_id, "First battle id")->capture_default_str()->check(CLI::Range(std::int64_t{1}, std::int64_t{4'000'000'000'000}));
  s->add_option("--max", synth.max_battles, "Stop after this many battles (0: no limit)")->capture_default_str()->check(CLI::Range(0, 100'000'000));
  s->add_flag("--gzip", synth.gzip, "Write .tzb.gz files");
  s->add_flag("--flat", synth.flat, "All files in the output folder, no shard subfolders");
  s->callback([&code] { code = cmd_battles_synth(synth); });

  static std::vector<std::string> paths;
  static bool quiet = false;
  auto* ingest = app.add_subcommand("ingest", "Ingest battle logs (.tzb, .tzb.gz; files and folders) into the platform database");
  ingest->add_option("paths", paths, "Files or folders")->required();
  ingest->add_flag("-q,--quiet", quiet, "No progress output");
  ingest->callback([&global, &code] { code = cmd_ingest(global, paths, quiet); });
}

}  // namespace tzr::app
