#pragma once
// The antibot's reads of the battles store (its tables, read only) and its own tables
// (migrations 600–699): player histories for a window, the rebuilt per-player state and daily
// rows, and the last scan's verdicts.
#include "antibot/detector.hpp"
#include "antibot/features.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <optional>
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
Result<std::vector<PlayerHistory>> read_histories(storage::Session& s, std::int64_t from, std::int64_t to);
// One player's participations in [from, to) (same rows as its entry of read_histories), or
// nullopt when it has none there.
Result<std::optional<PlayerHistory>> read_history(storage::Database& db, const std::string& login_key,
                                                  std::int64_t from, std::int64_t to);

// Serialises the writers of antibot_player_state / antibot_player_days within the caller's
// transaction (PostgreSQL: a transaction-level advisory lock; SQLite's BEGIN IMMEDIATE already
// admits one writer). The ingest hook takes it last, after its battle rows, so that no cycle of
// waits can form.
Status lock_player_states(storage::Session& s);

// Replaces antibot_player_state and antibot_player_days with the state rebuilt from histories.
Status rebuild_states(storage::Database& db, const std::vector<PlayerHistory>& histories,
                      const FeatureOptions& breaks, std::int64_t now);

// The full rebuild (`tzrhost antibot rebuild-state`): reads every participation of the store and
// replaces both tables, in one transaction under lock_player_states, so that an ingest batch
// committing meanwhile is either in the rebuild's read or applied after it, never lost or
// counted twice. progress(line) reports each stage and the players written.
struct RebuildCounts {
  std::size_t players = 0, participations = 0;
};
Result<RebuildCounts> rebuild_all_states(storage::Database& db, const FeatureOptions& breaks, std::int64_t now,
                                         const std::function<void(const std::string&)>& progress = {});

// Replaces antibot_scores with one row per scored player (the detection as JSON in `result`).
Status save_scores(storage::Database& db, const std::vector<PlayerHistory>& histories,
                   const std::vector<Detection>& detections, int window_days, std::int64_t window_end,
                   std::int64_t now);

}  // namespace tzr::antibot
