#include "app/features.hpp"

#include "app/antibot_command.hpp"
#include "app/docs_wiring.hpp"

#include "antibot/playstyle_routes.hpp"
#include "antibot/rating_routes.hpp"
#include "battles/observability.hpp"
#include "battles/sync_worker.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/hash.hpp"
#include "net/auth.hpp"
#include "registration/outcome_routes.hpp"
#include "registration/reset_routes.hpp"
#include "registration/routes.hpp"
#include "shop/routes.hpp"
#include "telegram/group_gate.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace tzr::app {
namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<registration::RegistrationPolicy> registration_policy(const Config& c) {
  registration::RegistrationPolicy p;
  p.max_accounts_per_telegram = static_cast<int>(c.integer("registration.max_accounts_per_telegram"));
  p.adduser_email = c.string("registration.adduser_email");
  p.game_error_codes.clear();
  for (const auto& pair : c.list("registration.game_error_codes")) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size())
      return Error::bad_request("config: registration.game_error_codes entries must be CODE=api_code, got '" + pair + "'",
                                "config_error");
    p.game_error_codes[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return p;
}

game::GameClientOptions game_options(const Config& c) {
  game::GameClientOptions o;
  o.host = c.string("game.host");
  o.port = static_cast<std::uint16_t>(c.integer("game.port"));
  o.call_timeout = std::chrono::milliseconds(c.integer("game.timeout_ms"));
  o.connect_timeout = std::chrono::milliseconds(c.integer("game.connect_timeout_ms"));
  o.connect_attempts = static_cast<int>(c.integer("game.connect_attempts"));
  o.expect_greeting = c.boolean("game.expect_greeting");
  o.max_idle_connections = static_cast<std::size_t>(c.integer("game.pool_size"));
  return o;
}

std::shared_ptr<net::HttpService> make_service(Runtime& rt, std::string name, std::string_view port_key,
                                               std::vector<net::ReadinessCheck> checks) {
  auto svc = std::make_shared<net::HttpService>();
  svc->name = std::move(name);
  svc->bind = rt.config.string("server.bind");
  svc->port = static_cast<std::uint16_t>(rt.config.integer(port_key));
  net::add_system_routes(svc->router, rt.metrics, std::make_shared<const std::vector<net::ReadinessCheck>>(std::move(checks)));
  return svc;
}

