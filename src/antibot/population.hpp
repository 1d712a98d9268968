#pragma once
// The labelled synthetic population of antibot-analytics.md §12: human archetypes H1–H6 (with the
// traps H2 grinder, H5 weekend marathoner, H6 ingest duplicates), bot archetypes B1–B5, shared
// H3 battles (PvP when the two humans stand on opposite sides), and the global nuisances (a
// 6-hour ingest outage, 1 % of battles lost). Deterministic under a seed: every player draws from
// its own stream seeded by (seed, index), so changing one archetype leaves the others alone.
#include "antibot/features.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::antibot {

enum class Archetype { H1, H2, H3, H4, H5, H6, B1, B2, B3, B4, B5 };
inline constexpr int kArchetypeCount = 11;

std::string_view archetype_code(Archetype a);  // "H1" … "B5"
std::string_view archetype_difficulty(Archetype a);  // easy, medium, hard, trap
bool archetype_is_bot(Archetype a);

struct PopulationOptions {
  int players = 1000;
  int days = 30;
  double bot_share = 0.10;                // π
  std::uint64_t seed = 1;
  std::int64_t start_unix = 1759276800;   // T0 = 2025-10-01T00:00:00Z
  bool nuisances = true;                  // outage and random loss
};

struct SyntheticPlayer {
  std::int64_t id = 0;
  std::string login;
  Archetype archetype = Archetype::H1;
  int tz_hours = 3;                       // local time = UTC + tz (only schedules use it)
  std::vector<PlayerBattle> battles;      // ordered by end time
};

struct Population {
  PopulationOptions options;
  std::vector<SyntheticPlayer> players;
  std::int64_t window_end() const { return options.start_unix + std::int64_t{options.days} * 86400; }
};

Population generate_population(const PopulationOptions& options);

}  // namespace tzr::antibot
