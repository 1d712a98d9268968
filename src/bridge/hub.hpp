#pragma once
// The site hub: the site's end of the bridge, so a website needs no Django of its own. Agents
// connect to /ws/pull with a JWT; the site's back end calls POST /proxy/register,
// GET /proxy/server-status and POST /proxy/password-reset; the hub encrypts the password, signs
// a job, pushes it to a live agent, waits for the signed result and answers with the public error
// catalogue (site-bridge.md §8.9). The caller's X-Request-Id is the job id: a retried request gets
// the first outcome instead of a second registration. Jobs are stored, so a hub restart pushes
// unfinished ones again.
#include "bridge/hub_store.hpp"
#include "bridge/protocol.hpp"
#include "core/blocking.hpp"
#include "core/metrics.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/jwt.hpp"
#include "net/http_service.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace tzr::bridge {

struct HubOptions {
  // Results and agent tokens may use either secret of a ring. An agent is spoken to in the
  // generation its token proves: jobs signed (and passwords encrypted) with the previous keys
  // for an agent whose token verified only with the previous JWT secret, else the current ones.
  crypto::SecretRing hmac_secret;
  crypto::SecretRing jwt_secret;
  crypto::jwt::Expectations jwt{.audience = std::string("ws/pull"), .leeway_seconds = 30};
  std::chrono::milliseconds job_timeout{15'000};  // the caller's wait for a result (then 504)
  std::int64_t pending_ttl_seconds = 600;         // unfinished jobs older than this are not pushed again
  crypto::FreshnessPolicy freshness;
  std::size_t max_agents = 64;
  std::size_t json_max_depth = 32;
  net::WebSocketOptions ws;
  // Several hubs on one database: this hub's name in job claims (stable across its restarts, so
  // it takes its own claims back at once), how long a claim holds without renewal (a dead hub's
  // jobs go to another after this), and how often the job table is looked at.
  std::string hub_id;
  std::chrono::milliseconds claim_lease{5'000};
  std::chrono::milliseconds poll{200};
  std::int64_t retention_seconds = 7 * 86400;  // finished jobs (and their replays) are kept this long
};

// Maps a failed job to the public error envelope's status and code (pure; unit-tested).
Error proxy_error(const JobFailure& failure);

class SiteHub : public std::enable_shared_from_this<SiteHub> {
 public:
  SiteHub(boost::asio::any_io_executor executor, HubOptions options, crypto::KeyRing<crypto::aes_gcm::Key> aes_keys, HubJobStore& store,
          BlockingPool& blocking, Metrics& metrics);
  ~SiteHub();

  // Expires unfinished jobs of earlier runs that are too old to push (at start-up, before serving).
  Status recover();
  // Starts watching the shared job table: unclaimed jobs (from another hub, or from before a
  // restart) go to this hub's agents, and claims on jobs in flight are renewed. Until drain().
  void start();
  net::WebSocketRoute websocket_route();
  void add_routes(net::Router& router);
  // Closes agent connections (1001) and answers waiting callers 503.
  boost::asio::awaitable<void> drain();
  std::size_t agent_count() const;

  struct State;  // shared with the coroutines that outlive a call

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tzr::bridge
