#pragma once
// PvP and PvE ratings (antibot-analytics.md §7.4 `/analytics/pvp/elo`, `/analytics/pve/elo`) as a
// real Elo over the window's battles in end-time order, instead of the reference's linear
// 1000 + 10·(wins − losses) pre-filtered by win rate (D27). docs/decisions.md "Ratings and
// churn" defines both ladders exactly:
//   PvP: team Elo. A side "stands" when one of its humans survived; against each opposing side a
//        player scores 1 (his side stands, theirs fell), 0 (the reverse) or ½; his expected score
//        is against that side's mean rating; the update is K · mean over opposing sides (S − E).
//   PvE: each human against the encounter; the encounter's rating is the count-weighted mean of
//        its monster kinds' ratings plus 400·log10(monsters per human); survival scores 1. Monster
//        kinds are rated too (they learn how hard they are), by the mean (E − S) of the humans.
// Pure: battles in, ladder out; the SQL reads are below and run unchanged on SQLite and PostgreSQL.
#include "antibot/aggregates.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tzr::antibot {

struct RatedPlayer {
  std::string login_key, login;
  std::int64_t side = 0;
  bool survived = false;
};
struct EncounterMonsters {
  std::string kind;
  std::int64_t side = 0;
  std::int64_t count = 0;
};
struct RatedBattle {
  std::int64_t battle_id = 0, end_ts = 0;
  std::vector<RatedPlayer> players;        // humans ('$' logins are left out when rating)
  std::vector<EncounterMonsters> monsters;  // PvE only
};

struct EloOptions {
  double initial = 1000;           // every player's (and monster kind's) rating at the window's start
  double k = 32;                   // players' update factor
  double monster_k = 16;           // monster kinds': they meet many players, a smaller step keeps them steady
  std::size_t history_points = 20;  // ratings after the player's last N battles (sparklines)
};

struct PlayerRating {
  std::string login_key, login;
  double elo = 0, peak = 0;
  std::int64_t wins = 0, losses = 0, draws = 0, battles = 0;
  std::int64_t last_ts = 0;
  std::vector<double> history;  // ratings after each of the last history_points battles, oldest first
};
struct MonsterRating {
  std::string kind;
  double elo = 0;
  std::int64_t battles = 0;
};
struct Ladder {
  std::vector<PlayerRating> players;  // by elo desc, then login_key
  std::vector<MonsterRating> monsters;  // PvE: by elo desc, then kind
  std::int64_t battles_rated = 0, battles_skipped = 0;  // skipped: fewer than two human sides / no opposing monsters
};

// 1 / (1 + 10^((opponent − rating) / 400)).
double expected_score(double rating, double opponent);

// Both sort the battles by (end, battle id) first; the input may come in any order.
Ladder rate_pvp(std::vector<RatedBattle> battles, const EloOptions& options = {});
Ladder rate_pve(std::vector<RatedBattle> battles, const EloOptions& options = {});

// The window's PvP battles (battles.has_pvp) with their participants.
Result<std::vector<RatedBattle>> read_pvp_battles(storage::Database& db, const TimeWindow& w);
// The window's pure PvE battles (monsters and no PvP) with participants and monster groups.
Result<std::vector<RatedBattle>> read_pve_battles(storage::Database& db, const TimeWindow& w);

}  // namespace tzr::antibot
