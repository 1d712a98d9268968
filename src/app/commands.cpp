#include "app/commands.hpp"

#include "app/config_schema.hpp"
#include "app/platform_migrations.hpp"
#include "app/runtime.hpp"
#include "core/log.hpp"
#include "storage/migrations.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace tzr::app {

int fail(const Error& error) {
  std::string msg = error.message;
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  std::fprintf(stderr, "tzrhost: error: %s\n", msg.c_str());
  return 1;
}

Result<Config> load_config(const GlobalOptions& global) {
  std::optional<std::string> path = global.config_path;
  if (path && !std::filesystem::exists(*path))
    return Error::bad_request("config file not found: " + *path, "config_error");
  if (!path && std::filesystem::exists("tzrhost.toml")) path = "tzrhost.toml";
  return Config::load(config_schema(), path, process_env());
}

namespace {
void init_logging(const Config& c) {
  log::init(c.string("log.level"), log::format_from_string(c.string("log.format")));
}

int run_serve(Config config, const std::function<void(const std::vector<net::BoundService>&)>& on_ready = {}) {
  init_logging(config);
  auto rt = open_runtime(std::move(config));
  if (!rt) return fail(rt.error());
  auto st = serve(**rt, on_ready);
  if (!st) return fail(st.error());
  return 0;
}
}  // namespace

int cmd_serve(const GlobalOptions& global) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  return run_serve(std::move(*config));
}

int cmd_migrate(const GlobalOptions& global) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  init_logging(*config);
  storage::OpenOptions opts;
  opts.pool_size = 1;
  auto db = storage::open_database(config->string("storage.url"), opts);
  if (!db) return fail(db.error());
  auto report = storage::migrate(**db, platform_migrations());
  if (!report) return fail(report.error());
  for (int v : report->applied) std::printf("applied migration %d\n", v);
  std::printf("schema version %d (%s)\n", report->current_version,
              report->applied.empty() ? "already up to date" : "migrated");
  return 0;
}

int cmd_demo(const GlobalOptions& global, const std::string& dir) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Error::unavailable("demo_dir", "cannot create " + dir + ": " + ec.message()));
  // The demo keeps everything in its own folder, on embedded storage.
  if (config->source("storage.url") == ConfigSource::default_value) {
    if (auto st = config->set("storage.url", "sqlite://" + dir + "/tzr.db"); !st) return fail(st.error());
  }
  std::printf("tzrhost demo: every service on embedded storage in %s/ (storage %s)\n", dir.c_str(),
              storage::redact_url(config->string("storage.url")).c_str());
  auto guide = [](const std::vector<net::BoundService>& services) {
    for (const auto& s : services) {
      if (s.name != "gateway") continue;
      std::printf(
          "  try:  curl http://127.0.0.1:%u/health\n"
          "        curl http://127.0.0.1:%u/ready\n"
          "        curl http://127.0.0.1:%u/metrics\n",
          s.port, s.port, s.port);
    }
    std::printf("  stop: Ctrl-C\n");
  };
  return run_serve(std::move(*config), guide);
}

int cmd_version() {
  std::printf("tzrhost %s\n", TZR_VERSION);
  return 0;
}

int cmd_config_check(const GlobalOptions& global) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  std::printf("config ok (%s)\n", config->file() ? config->file()->c_str() : "built-in defaults and environment");
  return 0;
}

int cmd_config_show(const GlobalOptions& global, bool reveal) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  std::fputs(config->render(!reveal).c_str(), stdout);
  return 0;
}

int cmd_config_example() {
  std::fputs(Config::example(config_schema()).c_str(), stdout);
  return 0;
}

}  // namespace tzr::app