// The reference orchestrator's probes (registration.md §1.2), kept for existing compose files:
// /healthz always ok; /internal/health with per-dependency details (no Redis in this build).
void add_legacy_health(net::Router& router, Features& f) {
  router.get("/healthz", [](net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> {
    co_return net::HttpResponse::json(200, boost::json::object{{"status", "ok"}});
  });
  router.get("/internal/health", [&f](net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> {
    auto db = co_await f.game_db_pool->run([&f] { return f.game_db->ping(); });
    bool game = co_await f.game_client->reachable();
    bool db_ok = static_cast<bool>(db);
    co_return net::HttpResponse::json(
        200, boost::json::object{{"status", db_ok && game ? "ok" : "degraded"},
                                 {"details", {{"redis", false}, {"db", db_ok}, {"game_server", game}}}});
  });
}

// The battles feature: store, raw store, ingest, watched folder and (when configured) sync workers.
// observer (may be null) sees every batch the ingest stores, from before the watched folder starts.
Result<std::unique_ptr<battles::BattlesFeature>> build_battles(Runtime& rt, boost::asio::any_io_executor executor,
                                                               battles::IngestObserver* observer) {
  const auto& c = rt.config;
  battles::BattlesSettings s;
  s.raw_dir = c.string("battles.raw_dir").empty() ? std::filesystem::path(c.string("server.var_dir")) / "raw"
                                                  : std::filesystem::path(c.string("battles.raw_dir"));
  s.watch_dir = c.string("battles.watch_dir");
  s.watch_interval = std::chrono::milliseconds(c.integer("battles.watch_interval_ms"));
  s.ingest.max_log_bytes = static_cast<std::size_t>(c.integer("battles.max_log_bytes"));
  s.ingest.batch_size = static_cast<std::size_t>(c.integer("battles.ingest_batch"));
  s.upload_max_bytes = static_cast<std::size_t>(c.integer("battles.upload_max_bytes"));
  auto feature = std::make_unique<battles::BattlesFeature>(*rt.db, *rt.blocking, std::move(s));
  feature->store().set_observer(observer);
  feature->enable_metrics(rt.metrics);
  if (c.boolean("battles.sync_enabled")) {
    battles::SyncOptions so;
    for (const auto& entry : c.list("battles.sync_accounts")) {
      const auto colon = entry.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size())
        return Error::bad_request("config: battles.sync_accounts entries must be login:key", "config_error");
      so.accounts.emplace_back(entry.substr(0, colon), entry.substr(colon + 1));
    }
    if (so.accounts.empty()) return Error::bad_request("config: battles.sync_enabled needs battles.sync_accounts", "config_error");
    so.host = c.string("game.host");
    so.port = static_cast<std::uint16_t>(c.integer("game.port"));
    so.expect_greeting = c.boolean("game.expect_greeting");
    so.start_id = c.integer("battles.sync_start_id");
    so.backfill_to = c.integer("battles.sync_backfill_to");
    so.max_attempts = static_cast<int>(c.integer("battles.sync_max_attempts"));
    so.backoff = std::chrono::milliseconds(c.integer("battles.sync_backoff_ms"));
    so.request_timeout = std::chrono::milliseconds(c.integer("battles.sync_timeout_ms"));
    so.not_found_after = c.integer("battles.sync_not_found_after");
    so.lease = std::chrono::milliseconds(c.integer("battles.sync_lease_ms"));
    so.request_interval = std::chrono::milliseconds(c.integer("battles.sync_request_interval_ms"));
    feature->set_sync(std::make_unique<battles::SyncWorkers>(feature->ingest(), *rt.blocking, so, &rt.metrics));
  }
  feature->start(executor);
  return feature;
}

// The shop feature: one bot per configured shop, its store, the scheduler.
Result<std::unique_ptr<shop::ShopService>> build_shop(Runtime& rt, Features& f, boost::asio::any_io_executor executor) {
  auto o = shop_service_options(rt.config);
  if (!o) return o.error();
  o->metrics = &rt.metrics;
  f.shop_store = std::make_unique<shop::SqlShopStore>(*rt.db);
  f.shop_leases = std::make_unique<shop::BotLeases>(*rt.db);
  o->leases = f.shop_leases.get();
  o->instance_id = instance_name(rt.config, "shop.port");
  o->lease = std::chrono::milliseconds(rt.config.integer("shop.lease_ms"));
  auto svc = std::make_unique<shop::ShopService>(executor, *f.shop_store, *rt.blocking, std::move(*o));
  if (auto st = svc->init(); !st) return st.error();
  svc->start();
  return svc;
}

}  // namespace

Result<shop::ShopServiceOptions> shop_service_options(const Config& c) {
  using ms = std::chrono::milliseconds;
  shop::ShopServiceOptions o;
  o.shops.clear();
  for (const auto& entry : c.list("shop.shops")) {
    auto def = shop::parse_shop_definition(entry);
    if (!def) return Error::bad_request("config: shop.shops entries must be code:Name:Bot login, got '" + entry + "'", "config_error");
    o.shops.push_back(*def);
  }
  for (const auto& entry : c.list("shop.bot_keys")) {
    const auto colon = entry.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size())
      return Error::bad_request("config: shop.bot_keys entries must be code:key", "config_error");
    o.keys[entry.substr(0, colon)] = entry.substr(colon + 1);
  }
  for (const auto& code : c.list("shop.disabled")) o.disabled.insert(code);
  o.categories = c.list("shop.categories");
  for (const auto& code : o.categories)
    if (!shop::find_category(code))
      return Error::bad_request("config: shop.categories has an unknown category code '" + code + "'", "config_error");
  o.interval = std::chrono::seconds(c.integer("shop.snapshot_interval_s"));
  o.snapshot_on_start = c.boolean("shop.snapshot_on_start");
  o.crawl.page_attempts = static_cast<int>(c.integer("shop.page_attempts"));
  o.crawl.retry_delay = ms(c.integer("shop.retry_delay_ms"));
  o.crawl.max_pages = c.integer("shop.max_pages");
  o.bot.host = c.string("game.host");
  o.bot.port = static_cast<std::uint16_t>(c.integer("game.port"));
  o.bot.connect_timeout = ms(c.integer("game.connect_timeout_ms"));
  o.bot.request_timeout = ms(c.integer("shop.request_timeout_ms"));
  o.bot.request_delay = ms(c.integer("shop.request_delay_ms"));
  o.bot.keepalive = std::chrono::seconds(c.integer("shop.keepalive_s"));
  o.bot.backoff_base = ms(c.integer("shop.backoff_base_ms"));
  o.bot.backoff_max = ms(c.integer("shop.backoff_max_ms"));
  o.bot.breaker_cooldown = std::chrono::seconds(c.integer("shop.breaker_cooldown_s"));
  for (const auto& text : c.list("shop.watch_rules")) {
    auto rule = shop::parse_watch_rule(text);
    if (!rule) return rule.error();
    o.watch_rules.push_back(std::move(*rule));
  }
  o.alert_webhook = c.string("shop.alert_webhook");
  o.retention = std::chrono::hours(24 * c.integer("shop.retention_days"));
  return o;
}

