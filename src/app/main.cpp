// tzrhost: one binary, many subcommands. Exit codes: 0 ok, 1 runtime failure, 2 usage error.
#include "app/antibot_command.hpp"
#include "app/battles_command.hpp"
#include "app/bridge_command.hpp"
#include "app/bridge_wiring.hpp"
#include "app/commands.hpp"
#include "app/game_sim_command.hpp"
#include "app/shop_command.hpp"
#include "app/telegram_bot_command.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  using namespace tzr::app;
  CLI::App app{"tzrhost — the back end beside a TimeZero-style game server and its website"};
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("-c,--config", global.config_path,
                 "TOML configuration file (default: ./tzrhost.toml if present, else built-in defaults)");

  int code = 0;
  auto* serve = app.add_subcommand("serve", "Run the enabled HTTP services (gateway, …) until SIGINT/SIGTERM");
  std::vector<std::string> serve_only;
  serve->add_option("--only", serve_only,
                    "Run only these services, comma-separated (gateway, orchestrator, registration, status, "
                    "battles, shop, hub, agent); the others stay off whatever the configuration says")
      ->delimiter(',');
  serve->callback([&] { code = cmd_serve(global, serve_only); });

  auto* migrate = app.add_subcommand("migrate", "Apply pending schema migrations to the platform database and exit");
  migrate->callback([&] { code = cmd_migrate(global); });

  DemoOptions demo_options;
  auto* demo = app.add_subcommand(
      "demo", "Run every service on embedded storage in var/demo, with the game simulator as game server; Ctrl-C stops");
  demo->add_option("--dir", demo_options.dir, "Folder for the demo's databases and files")->capture_default_str();
  demo->add_option("--sim-port", demo_options.sim_port, "Port of the embedded game simulator (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  demo->add_option("--game-server", demo_options.game_server,
                   "HOST:PORT of a game server (e.g. tzrhost game-sim) to use instead of the embedded simulator");
  demo->callback([&] { code = cmd_demo(global, demo_options); });

  auto* telegram_bot = app.add_subcommand(
      "telegram-bot", "Run the registration Telegram bot (long polling: /register, /recover, /accounts, /cancel)");
  telegram_bot->callback([&] { code = cmd_telegram_bot(global); });

  std::string shop_code;
  auto* shop = app.add_subcommand("shop", "Shop crawler tools");
  shop->require_subcommand(1);
  auto* shop_snapshot = shop->add_subcommand("snapshot", "Take one snapshot of one shop now (progress per category) and store it");
  shop_snapshot->add_option("--shop", shop_code, "Shop code from shop.shops (moscow, oasis, neva, …)")->required();
  shop_snapshot->callback([&] { code = cmd_shop_snapshot(global, shop_code); });

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([&] { code = cmd_version(); });

  std::string key_kind = "api-key";
  int key_count = 1;
  auto* keygen = app.add_subcommand("keygen", "Print fresh random secrets for the configuration (never stored)");
  AgentTokenOptions token_options;
  keygen->add_option("--kind", key_kind,
                     "api-key (name:key for gateway.api_keys / hub.api_keys), token (admin.token), hmac (bridge.hmac_secret), "
                     "aes (bridge.aes_key) or agent-jwt (agent.jwt, signed with the configured bridge.jwt_secret)")
      ->capture_default_str()
      ->check(CLI::IsMember({"api-key", "token", "hmac", "aes", "agent-jwt"}));
  keygen->add_option("-n,--count", key_count, "How many")->capture_default_str()->check(CLI::Range(1, 100));
  keygen->add_option("--subject", token_options.subject, "agent-jwt: the agent id (sub)")->capture_default_str();
  keygen->add_option("--lifetime", token_options.lifetime_s, "agent-jwt: seconds until exp")
      ->capture_default_str()->check(CLI::Range(60, 31'536'000));
  keygen->add_option("--audience", token_options.audience, "agent-jwt: aud")->capture_default_str();
  keygen->callback([&] {
    code = key_kind == "agent-jwt" ? cmd_keygen_agent_jwt(global, token_options, key_count) : cmd_keygen(key_kind, key_count);
  });

  auto* dashboard = app.add_subcommand("dashboard", "Dashboard operator tools");
  dashboard->require_subcommand(1);
  dashboard->add_subcommand("hash-password", "Read a password on stdin, print its hash for dashboard.operators (name:role:<hash>)")
      ->callback([&] { code = cmd_dashboard_hash_password(); });

  auto* bridge = app.add_subcommand("bridge", "Bridge primitives on stdin/stdout with the configured bridge secrets");
  bridge->require_subcommand(1);
  for (auto [name, help] : std::initializer_list<std::pair<const char*, const char*>>{
           {"sign", "Read one JSON object; print the lower-case hex HMAC of its canonical form (without sig)"},
           {"verify", "Read a signed JSON object; exit 0 if its sig is valid, 1 if not"},
           {"encrypt", "Read text; print the AES-256-GCM blob (base64 of nonce|tag|ciphertext)"},
           {"decrypt", "Read a blob; print the text"}}) {
    std::string action = name;
    bridge->add_subcommand(name, help)->callback([&, action] { code = cmd_bridge(global, action); });
  }

  auto* config = app.add_subcommand("config", "Check or print the effective configuration");
  config->require_subcommand(1);
  config->add_subcommand("check", "Validate the configuration (file and TZR_* environment) and exit")
      ->callback([&] { code = cmd_config_check(global); });
  bool reveal = false;
  auto* show = config->add_subcommand("show", "Print the effective configuration as TOML, secrets masked");
  show->add_flag("--reveal-secrets", reveal, "Print secrets in clear (for piping into a secret store)");
  show->callback([&] { code = cmd_config_show(global, reveal); });
  config->add_subcommand("example", "Print a documented example configuration with every key")
      ->callback([&] { code = cmd_config_example(); });
  config->add_subcommand("reference", "Print the Markdown reference of every key (docs/configuration.md)")
      ->callback([&] { code = cmd_config_reference(); });

  GameSimOptions sim;
  auto* game_sim = app.add_subcommand(
      "game-sim", "Run a game-server simulator (real socket protocol, fault modes, control API) until SIGINT/SIGTERM");
  game_sim->add_option("--bind", sim.bind, "Address for both ports")->capture_default_str();
  game_sim->add_option("--port", sim.port, "Game socket port (0: any free port)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  game_sim->add_option("--control-port", sim.control_port, "Control HTTP API port (0: any free port)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  game_sim->add_option("--mode", sim.mode, "Fault mode at start")
      ->capture_default_str()->check(CLI::IsMember({"ok", "err", "slow", "drop", "garbage", "no-nul", "split", "silent"}));
  game_sim->add_option("--delay-ms", sim.delay_ms, "Delay of the slow and split modes")
      ->capture_default_str()->check(CLI::Range(0, 600000));
  game_sim->add_option("--seed", sim.seed, "Seed of the simulator's random choices")->capture_default_str();
  game_sim->add_option("--greeting", sim.greeting, "Message sent on every new connection (default: none)");
  game_sim->add_option("--bot-login", sim.bot_logins, "A bot account that may LOGIN without registering (repeatable)");
  game_sim->add_option("--battles-dir", sim.battles_dir,
                       "Folder of .tzb battle logs answered to <POST t=\"//blook ID\"/> (tzrhost battles synth writes one)");
  game_sim->callback([&] { code = cmd_game_sim(sim); });

  add_battles_commands(app, global, code);
  add_bridge_commands(app, global, code);
  add_antibot_commands(app, global, code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tzrhost: usage error: %s\nRun 'tzrhost --help' for the list of commands.\n", e.what());
    return 2;
  }
  return code;
}
