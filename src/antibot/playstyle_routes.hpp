#pragma once
// The playstyle routes of the battles service (antibot-analytics.md §5, §7.3): a player's
// playstyle and the cluster statistics from the installed model, and its asynchronous retraining
// (admin; the job is listed with the bot detector's at /api/admin/ml/jobs/{id}). The model is the
// JSON file at antibot.playstyle_model_path, also written by `tzrhost antibot train-playstyle`.
#include "antibot/http.hpp"
#include "antibot/playstyle.hpp"
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace tzr::antibot {

// The model file: read with its size bounded and its schema checked; written atomically.
Result<PlaystyleModel> read_playstyle_model(const std::string& path);
Status write_playstyle_model(const std::string& path, const PlaystyleModel& model);

// Reads the participations of [until − days, until) and fits a model on them.
Result<PlaystyleModel> train_playstyle_from_store(storage::Database& db, int days, std::int64_t until, std::int64_t now,
                                                  const PlaystyleOptions& options);

// The rule that keeps the installed model (analytics.hpp candidate_is_worse without labels: the
// playstyle model has no labelled validation set): a new model of the same window is worse when it
// was fitted on less than half as many players as the installed one.
bool playstyle_candidate_is_worse(const PlaystyleModel& candidate, const PlaystyleModel* installed);

struct PlaystyleHttpSettings {
  storage::Database& db;
  BlockingPool& blocking;
  std::string model_path;
};

// The installed playstyle model (read at the first call, replaced by a training job); nullptr when none.
using PlaystyleModelSource = std::function<std::shared_ptr<const PlaystyleModel>()>;

// GET /analytics/playstyle/{login} (days 90, 7..365; until), GET /analytics/playstyle/clusters/stats,
// POST /api/admin/ml/train-playstyle (days 90, 30..365; until; k 8, 2..32; seed 42). The admin
// bearer on /api/admin/ is the service's middleware. Returns the routes' model, for other readers.
PlaystyleModelSource add_playstyle_routes(net::Router& router, AntibotHttp& jobs, PlaystyleHttpSettings settings);

}  // namespace tzr::antibot
