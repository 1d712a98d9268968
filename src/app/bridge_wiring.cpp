#include "app/bridge_wiring.hpp"

#include "app/commands.hpp"
#include "app/config_schema.hpp"
#include "app/features.hpp"
#include "core/log.hpp"
#include "net/http_errors.hpp"
#include "net/system_routes.hpp"

#include <boost/asio/co_spawn.hpp>

namespace tzr::app {
namespace {

// The configured secret, or the development one in var/ (the same files `tzrhost bridge` uses).
Result<std::string> secret_or_dev(const Config& c, std::string_view key, const std::string& dev_file,
                                  SecretKind kind = SecretKind::hex) {
  if (!c.string(key).empty()) return c.string(key);
  return development_secret(c, dev_file, kind);
}

std::shared_ptr<net::HttpService> service(const Runtime& rt, std::string name, std::string_view port_key) {
  auto svc = std::make_shared<net::HttpService>();
  svc->name = std::move(name);
  svc->bind = rt.config.string("server.bind");
  svc->port = static_cast<std::uint16_t>(rt.config.integer(port_key));
  return svc;
}

crypto::FreshnessPolicy freshness(const Config& c) {
  return {c.integer("agent.job_ttl_s"), c.integer("agent.job_max_skew_s")};
}

// A secret and, during a rotation, its previous value (`<key>_previous`, empty: none).
Result<crypto::SecretRing> secret_ring(const Config& c, std::string_view key, const std::string& dev_file) {
  auto current = secret_or_dev(c, key, dev_file);
  if (!current) return current.error();
  crypto::SecretRing ring{std::move(*current), std::nullopt};
  if (auto previous = c.string(std::string(key) + "_previous"); !previous.empty()) ring.previous = std::move(previous);
  return ring;
}

// The secrets both ends share with the other side: the HMAC secret and the AES-256 key, each
// with its previous value while a rotation is under way.
struct SharedKeys {
  crypto::SecretRing hmac;
  bridge::AesKeys aes;
};
Result<SharedKeys> shared_keys(const Config& c) {
  auto hmac = secret_ring(c, "bridge.hmac_secret", "bridge_hmac.secret");
  if (!hmac) return hmac.error();
  auto aes_text = secret_or_dev(c, "bridge.aes_key", "bridge_aes.key", SecretKind::base64_key);
  if (!aes_text) return aes_text.error();
  auto aes = crypto::aes_gcm::Key::from_base64(*aes_text);
  if (!aes) return aes.error();
  bridge::AesKeys keys{*aes, std::nullopt};
  if (auto previous_text = c.string("bridge.aes_key_previous"); !previous_text.empty()) {
    auto previous = crypto::aes_gcm::Key::from_base64(previous_text);
    if (!previous)
      return Error::make(previous.error().kind, previous.error().code,
                         "bridge.aes_key_previous must be the base64 of exactly 32 bytes");
    keys.previous = *previous;
  }
  return SharedKeys{std::move(*hmac), std::move(keys)};
}

Result<std::shared_ptr<net::HttpService>> build_hub(Runtime& rt, boost::asio::any_io_executor executor, BridgeParts& parts) {
  const auto& c = rt.config;
  auto keys_in_use = shared_keys(c);
  if (!keys_in_use) return keys_in_use.error();
  auto jwt = secret_ring(c, "bridge.jwt_secret", "bridge_jwt.secret");
  if (!jwt) return jwt.error();

  std::vector<std::string> keys = c.list("hub.api_keys");
  if (keys.empty() && c.string("hub.api_keys_file").empty()) {
    auto dev = development_secret(c, "hub.key");
    if (!dev) return dev.error();
    keys.push_back("dev:" + *dev);
  }
  parts.hub_keys = std::make_unique<gateway::ApiKeys>(keys, c.string("hub.api_keys_file"));
  if (auto st = parts.hub_keys->reload(); !st) return st.error();

  bridge::HubOptions o;
  o.hmac_secret = keys_in_use->hmac;
  o.jwt_secret = std::move(*jwt);
  o.jwt.leeway_seconds = c.integer("hub.jwt_leeway_s");
  if (auto life = c.integer("hub.jwt_max_lifetime_s"); life > 0) o.jwt.max_lifetime_seconds = life;
  o.job_timeout = std::chrono::milliseconds(c.integer("hub.job_timeout_ms"));
  o.pending_ttl_seconds = c.integer("hub.pending_ttl_s");
  o.freshness = freshness(c);
  o.max_agents = static_cast<std::size_t>(c.integer("hub.max_agents"));
  o.json_max_depth = static_cast<std::size_t>(c.integer("server.json_max_depth"));
  o.ws.max_message_bytes = static_cast<std::size_t>(c.integer("agent.max_frame_bytes"));
  o.ws.idle_timeout = std::chrono::seconds(2 * c.integer("agent.ping_interval_s"));
  o.hub_id = instance_name(c, "hub.port");
  o.claim_lease = std::chrono::milliseconds(c.integer("hub.claim_lease_ms"));
  o.poll = std::chrono::milliseconds(c.integer("hub.poll_ms"));
  o.retention_seconds = c.integer("hub.retention_days") * 86400;
  parts.hub_store = std::make_unique<bridge::HubJobStore>(*rt.db);
  parts.hub = std::make_shared<bridge::SiteHub>(executor, std::move(o), keys_in_use->aes, *parts.hub_store, *rt.blocking, rt.metrics);
  if (auto st = parts.hub->recover(); !st) return st.error();
  parts.hub->start();

  auto svc = service(rt, "hub", "hub.port");
  auto hub = parts.hub;
  net::add_system_routes(svc->router, rt.metrics,
                         std::make_shared<const std::vector<net::ReadinessCheck>>(std::vector<net::ReadinessCheck>{
                             {"agents", [weak = std::weak_ptr(hub)]() -> boost::asio::awaitable<bool> {
                               auto h = weak.lock();
                               co_return h && h->agent_count() > 0;
                             }}}));
  // /proxy/* takes the site's API key (the browser never calls the hub: the site's back end does).
  auto* ring = parts.hub_keys.get();
  svc->middleware.push_back(net::Middleware{
      [ring](net::HttpRequest& req) -> boost::asio::awaitable<std::optional<net::HttpResponse>> {
        if (!req.path.starts_with("/proxy/")) co_return std::nullopt;
        auto key = req.headers.get("X-API-Key");
        if (key && ring->match(*key)) co_return std::nullopt;
        co_return net::error_response(Error::make(ErrorKind::forbidden, "invalid_api_key", "API key is missing or invalid"),
                                      req.request_id);
      },
      {}});
  svc->websockets.push_back(parts.hub->websocket_route());
  parts.hub->add_routes(svc->router);
  return svc;
}

Result<std::shared_ptr<net::HttpService>> build_agent(Runtime& rt, boost::asio::any_io_executor executor, BridgeParts& parts) {
  const auto& c = rt.config;
  auto keys_in_use = shared_keys(c);
  if (!keys_in_use) return keys_in_use.error();  // the reference's "key must be 256 bits": refuse to start

  bridge::AgentOptions o;
  o.site_url = c.string("agent.site_url");
  o.agent_id = c.string("agent.id");
  o.jwt = c.string("agent.jwt");
  o.jwt_file = c.string("agent.jwt_file");
  if (o.jwt.empty() && o.jwt_file.empty()) {
    auto jwt = secret_ring(c, "bridge.jwt_secret", "bridge_jwt.secret");
    if (!jwt) return jwt.error();
    o.jwt_secret = std::move(*jwt);
  }
  o.ws.ca_file = c.string("agent.ca_file");
  o.ws.verify_peer = c.boolean("agent.verify_tls");
  o.ws.socket.max_message_bytes = static_cast<std::size_t>(c.integer("agent.max_frame_bytes"));
  o.ws.socket.idle_timeout = std::chrono::seconds(2 * c.integer("agent.ping_interval_s"));
  o.backoff_min = std::chrono::milliseconds(c.integer("agent.backoff_min_ms"));
  o.backoff_max = std::chrono::milliseconds(c.integer("agent.backoff_max_ms"));
  o.hmac_secret = keys_in_use->hmac;
  o.freshness = freshness(c);
  o.max_concurrent_jobs = static_cast<std::size_t>(c.integer("agent.max_concurrent_jobs"));
  o.idempotency = {c.integer("agent.idempotency_ttl_s"), static_cast<std::size_t>(c.integer("agent.idempotency_max"))};
  o.claim_lease = std::chrono::milliseconds(c.integer("agent.request_timeout_ms") + 10'000);

  bridge::LocalServices local;
  local.register_url = c.string("agent.register_url");
  local.status_url = c.string("agent.status_url");
  local.reset_url = c.string("agent.reset_url");
  local.timeout = std::chrono::milliseconds(c.integer("agent.request_timeout_ms"));
  local.bearer_token = c.string("agent.local_token");
  if (local.bearer_token.empty()) local.bearer_token = c.string("admin.token");
  if (local.bearer_token.empty()) {
    auto dev = development_secret(c, "admin.token");
    if (!dev) return dev.error();
    local.bearer_token = *dev;
  }
  net::HttpClientOptions http;
  http.request_timeout = local.timeout;
  http.max_idle_per_host = 64;
  parts.agent_http = std::make_unique<net::HttpClient>(executor, http);
  parts.agent_previous_keys = std::make_unique<bridge::PreviousKeyUse>(rt.metrics, "agent");
  parts.agent_runner = std::make_unique<bridge::JobRunner>(*parts.agent_http, std::move(local), keys_in_use->aes,
                                                           parts.agent_previous_keys.get());
  parts.agent_results = std::make_unique<bridge::AgentResultStore>(*rt.db);
  parts.agent = std::make_shared<bridge::SiteAgent>(executor, std::move(o), *parts.agent_runner, parts.agent_results.get(),
                                                    rt.blocking.get(), rt.metrics);
  // Old outcomes are dropped at start; the ledger keeps recent ones in memory.
  const auto horizon = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
                       c.integer("agent.idempotency_ttl_s");
  if (auto purged = parts.agent_results->purge(horizon); !purged) return purged.error();

  auto svc = service(rt, "agent", "agent.health_port");
  auto agent = parts.agent;
  net::add_system_routes(svc->router, rt.metrics,
                         std::make_shared<const std::vector<net::ReadinessCheck>>(std::vector<net::ReadinessCheck>{
                             {"site", [weak = std::weak_ptr(agent)]() -> boost::asio::awaitable<bool> {
                               auto a = weak.lock();
                               co_return a && a->connected();
                             }}}));
  return svc;
}

}  // namespace

Result<std::unique_ptr<BridgeParts>> build_bridge(Runtime& rt, boost::asio::any_io_executor executor,
                                                  std::vector<std::shared_ptr<net::HttpService>>& services) {
  auto parts = std::make_unique<BridgeParts>();
  if (rt.config.boolean("hub.enabled")) {
    auto svc = build_hub(rt, executor, *parts);
    if (!svc) return svc.error();
    services.push_back(*svc);
  }
  if (rt.config.boolean("agent.enabled")) {
    auto svc = build_agent(rt, executor, *parts);
    if (!svc) return svc.error();
    services.push_back(*svc);
  }
  return parts;
}

// The server keeps its drain hooks and routes past its io_context: they hold the hub and the agent
// weakly, so both die with BridgeParts, before the context (their timers and sockets need it).
Status start_bridge(BridgeParts& parts, net::HttpServer& server) {
  if (parts.hub)
    server.on_drain([weak = std::weak_ptr(parts.hub)]() -> boost::asio::awaitable<void> {
      if (auto hub = weak.lock()) co_await hub->drain();
    });
  if (parts.agent) {
    if (auto st = parts.agent->start(); !st) return st;
    server.on_drain([weak = std::weak_ptr(parts.agent)]() -> boost::asio::awaitable<void> {
      if (auto agent = weak.lock()) co_await agent->drain();
    });
  }
  return {};
}

namespace {
// Every other service of the process off: the agent runs in the game network, the hub at the site.
int serve_only(Config config, std::string_view end) {
  for (const auto& key : config_schema()) {
    if (key.key != "enabled" || key.section == end) continue;
    if (auto st = config.set(std::string(key.section) + ".enabled", "false"); !st) return fail(st.error());
  }
  if (auto st = config.set(std::string(end) + ".enabled", "true"); !st) return fail(st.error());
  return run_serve(std::move(config));
}
}  // namespace

void add_bridge_commands(CLI::App& app, const GlobalOptions& global, int& code) {
  app.add_subcommand("agent", "Run the site agent: outbound WebSocket to the site hub, signed jobs, local calls; until SIGTERM")
      ->callback([&] {
        auto config = load_config(global);
        code = config ? serve_only(std::move(*config), "agent") : fail(config.error());
      });
  app.add_subcommand("site-hub", "Run the site hub: /ws/pull for agents, /proxy/register and /proxy/server-status for the site")
      ->callback([&] {
        auto config = load_config(global);
        code = config ? serve_only(std::move(*config), "hub") : fail(config.error());
      });
}

int cmd_keygen_agent_jwt(const GlobalOptions& global, const AgentTokenOptions& options, int count) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  log::init(config->string("log.level"), log::format_from_string(config->string("log.format")));
  auto secret = secret_or_dev(*config, "bridge.jwt_secret", "bridge_jwt.secret");
  if (!secret) return fail(secret.error());
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (int i = 0; i < count; ++i) {
    const std::string token = crypto::jwt::make(boost::json::object{{"sub", options.subject},
                                                                    {"aud", options.audience},
                                                                    {"iat", now},
                                                                    {"exp", now + options.lifetime_s},
                                                                    {"jti", bridge::uuid4()}},
                                                *secret);
    std::printf("%s\n", token.c_str());
  }
  return 0;
}

}  // namespace tzr::app