std::string instance_name(const Config& config, const std::string& port_key) {
  if (auto configured = config.string("server.instance_id"); !configured.empty()) return configured;
  char host[256] = {};
  std::string name = gethostname(host, sizeof host - 1) == 0 && host[0] ? host : "tzrhost";
  const auto port = config.integer(port_key);
  name += ":" + std::to_string(port);
  // A port chosen at bind time is not stable across restarts: make the name unique instead.
  if (port == 0) name += ":" + crypto::random_hex(4);
  return name;
}

Result<std::string> development_secret(const Config& config, const std::string& name, SecretKind kind) {
  namespace fs = std::filesystem;
  fs::path dir = config.string("server.var_dir");
  fs::path file = dir / name;
  std::error_code ec;
  if (fs::exists(file, ec)) {
    std::ifstream in(file);
    std::string secret;
    std::getline(in, secret);
    if (!secret.empty()) return secret;
  }
  fs::create_directories(dir, ec);
  if (ec) return Error::unavailable("var_dir", "cannot create " + dir.string() + ": " + ec.message());
  const std::string secret =
      kind == SecretKind::base64_key ? crypto::aes_gcm::base64_encode(crypto::random_bytes(32)) : crypto::random_hex(32);
  {
    std::ofstream out(file, std::ios::trunc);
    out << secret << "\n";
    if (!out) return Error::unavailable("var_dir", "cannot write " + file.string());
  }
  ::chmod(file.c_str(), 0600);
  spdlog::warn("generated a development secret in {} (set it in the configuration for production)", file.string());
  return secret;
}

namespace {
// The admin bearer of the services: admin.token, else a development secret.
Result<std::string> admin_token(const Config& c) {
  auto token = c.string("admin.token");
  if (!token.empty()) return token;
  return development_secret(c, "admin.token");
}
}  // namespace

