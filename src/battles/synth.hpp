#pragma once
// Synthetic .tzb battle logs in the real format (battles.md §1): a world of players with daily
// schedules, clans and home sectors, who fight monsters (PvE) and each other (PvP), pick up loot,
// die and escape. Deterministic under a seed. The corpus for benchmarks, analytics tests, the
// demo and the game simulator's battle requests.
#include <cstdint>
#include <functional>
#include <string>

namespace tzr::battles {

struct SynthOptions {
  int players = 50;
  int days = 1;
  std::uint64_t seed = 1;
  std::int64_t start_unix = 1759276800;     // 2025-10-01T00:00:00Z
  std::int64_t first_battle_id = 4000000;
  double battles_per_player_day = 6;       // mean; bots (5 % of players) play four times as much
  bool shuffle_attributes = false;         // random attribute order in every tag (parser property tests)
  bool wrap = true;                        // <BLOOK> wrapper, as socket-fetched files have
  int max_battles = 0;                     // stop after this many (0 = no limit)
};

struct SynthBattle {
  std::int64_t id = 0;
  std::int64_t ts = 0;   // end time (BATTLE@t2)
  std::string text;      // the .tzb file
};

// Calls sink for every battle, in id (= time) order; stops early when sink returns false.
// Returns the number of battles produced.
std::int64_t synthesize(const SynthOptions& options, const std::function<bool(SynthBattle&&)>& sink);

// Where a battle file lives under a corpus folder: {id / 50000}/{id}.tzb (battles.md §1.13).
std::string shard_path(std::int64_t battle_id, std::string_view extension = ".tzb");

}  // namespace tzr::battles
