#pragma once
#include "antibot/detector.hpp"
// The anti-bot and player analytics routes of the battles service (antibot-analytics.md §7, §11.8,
// §11.9): candidates and one player's verdict from the installed model, a player's stats with a
// 24×7 heatmap in a display zone, asynchronous retraining (admin), moderator verdicts and their
// audit log. The model is the JSON file `tzrhost antibot train` writes (antibot.model_path).
#include "core/blocking.hpp"
#include "net/http_service.hpp"
#include "net/router.hpp"
#include "storage/database.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <string>

namespace tzr::antibot {

// The bot detector the routes serve, with what its model file says about it.
struct InstalledModel {
  Detector detector;
  int window_days = 0;
  std::size_t trained_on = 0;
  std::int64_t trained_at = 0;
  std::string version;
};

struct AntibotHttpSettings {
  std::string model_path;                  // read at the first request, replaced by a training job
  std::string default_tz = "Europe/Moscow";
  DetectorOptions detector;                // what a training job fits (antibot.* settings)
};

class AntibotHttp {
 public:
  AntibotHttp(storage::Database& db, BlockingPool& blocking, AntibotHttpSettings settings);
  ~AntibotHttp();
  struct State;
  std::shared_ptr<State> state() const { return state_; }

 private:
  std::shared_ptr<State> state_;
};

// The installed detector (read from antibot.model_path at the first call); nullptr when none.
std::shared_ptr<const InstalledModel> installed_detector(AntibotHttp& antibot);

// GET /analytics/antibot/candidates, /analytics/antibot/player/{login}, /api/analytics/player/{login};
// POST /api/admin/ml/train-botdetector, GET /api/admin/ml/jobs/{id} (behind the /api/admin/ bearer);
// POST /analytics/antibot/player/{login}/verdict, GET /analytics/antibot/audit (behind moderator_auth).
void add_antibot_routes(net::Router& router, AntibotHttp& antibot);

// Runs `work` on the blocking pool as an admin job listed at GET /api/admin/ml/jobs/{id} (id
// "<kind>-<n>") and returns the 202 response naming it. `work` outlives the request: it must own
// what it uses. Not a coroutine on purpose: GCC 12 relocates by-value coroutine arguments bytewise
// (see battles/routes.cpp), which broke the reference counts `work` holds.
net::HttpResponse start_job(AntibotHttp& antibot, const boost::asio::any_io_executor& executor, std::string kind,
                            std::function<Result<boost::json::object>()> work);

// The admin bearer token on the moderator routes: POSTs under /analytics/antibot/ and the audit log.
net::Middleware moderator_auth(std::string token);

}  // namespace tzr::antibot