Result<std::unique_ptr<Features>> build_features(Runtime& rt, boost::asio::any_io_executor executor) {
  const auto& c = rt.config;
  auto f = std::make_unique<Features>();
  storage::OpenOptions opts;
  opts.pool_size = static_cast<std::size_t>(c.integer("game_db.pool_size"));
  opts.busy_timeout_ms = static_cast<int>(c.integer("storage.busy_timeout_ms"));
  auto game_db = storage::open_database(c.string("game_db.url"), opts);
  if (!game_db) return game_db.error();
  f->game_db = std::move(*game_db);
  if (c.boolean("game_db.create_tables"))
    if (auto st = gamedb::ensure_schema(*f->game_db); !st) return st.error();
  if (c.boolean("game_db.seed_constants"))
    if (auto st = gamedb::seed_constants(*f->game_db); !st) return st.error();
  f->game_db_pool = std::make_unique<BlockingPool>(opts.pool_size);

  auto policy = registration_policy(c);
  if (!policy) return policy.error();
  f->game_client = std::make_unique<game::GameClient>(executor, game_options(c));
  f->game_accounts = std::make_unique<registration::SocketGameAccounts>(*f->game_client);
  f->players = std::make_unique<gamedb::PlayerLinks>(*f->game_db);
  auto telegram_gate = telegram::make_telegram_gate(c, executor, rt.metrics);  // AllowAllTelegram without a bot token
  if (!telegram_gate) return telegram_gate.error();
  f->telegram = std::move(*telegram_gate);
  f->outbox = std::make_unique<registration::SqlOutbox>(*rt.db);
  f->idempotency = std::make_unique<registration::IdempotencyStore>(*rt.db, c.integer("registration.idempotency_ttl_s"),
                                                                    60, unix_now);
  f->outcome_store = std::make_unique<registration::OutcomeStore>(*rt.db);
  f->outcomes = std::make_unique<registration::OutcomeRecorder>(*f->outcome_store);
  registration::start_outcome_writer(executor, *f->outcomes, *rt.blocking, c.integer("registration.outcomes_retention_days"));
  if (f->game_db->dialect() == storage::Dialect::mysql) {
    // Its own pool: lock holders keep a connection across the game call.
    const std::size_t lanes = std::max<std::size_t>(1, opts.pool_size / 2);
    auto lock_db = storage::open_database(c.string("game_db.url"), {.pool_size = lanes, .busy_timeout_ms = opts.busy_timeout_ms});
    if (!lock_db) return lock_db.error();
    f->game_db_locks = std::make_unique<registration::GameDbLocks>(std::move(*lock_db), lanes, 15);
  }
  f->register_player = std::make_unique<registration::RegisterPlayer>(
      *f->players, *f->game_accounts, *f->telegram, *f->game_db_pool, *f->outbox, std::move(*policy), f->game_db_locks.get());
  f->api_keys = std::make_unique<gateway::ApiKeys>(c.list("gateway.api_keys"), c.string("gateway.api_keys_file"));
  if (auto st = f->api_keys->reload(); !st) return st.error();
  if (c.string("redis.url").empty()) {
    f->limiter = std::make_unique<gateway::InProcessRateLimiter>();
  } else {
    auto redis = gateway::RedisRateLimiter::connect(c.string("redis.url"), c.string("redis.prefix"), *rt.blocking);
    if (!redis) return redis.error();
    f->limiter = std::move(*redis);
  }

  auto* db = f->game_db.get();
  f->constants = std::make_unique<status::ConstantsCache>([db] { return gamedb::read_constants(*db); }, *f->game_db_pool,
                                                         std::chrono::milliseconds(c.integer("status.cache_ttl_ms")));
  registration::RegistrationHttp reg{*f->register_player, *f->idempotency, *rt.blocking,
                                     static_cast<std::size_t>(c.integer("server.json_max_depth")), f->outcomes.get()};
  gateway::GatewayPolicy limits;
  auto rule = [&c](std::string_view per_min, std::string_view burst) {
    return gateway::RateRule{c.integer(per_min), c.integer(burst)};
  };
  limits.register_per_ip = rule("gateway.register_ip_per_min", "gateway.register_ip_burst");
  limits.register_per_key = rule("gateway.register_key_per_min", "gateway.register_key_burst");
  limits.status_per_ip = rule("gateway.status_ip_per_min", "gateway.status_ip_burst");
  limits.auth_failures_per_ip = rule("gateway.auth_failures_per_min", "gateway.auth_failures_burst");
  limits.trusted_proxies = c.list("gateway.trusted_proxies");
  limits.cors_origins = c.list("gateway.cors_origins");
  if (c.boolean("gateway.dashboard") && c.boolean("gateway.enabled")) {
    auto parts = build_dashboard(rt, executor, f->limiter.get());
    if (!parts) return parts.error();
    f->dashboard = std::move(*parts);
  }
  f->gateway = std::make_unique<gateway::GatewayDeps>(
      gateway::GatewayDeps{reg, *f->constants, *f->api_keys, *f->limiter, std::move(limits)});
  if (c.boolean("shop.enabled")) {
    auto built = build_shop(rt, *f, executor);
    if (!built) return built.error();
    f->shop = std::move(*built);
  }
  if (c.boolean("battles.enabled")) {
    if (c.boolean("antibot.state_at_ingest")) f->antibot_state = std::make_unique<antibot::StateAtIngest>();
    auto built = build_battles(rt, executor, f->antibot_state.get());
    if (!built) return built.error();
    f->battles = std::move(*built);
    const std::string model = c.string("antibot.model_path");
    auto detector = detector_options(c);
    if (!detector) return detector.error();
    f->antibot = std::make_unique<antibot::AntibotHttp>(
        *rt.db, *rt.blocking,
        antibot::AntibotHttpSettings{model.empty() ? (std::filesystem::path(c.string("server.var_dir")) / "antibot-model.json").string() : model,
                                     c.string("antibot.timezone"), *detector});
  }
  return f;
}

