#include "app/runtime.hpp"

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

Status serve(Runtime& rt, const std::function<void(const std::vector<net::BoundService>&)>& on_ready) {
  const auto& c = rt.config;
  // Declared before the server: coroutine frames the server destroys may still touch features.
  std::unique_ptr<Features> features;
  net::PipelineOptions pipeline{c.boolean("log.access")};
  net::HttpServer server(server_limits(c), static_cast<std::size_t>(c.integer("server.threads")), rt.metrics, pipeline);
  auto built = build_features(rt, server.context().get_executor());
  if (!built) return built.error();
  features = std::move(*built);
  auto services = build_services(rt, *features);
  if (!services) return services.error();

  std::vector<net::BoundService> bound_services;
  for (auto& svc : *services) {
    auto bound = server.add(svc);
    if (!bound) return bound.error();
    std::printf("tzrhost: %s listening on http://%s:%u\n", bound->name.c_str(), bound->address.c_str(), bound->port);
    bound_services.push_back(*bound);
  }
  // SIGHUP re-reads the gateway's API keys (rotation without a restart).
  boost::asio::signal_set hangup(server.context(), SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      auto st = features->api_keys->reload();
      if (st) spdlog::info("gateway: API keys reloaded ({} keys)", features->api_keys->size());
      else spdlog::error("gateway: API keys not reloaded: {}", st.error().message);
      wait_hangup();
    });
  };
  wait_hangup();
  if (on_ready) on_ready(bound_services);
  std::fflush(stdout);
  spdlog::info("serving; storage {}", storage::redact_url(c.string("storage.url")));
  server.run(true);
  // Database threads may still hold executors of the server's io_context: join them before the
  // server (and its io_context) is destroyed.
  features->game_db_pool->stop();
  rt.blocking->stop();
  spdlog::info("stopped");
  return {};
}

}  // namespace tzr::app
