#include "app/runtime.hpp"

#include "app/bridge_wiring.hpp"
#include "app/config_schema.hpp"
#include "app/features.hpp"
#include "app/platform_migrations.hpp"
#include "core/log.hpp"
#include "storage/migrations.hpp"

#include <fmt/format.h>

#include <boost/asio/signal_set.hpp>

#include <cstdio>

namespace tzr::app {

net::ServerLimits server_limits(const Config& c) {
  using ms = std::chrono::milliseconds;
  net::ServerLimits l;
  l.max_body_bytes = static_cast<std::size_t>(c.integer("server.max_body_bytes"));
  l.max_header_bytes = static_cast<std::size_t>(c.integer("server.max_header_bytes"));
  l.read_timeout = ms(c.integer("server.read_timeout_ms"));
  l.idle_timeout = ms(c.integer("server.idle_timeout_ms"));
  l.write_timeout = ms(c.integer("server.write_timeout_ms"));
  l.max_connections = static_cast<std::size_t>(c.integer("server.max_connections"));
  l.max_requests_per_connection = static_cast<std::size_t>(c.integer("server.max_requests_per_connection"));
  l.shutdown_grace = ms(c.integer("server.shutdown_grace_ms"));
  return l;
}

Result<std::unique_ptr<Runtime>> open_runtime(Config config) {
  auto rt = std::make_unique<Runtime>(std::move(config));
  storage::OpenOptions opts;
  opts.pool_size = static_cast<std::size_t>(rt->config.integer("storage.pool_size"));
  opts.busy_timeout_ms = static_cast<int>(rt->config.integer("storage.busy_timeout_ms"));
  auto db = storage::open_database(rt->config.string("storage.url"), opts);
  if (!db) return db.error();
  rt->db = std::move(*db);
  if (rt->config.boolean("storage.migrate_on_start")) {
    auto report = storage::migrate(*rt->db, platform_migrations());
    if (!report) return report.error();
    if (!report->applied.empty())
      spdlog::info("storage: applied {} migration(s), schema version {}", report->applied.size(), report->current_version);
  }
  rt->blocking = std::make_unique<BlockingPool>(opts.pool_size);
  return rt;
}

namespace {
// Any enabled service besides the bridge's two ends.
bool uses_game_features(const Config& c) {
  for (const auto& key : config_schema()) {
    if (key.key != "enabled" || key.section == "hub" || key.section == "agent") continue;
    if (c.boolean(std::string(key.section) + ".enabled")) return true;
  }
  return false;
}
}  // namespace

HttpParts::HttpParts() = default;
HttpParts::~HttpParts() = default;
HttpParts::HttpParts(HttpParts&&) noexcept = default;
HttpParts& HttpParts::operator=(HttpParts&&) noexcept = default;

Result<HttpParts> build_http_services(Runtime& rt, boost::asio::any_io_executor executor) {
  HttpParts parts;
  // The game-side features only where a service needs them (a site hub alone has no game DB).
  if (uses_game_features(rt.config)) {
    auto built = build_features(rt, executor);
    if (!built) return built.error();
    parts.features = std::move(*built);
  }
  std::vector<std::shared_ptr<net::HttpService>> bridge_services;
  auto built_bridge = build_bridge(rt, executor, bridge_services);
  if (!built_bridge) return built_bridge.error();
  parts.bridge = std::move(*built_bridge);
  auto services = parts.features ? build_services(rt, *parts.features)
                                 : Result<std::vector<std::shared_ptr<net::HttpService>>>(std::vector<std::shared_ptr<net::HttpService>>{});
  if (!services && bridge_services.empty()) return services.error();
  if (services) parts.services = std::move(*services);
  for (auto& svc : bridge_services) parts.services.push_back(svc);
  if (parts.services.empty()) return Error::bad_request("no service is enabled in the configuration", "config_error");
  return parts;
}

Status serve(Runtime& rt, const std::function<void(const std::vector<net::BoundService>&)>& on_ready) {
  const auto& c = rt.config;
  // Declared before the server: coroutine frames the server destroys may still touch features.
  HttpParts parts;
  net::PipelineOptions pipeline{c.boolean("log.access")};
  net::HttpServer server(server_limits(c), static_cast<std::size_t>(c.integer("server.threads")), rt.metrics, pipeline);
  auto built = build_http_services(rt, server.context().get_executor());
  if (!built) return built.error();
  parts = std::move(*built);
  auto& features = parts.features;
  auto& bridge = parts.bridge;

  std::vector<net::BoundService> bound_services;
  for (auto& svc : parts.services) {
    auto bound = server.add(svc);
    if (!bound) return bound.error();
    std::printf("tzrhost: %s listening on http://%s:%u\n", bound->name.c_str(), bound->address.c_str(), bound->port);
    bound_services.push_back(*bound);
  }
  // SIGHUP re-reads the gateway's API keys (rotation without a restart).
  boost::asio::signal_set hangup(server.context(), SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec || !features) return;
      auto st = features->api_keys->reload();
      if (st) spdlog::info("gateway: API keys reloaded ({} keys)", features->api_keys->size());
      else spdlog::error("gateway: API keys not reloaded: {}", st.error().message);
      wait_hangup();
    });
  };
  wait_hangup();
  if (auto st = start_bridge(*bridge, server); !st) return st;
  if (features && features->shop)
    server.on_drain([shop = features->shop.get()]() -> boost::asio::awaitable<void> { co_await shop->drain(); });
  // Registration outcomes still queued are written before the process ends.
  if (features)
    server.on_drain([outcomes = features->outcomes.get(), blocking = rt.blocking.get()]() -> boost::asio::awaitable<void> {
      co_await blocking->run([outcomes] { (void)outcomes->flush(); });
    });
  if (on_ready) on_ready(bound_services);
  std::fflush(stdout);
  spdlog::info("serving; storage {}", storage::redact_url(c.string("storage.url")));
  server.run(true);
  // Database threads may still hold executors of the server's io_context: join them before the
  // server (and its io_context) is destroyed.
  if (features) features->game_db_pool->stop();
  rt.blocking->stop();
  // Pooled game connections are sockets of the server's io_context, as are the bridge's.
  if (features) features->game_client->close_idle();
  // The bridge's timers and pooled sockets belong to the server's io_context: they go first.
  // (Coroutine frames that still hold the agent or the hub release them when the context dies.)
  bridge.reset();
  spdlog::info("stopped");
  return {};
}

}  // namespace tzr::app