Result<std::vector<std::shared_ptr<net::HttpService>>> build_services(Runtime& rt, Features& f) {
  const auto& c = rt.config;
  net::ReadinessCheck storage_check{"storage", [&rt]() -> boost::asio::awaitable<bool> {
                                      auto st = co_await rt.blocking->run([&rt] { return rt.db->ping(); });
                                      co_return static_cast<bool>(st);
                                    }};
  net::ReadinessCheck game_db_check{"game_db", [&f]() -> boost::asio::awaitable<bool> {
                                      auto st = co_await f.game_db_pool->run([&f] { return f.game_db->ping(); });
                                      co_return static_cast<bool>(st);
                                    }};
  net::ReadinessCheck game_check{"game_server", [&f]() -> boost::asio::awaitable<bool> {
                                   bool up = co_await f.game_client->reachable();
                                   co_return up;
                                 }};
  const registration::RegistrationHttp& reg = f.gateway->registration;

  std::vector<std::shared_ptr<net::HttpService>> services;
  if (c.boolean("gateway.enabled")) {
    auto svc = make_service(rt, "gateway", "gateway.port", {storage_check, game_db_check});
    if (f.dashboard.dashboard) svc->middleware.push_back(f.dashboard.dashboard->middleware());
    if (c.boolean("gateway.docs")) {
      f.docs = std::make_unique<apidocs::DocsSite>(docs_options(c, f.dashboard.dashboard != nullptr));
      // Without the built page the documents are still served and /docs/ says what is missing.
      if (auto st = f.docs->load(); !st) spdlog::warn("docs: {}", st.error().message);
      svc->middleware.push_back(f.docs->middleware());
    }
    svc->middleware.push_back(gateway::cors_and_security(f.gateway->policy.cors_origins));
    gateway::add_gateway_routes(svc->router, *f.gateway);
    if (f.api_keys->size() == 0) spdlog::warn("gateway: no API key configured; POST /api/register refuses every request");
    services.push_back(svc);
  }
  if (c.boolean("orchestrator.enabled")) {
    auto token = admin_token(c);
    if (!token) return token.error();
    auto svc = make_service(rt, "orchestrator", "orchestrator.port", {storage_check, game_db_check, game_check});
    svc->middleware.push_back(net::bearer_auth(*token, "/internal/", {"/internal/health"}));
    add_legacy_health(svc->router, f);
    registration::add_orchestrator_routes(svc->router, reg);
    registration::add_password_reset_routes(
        svc->router, {*f.players, *f.game_client, *f.telegram, *f.game_db_pool, *f.limiter, reg.json_max_depth});
    status::add_constants_route(svc->router, *f.constants);
    services.push_back(svc);
  }
  if (c.boolean("registration.enabled")) {
    auto token = admin_token(c);
    if (!token) return token.error();
    auto svc = make_service(rt, "registration", "registration.port", {storage_check, game_db_check, game_check});
    // The outcome reads hold logins: admin bearer (the dashboard sends it for its operators).
    svc->middleware.push_back(net::bearer_auth(*token, "/admin/"));
    registration::add_facade_routes(svc->router, reg);
    registration::add_outcome_routes(svc->router, *f.outcomes, *rt.blocking);
    services.push_back(svc);
  }
  if (c.boolean("status.enabled")) {
    auto svc = make_service(rt, "status", "status.port", {game_db_check});
    status::add_status_routes(svc->router, *f.constants);
    services.push_back(svc);
  }
  if (f.battles) {
    auto token = admin_token(c);
    if (!token) return token.error();
    // Ready when the database answers and the raw store can take logs.
    net::ReadinessCheck raw_check{"raw_store", [&f]() -> boost::asio::awaitable<bool> {
      co_return battles::raw_store_writable(f.battles->raw().root());
    }};
    auto svc = make_service(rt, "battles", "battles.port", {storage_check, raw_check});
    svc->middleware.push_back(gateway::client_rate_limit(
        *f.limiter, "battles", {c.integer("battles.client_ip_per_min"), c.integer("battles.client_ip_burst")},
        c.list("battles.trusted_proxies"), *token));
    // Admin routes and uploads need the admin bearer token; reading battles does not.
    svc->middleware.push_back(net::bearer_auth(*token, "/admin/"));
    svc->middleware.push_back(net::bearer_auth(*token, "/battles/upload"));
    svc->middleware.push_back(net::bearer_auth(*token, "/api/admin/"));
    svc->middleware.push_back(antibot::moderator_auth(*token));
    battles::add_battles_routes(svc->router, *f.battles);
    antibot::add_antibot_routes(svc->router, *f.antibot);
    std::string playstyle = c.string("antibot.playstyle_model_path");
    if (playstyle.empty()) playstyle = (std::filesystem::path(c.string("server.var_dir")) / "playstyle-model.json").string();
    auto playstyle_model = antibot::add_playstyle_routes(svc->router, *f.antibot, {*rt.db, *rt.blocking, playstyle});
    antibot::add_rating_routes(svc->router, *rt.db, *rt.blocking, *f.antibot, std::move(playstyle_model));
    services.push_back(svc);
  }
  if (f.shop) {
    auto token = admin_token(c);
    if (!token) return token.error();
    auto svc = make_service(rt, "shop", "shop.port", {storage_check});
    svc->middleware.push_back(net::bearer_auth(*token, "/admin/"));
    shop::add_shop_routes(svc->router, *f.shop, *rt.db);
    services.push_back(svc);
  }
  if (services.empty()) return Error::bad_request("no service is enabled in the configuration", "config_error");
  return services;
}

}  // namespace tzr::app
