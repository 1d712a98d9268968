#pragma once
// The antibot's reads of the battles store (its tables, read only) and its own tables
// (migrations 600–699): player histories for a window, the rebuilt per-player state and daily
// rows, and the last scan's verdicts.
#include "antibot/detector.hpp"
#include "antibot/features.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tzr::antibot {

struct PlayerHistory {
  std::string login_key, login;
  std::vector<PlayerBattle> battles;  // by end time, then start, then battle id
};

// Participations whose battle ended in [from, to), grouped by player. Battles without an end
// time (damaged headers) are left out.
Result<std::vector<PlayerHistory>> read_histories(storage::Database& db, std::int64_t from, std::int64_t to);

// Replaces antibot_player_state and antibot_player_days with the state rebuilt from histories.
Status rebuild_states(storage::Database& db, const std::vector<PlayerHistory>& histories,
                      const FeatureOptions& breaks, std::int64_t now);

// Replaces antibot_scores with one row per scored player (the detection as JSON in `result`).
Status save_scores(storage::Database& db, const std::vector<PlayerHistory>& histories,
                   const std::vector<Detection>& detections, int window_days, std::int64_t window_end,
                   std::int64_t now);

}  // namespace tzr::antibot
