#pragma once
// The per-player state kept at ingest (antibot-analytics.md §11.4): every battle the battles
// ingest adds updates its participants' antibot_player_state row and their antibot_player_days
// row in the batch's own transaction, so that state and battles commit together. One batch reads
// its players' rows once, applies the participations in end-time order (O(1) each) and writes
// every touched row back with one multi-row UPSERT per table.
//
// What the incremental state cannot fix: a battle arriving after a later one of the same player
// (counted in `late`) leaves the order-dependent parts — idle-time statistics, overlaps,
// same-second ends, sessions, marathons, and idle_n / idle_sum of the day rows — as they would be
// for the arrival order. Counts, kills, survival, PvP, loot, first and last end, the 24×7
// histogram, the location set and the day rows' other fields are exact in any order. A stored
// battle replaced by a newer log of the same id, or re-parsed, keeps its first contribution.
// `tzrhost antibot rebuild-state` recomputes both tables from the battles store exactly.
#include "antibot/features.hpp"
#include "antibot/player_state.hpp"
#include "battles/ingest_observer.hpp"

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tzr::antibot {

// One participant of a battle, as read_histories reads it back from the store.
struct Participation {
  std::string login_key, login;
  std::int64_t battle_start = 0;  // the battle's start (0: unknown), the rebuild's second sort key
  PlayerBattle battle;
};

// Pure: the participations of one parsed battle; none when it has no end time.
std::vector<Participation> participations_of(const battles::BattleLog& log);

struct StoredPlayer {
  std::string login;  // the login of the player's earliest battle (what the rebuild keeps)
  PlayerState state;
};
using PlayerDays = std::map<std::pair<std::string, std::int64_t>, PlayerDay>;  // (login_key, UTC day)

// Pure: applies a batch in the rebuild's order (end, battle start, battle id) to players (a key
// not there starts empty) and returns the batch's increments of the day rows.
PlayerDays apply_participations(std::map<std::string, StoredPlayer>& players, std::vector<Participation> batch,
                                const FeatureOptions& breaks);

class StateAtIngest final : public battles::IngestObserver {
 public:
  explicit StateAtIngest(FeatureOptions breaks = {}, std::function<std::int64_t()> clock = {});
  Status on_batch(storage::Session& session, const std::vector<const battles::BattleLog*>& new_battles) override;

 private:
  FeatureOptions breaks_;
  std::function<std::int64_t()> clock_;
};

}  // namespace tzr::antibot
