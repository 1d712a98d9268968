#include "app/commands.hpp"

#include "antibot/playstyle_routes.hpp"
#include "app/antibot_command.hpp"
#include "app/battles_command.hpp"
#include "app/config_schema.hpp"
#include "app/demo_registrations.hpp"
#include "app/platform_migrations.hpp"
#include "app/features.hpp"
#include "app/runtime.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/hash.hpp"
#include "crypto/password.hpp"
#include "game/sim/battle_logs.hpp"
#include "game/sim/game_sim.hpp"
#include "core/log.hpp"
#include "storage/migrations.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <mutex>
#include <condition_variable>
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
}  // namespace

int run_serve(Config config, const std::function<void(const std::vector<net::BoundService>&)>& on_ready) {
  init_logging(config);
  auto rt = open_runtime(std::move(config));
  if (!rt) return fail(rt.error());
  auto st = serve(**rt, on_ready);
  if (!st) return fail(st.error());
  return 0;
}

namespace {
// `serve --only a,b`: one process per service (or any subset) from one configuration file.
Status restrict_services(Config& config, const std::vector<std::string>& only) {
  std::vector<std::string> known;
  for (const auto& key : config_schema())
    if (key.key == "enabled") known.emplace_back(key.section);
  for (const auto& name : only)
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      return Error::bad_request("serve --only: unknown service '" + name + "' (known: " + list + ")", "config_error");
    }
  for (const auto& name : known) {
    const bool on = std::find(only.begin(), only.end(), name) != only.end();
    if (auto st = config.set(name + ".enabled", on ? "true" : "false"); !st) return st;
  }
  return {};
}
}  // namespace

int cmd_serve(const GlobalOptions& global, const std::vector<std::string>& only) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  if (!only.empty())
    if (auto st = restrict_services(*config, only); !st) {
      fail(st.error());
      return 2;
    }
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

namespace {

// The anti-bot detector and the playstyle clusters fitted on the demo corpus once, so that the
// anti-bot pages and endpoints answer at the first start (an admin can retrain any time).
void train_demo_models(const Config& config) {
  const std::string var = config.string("server.var_dir");
  const std::string detector = config.string("antibot.model_path").empty() ? var + "/antibot-model.json" : config.string("antibot.model_path");
  const std::string playstyle =
      config.string("antibot.playstyle_model_path").empty() ? var + "/playstyle-model.json" : config.string("antibot.playstyle_model_path");
  std::error_code ec;
  if (std::filesystem::exists(detector, ec) && std::filesystem::exists(playstyle, ec)) return;
  auto rt = open_runtime(config);
  if (!rt) {
    spdlog::warn("demo: models not trained: {}", rt.error().message);
    return;
  }
  const std::int64_t until = demo_corpus_end();
  if (!std::filesystem::exists(detector, ec)) {
    auto n = train_detector_into(**rt, 7, until, detector, [](const std::string&) {});
    if (n) std::printf("tzrhost demo: anti-bot model trained on %zu players of the demo corpus\n", *n);
    else spdlog::warn("demo: anti-bot model not trained: {}", n.error().message);
  }
  if (!std::filesystem::exists(playstyle, ec)) {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto model = antibot::train_playstyle_from_store(*(*rt)->db, 30, until, now, {.k = 8, .seed = 42});
    if (model && antibot::write_playstyle_model(playstyle, *model))
      std::printf("tzrhost demo: playstyle model trained on %zu players of the demo corpus\n", model->trained_on());
    else spdlog::warn("demo: playstyle model not trained: {}", model ? "cannot write it" : model.error().message);
  }
}

}  // namespace

