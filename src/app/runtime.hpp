#pragma once
// What a running tzrhost process holds: configuration, metrics, the platform database and the
// pool that runs blocking work. Commands build one, then add the services they run.
#include "core/blocking.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "net/http_server.hpp"
#include <boost/asio/any_io_executor.hpp>
#include "storage/database.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace tzr::app {

struct Features;
struct BridgeParts;

struct Runtime {
  explicit Runtime(Config c) : config(std::move(c)) {}
  Config config;
  Metrics metrics;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<BlockingPool> blocking;
};

// Opens the platform database (and migrates it when storage.migrate_on_start is set).
Result<std::unique_ptr<Runtime>> open_runtime(Config config);

net::ServerLimits server_limits(const Config& config);

// Every enabled HTTP service of the configuration (not bound yet) and the parts behind them;
// the parts must outlive the server that runs the services.
struct HttpParts {
  HttpParts();
  ~HttpParts();
  HttpParts(HttpParts&&) noexcept;
  HttpParts& operator=(HttpParts&&) noexcept;
  std::unique_ptr<Features> features;  // null when only the bridge runs
  std::unique_ptr<BridgeParts> bridge;
  std::vector<std::shared_ptr<net::HttpService>> services;
};
Result<HttpParts> build_http_services(Runtime& runtime, boost::asio::any_io_executor executor);

// Builds the enabled HTTP services, binds them and prints one line per service to stdout:
// "tzrhost: <service> listening on http://<addr>:<port>", then calls on_ready (the demo prints
// its guide there) and serves until SIGINT/SIGTERM.
Status serve(Runtime& runtime, const std::function<void(const std::vector<net::BoundService>&)>& on_ready = {});

}  // namespace tzr::app
