#pragma once
// Server status and rates from the game DB's `constants` table, cached in process with
// stale-on-error: a database hiccup serves the last good read; 502 only when nothing was ever read.
#include "core/blocking.hpp"
#include "gamedb/game_db.hpp"
#include "net/router.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace tzr::status {

struct ConstantsSnapshot {
  std::vector<gamedb::Constant> constants;
  std::chrono::steady_clock::time_point read_at;
  bool stale = false;  // the last refresh failed; this is an older read
};

class ConstantsCache {
 public:
  using Reader = std::function<Result<std::vector<gamedb::Constant>>()>;  // blocking
  ConstantsCache(Reader reader, BlockingPool& blocking, std::chrono::milliseconds ttl);

  boost::asio::awaitable<Result<ConstantsSnapshot>> get();

 private:
  Reader reader_;
  BlockingPool& blocking_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::optional<ConstantsSnapshot> last_;
};

// The orchestrator's GET /internal/constants: {Name: {"value": float|null, "description": …}}.
boost::json::object constants_body(const std::vector<gamedb::Constant>& constants);
// The public status body (site-bridge.md §9): server_status, rates, client_status, _meta.
boost::json::object status_body(const ConstantsSnapshot& snapshot);

void add_constants_route(net::Router& router, ConstantsCache& cache);  // GET /internal/constants
void add_status_routes(net::Router& router, ConstantsCache& cache);    // GET /server/status

}  // namespace tzr::status