int cmd_demo(const GlobalOptions& global, const DemoOptions& options) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  init_logging(*config);
  const std::string& dir = options.dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Error::unavailable("demo_dir", "cannot create " + dir + ": " + ec.message()));
  // The demo keeps everything in its own folder, on embedded storage, unless configured otherwise.
  auto demo_default = [&](std::string_view key, const std::string& value) -> Status {
    if (config->source(key) != ConfigSource::default_value) return {};
    return config->set(key, value);
  };
  for (auto [key, value] : std::initializer_list<std::pair<std::string_view, std::string>>{
           {"storage.url", "sqlite://" + dir + "/tzr.db"},
           {"game_db.url", "sqlite://" + dir + "/game.db"},
           {"game_db.seed_constants", "true"},
           {"server.var_dir", dir}}) {
    if (auto st = demo_default(key, value); !st) return fail(st.error());
  }

  if (auto st = demo_default("gateway.cors_origins", "*"); !st) return fail(st.error());
  // The dashboard under /ui/, with one admin operator whose password is a development secret.
  if (auto st = demo_default("gateway.dashboard", "true"); !st) return fail(st.error());
  // The API reference of every service under /docs/ (Try it out through the dashboard).
  if (auto st = demo_default("gateway.docs", "true"); !st) return fail(st.error());
  if (config->list("dashboard.operators").empty()) {
    auto password = development_secret(*config, "dashboard.password");
    if (!password) return fail(password.error());
    if (auto st = config->set("dashboard.operators", "admin:admin:" + crypto::hash_password(*password)); !st) return fail(st.error());
  }
  // Both ends of the site bridge in the same process: hub ← agent → local services.
  const std::string local = "http://127.0.0.1:";
  for (auto [key, value] : std::initializer_list<std::pair<std::string_view, std::string>>{
           {"hub.enabled", "true"},
           {"agent.enabled", "true"},
           {"agent.site_url", "ws://127.0.0.1:" + std::to_string(config->integer("hub.port")) + "/ws/pull"},
           {"agent.register_url", local + std::to_string(config->integer("registration.port")) + "/register"},
           {"agent.status_url", local + std::to_string(config->integer("orchestrator.port")) + "/internal/constants"},
           {"agent.reset_url", local + std::to_string(config->integer("orchestrator.port")) + "/internal/password/reset"}}) {
    if (auto st = demo_default(key, value); !st) return fail(st.error());
  }
  if (config->list("gateway.api_keys").empty() && config->string("gateway.api_keys_file").empty()) {
    auto key = development_secret(*config, "gateway.key");
    if (!key) return fail(key.error());
    if (auto st = config->set("gateway.api_keys", "demo:" + *key); !st) return fail(st.error());
  }

  // The shop bots crawl the simulated shops at once, then every 30 s (the simulator changes its
  // stock every 30 s too, so a newcomer sees snapshots and a diff within a minute).
  if (config->list("shop.bot_keys").empty()) {
    auto key = development_secret(*config, "shop.bot.key");
    if (!key) return fail(key.error());
    std::string keys;
    for (const auto& entry : config->list("shop.shops")) keys += (keys.empty() ? "" : ",") + entry.substr(0, entry.find(':')) + ":" + *key;
    if (auto st = config->set("shop.bot_keys", keys); !st) return fail(st.error());
  }
  for (auto [key, value] : std::initializer_list<std::pair<std::string_view, std::string>>{
           {"shop.snapshot_interval_s", "30"}, {"shop.request_delay_ms", "0"}, {"shop.retry_delay_ms", "200"}}) {
    if (auto st = demo_default(key, value); !st) return fail(st.error());
  }

  // Battles: a small synthetic corpus, served by the simulator and ingested before the services start.
  const std::string battle_logs = dir + "/battle-logs";
  if (auto st = prepare_demo_battles(*config, battle_logs); !st) return fail(st.error());
  train_demo_models(*config);
  // The game simulator stands in for the game server, unless one is given.
  game::sim::SimOptions sim_options;
  sim_options.bind = "127.0.0.1";
  sim_options.port = static_cast<std::uint16_t>(options.sim_port);
  std::optional<game::sim::GameSim> embedded;
  if (!options.game_server.empty()) {
    const auto colon = options.game_server.rfind(':');
    if (colon == std::string::npos || colon == 0)
      return fail(Error::bad_request("--game-server must be HOST:PORT", "config_error"));
    if (auto st = config->set("game.host", options.game_server.substr(0, colon)); !st) return fail(st.error());
    if (auto st = config->set("game.port", options.game_server.substr(colon + 1)); !st) return fail(st.error());
  } else {
    auto& sim = embedded.emplace(sim_options);
    game::sim::add_battle_log_handler(sim.state(), battle_logs);
    auto sim_port = sim.start();
    if (!sim_port) return fail(sim_port.error());
    if (auto st = config->set("game.port", std::to_string(*sim_port)); !st) return fail(st.error());
    std::printf("tzrhost: game-sim listening on tcp://127.0.0.1:%u\n", *sim_port);
  }
  // The simulated shops change 15 s after start and every 30 s after (between two snapshots).
  std::jthread shop_changes([&embedded](std::stop_token stop) {
    if (!embedded) return;
    auto& sim = *embedded;
    std::mutex mu;
    std::condition_variable_any cv;
    auto wait = std::chrono::seconds(15);
    for (;;) {
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, stop, wait, [] { return false; }) || stop.stop_requested()) return;
      const auto changes = sim.shops().advance();
      spdlog::info("game-sim: shops changed (generation {}: {} sold, {} new, {} repriced, {} stacks partly sold)",
                   changes.generation, changes.removed.size(), changes.added.size(), changes.price_changed.size(),
                   changes.count_changed.size());
      wait = std::chrono::seconds(30);
    }
  });

  std::printf("tzrhost demo: every service on embedded storage in %s/, the game simulator as game server\n", dir.c_str());
  const std::string token_file = config->string("server.var_dir") + "/admin.token";
  const std::string key_file = config->string("server.var_dir") + "/gateway.key";
  const std::string var_dir = config->string("server.var_dir");
  auto guide = [token_file, key_file, var_dir](const std::vector<net::BoundService>& services) {
    auto port_of = [&](std::string_view name) -> unsigned {
      for (const auto& s : services)
        if (s.name == name) return s.port;
      return 0;
    };
    std::printf(
        "\n  health:     curl http://127.0.0.1:%u/health     (every service also has /ready and /metrics)\n"
        "  register:   curl -X POST http://127.0.0.1:%u/api/register -H \"X-API-Key: $(cat %s)\" -H 'Content-Type: application/json' \\\n"
        "                -d '{\"login\":\"Player1\",\"password\":\"mypass123\",\"gender\":1,\"telegram_id\":1001}'\n"
        "  status:     curl http://127.0.0.1:%u/api/server/status\n"
        "  facade:     curl -X POST http://127.0.0.1:%u/register -d '{\"login\":\"Player2\",\"password\":\"mypass123\",\"gender\":0,\"telegram_id\":1001}'\n"
        "  status svc: curl http://127.0.0.1:%u/server/status\n"
        "  internal:   curl -H \"Authorization: Bearer $(cat %s)\" http://127.0.0.1:%u/internal/constants\n"
        "  reset:      curl -X POST -H \"Authorization: Bearer $(cat %s)\" http://127.0.0.1:%u/internal/password/reset \\\n"
        "                -d '{\"telegram_id\":1001,\"password\":\"newpass456\"}'\n"
        "  site hub:   curl -X POST http://127.0.0.1:%u/proxy/register -H \"X-API-Key: $(cat %s/hub.key)\" -H 'X-Request-Id: demo-1' \\\n"
        "                -d '{\"login\":\"Bridged1\",\"password\":\"mypass123\",\"gender\":1,\"telegram_id\":1002}'\n"
        "              curl -H \"X-API-Key: $(cat %s/hub.key)\" http://127.0.0.1:%u/proxy/server-status   (hub → agent → orchestrator)\n"
        "  agent:      curl http://127.0.0.1:%u/ready   (connected to the hub?)\n"
        "  bridge:     echo '{\"type\":\"job\",\"id\":\"1\"}' | TZR_SERVER__VAR_DIR=%s build/default/src/tzrhost bridge sign\n"
        "  dashboard:  http://127.0.0.1:%u/ui/   (user admin, password: cat %s/dashboard.password)\n"
        "  API docs:   http://127.0.0.1:%u/docs/   (OpenAPI of every service: /docs/openapi/<service>.json)\n"
        "  stop:       Ctrl-C\n\n",
        port_of("gateway"), port_of("gateway"), key_file.c_str(), port_of("gateway"), port_of("registration"),
        port_of("status"), token_file.c_str(), port_of("orchestrator"), token_file.c_str(), port_of("orchestrator"),
        port_of("hub"), var_dir.c_str(), var_dir.c_str(), port_of("hub"), port_of("agent"), var_dir.c_str(), port_of("gateway"),
        var_dir.c_str(), port_of("gateway"));
  };
  auto guide_with_shop = [guide, token_file](const std::vector<net::BoundService>& services) {
    guide(services);
    unsigned shop = 0;
    for (const auto& svc : services)
      if (svc.name == "shop") shop = svc.port;
    if (shop == 0) return;
    std::printf(
        "  shop:       curl 'http://127.0.0.1:%u/snapshots/list?shop_code=moscow'   (one at start, then every 30 s)\n"
        "              curl 'http://127.0.0.1:%u/items/list?shop_code=moscow&category=a&max_price=0.3&sort=price&limit=5'\n"
        "              curl 'http://127.0.0.1:%u/snapshots/latest/diff?shop_code=moscow'   (after ~30 s: sold, new, repriced)\n"
        "              curl 'http://127.0.0.1:%u/analytics/price-changes?shop_code=moscow&min_change_percent=0'\n"
        "  shop admin: curl -X POST -H \"Authorization: Bearer $(cat %s)\" 'http://127.0.0.1:%u/admin/snapshot/trigger?shop_code=oasis'\n\n",
        shop, shop, shop, shop, token_file.c_str(), shop);
  };
  // The first start also leaves some registration outcomes for the dashboard.
  std::string demo_key;
  if (auto keys = config->list("gateway.api_keys"); !keys.empty()) demo_key = keys.front().substr(keys.front().find(':') + 1);
  std::jthread sample_registrations;
  auto guide_all = [&, guide_with_shop, token_file, battle_logs](const std::vector<net::BoundService>& services) {
    guide_with_shop(services);
    print_battles_guide(services, token_file, battle_logs);
    sample_registrations = start_demo_registrations(services, demo_key, var_dir + "/demo-registrations.done");
  };
  return run_serve(std::move(*config), guide_all);
}

int cmd_dashboard_hash_password() {
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.size() < 8) return fail(Error::bad_request("a dashboard password needs at least 8 characters", "config_error"));
  std::printf("%s\n", crypto::hash_password(password).c_str());
  return 0;
}

int cmd_version() {
  std::printf("tzrhost %s\n", TZR_VERSION);
  return 0;
}

int cmd_keygen(const std::string& kind, int count) {
  for (int i = 0; i < count; ++i) {
    // 32 bytes from the OS CSPRNG: hex for keys and tokens that travel in headers.
    const std::string secret = kind == "aes" ? crypto::aes_gcm::base64_encode(crypto::random_bytes(32)) : crypto::random_hex(32);
    if (kind == "api-key") std::printf("site%d:%s\n", i + 1, secret.c_str());
    else std::printf("%s\n", secret.c_str());
  }
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

int cmd_config_reference() {
  std::fputs(Config::reference(config_schema()).c_str(), stdout);
  return 0;
}

}  // namespace tzr::app
