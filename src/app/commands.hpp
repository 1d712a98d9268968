#pragma once
// The tzrhost subcommands. Each returns the process exit code: 0 ok, 1 runtime failure (with a
// one-line reason on stderr); usage errors (2) are caught by the CLI parser before these run.
#include "core/config.hpp"
#include "net/http_server.hpp"

#include <functional>
#include <vector>

#include <optional>
#include <string>

namespace tzr::app {

struct GlobalOptions {
  std::optional<std::string> config_path;  // --config; else ./tzrhost.toml when present
};

Result<Config> load_config(const GlobalOptions& global);

// `only`: when not empty, the services to run (names of config sections with an `enabled` key);
// every other service is turned off, whatever the configuration says.
int cmd_serve(const GlobalOptions& global, const std::vector<std::string>& only = {});
int cmd_migrate(const GlobalOptions& global);
struct DemoOptions {
  std::string dir = "var/demo";
  int sim_port = 5190;  // the embedded game simulator; 0 = any free port
  // HOST:PORT of a game server to use instead of the embedded simulator (e.g. `tzrhost game-sim`
  // in its own process, so that a soak measures the services alone).
  std::string game_server;
};
int cmd_demo(const GlobalOptions& global, const DemoOptions& options);
int cmd_version();
int cmd_dashboard_hash_password();
// Prints fresh random secrets: api-key (gateway/hub keys), token (admin.token), or base64 32 bytes.
int cmd_keygen(const std::string& kind, int count);
int cmd_config_check(const GlobalOptions& global);
int cmd_config_show(const GlobalOptions& global, bool reveal);
int cmd_config_example();
int cmd_config_reference();

// Opens the runtime and serves the enabled services until SIGINT/SIGTERM (exit code).
int run_serve(Config config, const std::function<void(const std::vector<net::BoundService>&)>& on_ready = {});

// Prints "tzrhost: error: <reason>" on stderr and returns 1.
int fail(const Error& error);

}  // namespace tzr::app
