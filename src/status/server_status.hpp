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
#include <memory>
#include <string>
#include <vector>

namespace tzr::status {

struct ConstantsSnapshot {
  std::vector<gamedb::Constant> constants;
  std::chrono::steady_clock::time_point read_at;
  bool stale = false;  // the last refresh failed; this is an older read
  // Both bodies rendered once per read, not once per request.
  std::string status_json;
  std::string constants_json;
};

class ConstantsCache {
 public:
  using Reader = std::function<Result<std::vector<gamedb::Constant>>()>;  // blocking
  ConstantsCache(Reader reader, BlockingPool& blocking, std::chrono::milliseconds ttl);

  // Shared, immutable: many requests read one snapshot without copying it.
  boost::asio::awaitable<Result<std::shared_ptr<const ConstantsSnapshot>>> get();

 private:
  Reader reader_;
  BlockingPool& blocking_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::shared_ptr<const ConstantsSnapshot> last_;
};

// The orchestrator's GET /internal/constants: {Name: {"value": float|null, "description": …}}.
boost::json::object constants_body(const std::vector<gamedb::Constant>& constants);
// The public status body (site-bridge.md §9): server_status, rates, client_status, _meta, and
// _cache.stale (the read is older than the last failed refresh; the Age header tells how old).
boost::json::object status_body(const std::vector<gamedb::Constant>& constants, bool stale);
// Builds a snapshot with its rendered bodies.
std::shared_ptr<const ConstantsSnapshot> make_snapshot(std::vector<gamedb::Constant> constants,
                                                       std::chrono::steady_clock::time_point read_at, bool stale);

// 200 with the rendered body, Cache-Control, Age, and X-Status-Stale when stale.
net::HttpResponse status_response(const ConstantsSnapshot& snapshot);

void add_constants_route(net::Router& router, ConstantsCache& cache);  // GET /internal/constants
void add_status_routes(net::Router& router, ConstantsCache& cache);    // GET /server/status

}  // namespace tzr::status
