#pragma once
// Aggregate analytics over the battles store (antibot-analytics.md §7.3 players/top, §7.4, §7.5),
// with the reference's defects fixed: one PvP rule (battles.has_pvp: humans on at least two
// sides), time of day in a display zone with ISO weekdays, every battle counted once, ties broken
// by name, resource z-scores against the other days with missing days as zeros (D18).
//
// Each endpoint is one read below (SQL that runs unchanged on SQLite, PostgreSQL and MySQL: no
// integer division, no date functions, no collation-dependent comparisons) and one pure function
// that shapes the rows; the pure functions are unit-tested on hand-made rows.
#include "antibot/analytics.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tzr::antibot {

// Battles whose end time (battles.ts) lies in [from, to).
struct TimeWindow {
  std::int64_t from = 0, to = 0;
};

// ---- GET /analytics/players/top ----

struct PlayerTotals {
  std::string login_key, login;
  std::int64_t battles = 0, wins = 0, kills_monsters = 0, kills_players = 0, pvp_battles = 0;
  double rank_points_sum = 0;
  std::int64_t pve_points_sum = 0;
};

enum class PlayerMetric {
  battles_count, wins, losses, survival_rate, kills_monsters, kills_players, kills_monsters_avg, kills_players_avg,
  rank_points_avg, pve_points_avg, pvp_battles
};
const std::vector<std::string_view>& player_metric_names();  // the whitelist, in enum order
std::optional<PlayerMetric> parse_player_metric(std::string_view name);
std::string_view player_metric_name(PlayerMetric m);
double metric_value(const PlayerTotals& p, PlayerMetric m);

// Players with at least min_battles participations in the window (one row each, any order).
Result<std::vector<PlayerTotals>> read_player_totals(storage::Database& db, const TimeWindow& w, std::int64_t min_battles);
// Highest metric first; equal values by login_key, so pages are stable.
void rank_players(std::vector<PlayerTotals>& players, PlayerMetric m);

// ---- GET /analytics/time/activity-heatmap, /analytics/time/peak-hours ----

// Battles ending in one 15-minute UTC slot. Zone offsets are multiples of 15 minutes and change
// on slot boundaries (every zone since 1972), so a slot falls into exactly one local hour.
struct TimeSlot {
  std::int64_t start = 0;  // UTC seconds, a multiple of 900
  std::int64_t battles = 0, pvp = 0, pve = 0, mixed = 0;  // pve: with monsters; mixed: PvP with monsters
};
inline constexpr std::int64_t kSlotSeconds = 900;
Result<std::vector<TimeSlot>> read_time_slots(storage::Database& db, const TimeWindow& w);

// cells[(iso_weekday − 1) × 24 + local hour]: battles (each once), for heatmap_json.
std::array<std::int64_t, 168> activity_cells(const std::vector<TimeSlot>& slots, const TimeZone& zone);

// One local hour. total counts each battle once: total = pvp + pve − mixed + other.
struct HourActivity {
  std::int64_t total = 0, pvp = 0, pve = 0, mixed = 0, other = 0;  // other: neither PvP nor monsters
};
std::array<HourActivity, 24> peak_hours(const std::vector<TimeSlot>& slots, const TimeZone& zone);

// ---- GET /analytics/map/clan-control ----

struct LocationClanRow {
  std::int32_t loc_x = 0, loc_y = 0;
  std::string clan;  // "" for participants without a clan
  std::int64_t participations = 0;
};
struct LocationBattles {
  std::int32_t loc_x = 0, loc_y = 0;
  std::int64_t battles = 0;
};
Result<std::vector<LocationClanRow>> read_location_clans(storage::Database& db, const TimeWindow& w);
Result<std::vector<LocationBattles>> read_location_battles(storage::Database& db, const TimeWindow& w);

struct ClanShare {
  std::string clan;
  std::int64_t participations = 0;
  double share = 0;  // of the location's clan participations
};
struct LocationControl {
  std::int32_t loc_x = 0, loc_y = 0;
  std::int64_t battles = 0;              // distinct battles at the location
  std::int64_t participations = 0;       // every participant row, with or without a clan
  std::int64_t clan_participations = 0;  // rows of players in a clan
  std::int64_t clans = 0;                // distinct clans seen
  ClanShare dominant;
  std::optional<ClanShare> runner_up;
};
// Locations with at least one clan participation. Dominant: most participations, equal counts by
// clan name (bytes); ordered by the dominant clan's participations, then its share, then (x, y).
std::vector<LocationControl> clan_control(const std::vector<LocationClanRow>& rows, const std::vector<LocationBattles>& battles);

// ---- GET /analytics/clans/wars ----

struct ClanWar {
  std::string clan1, clan2;  // clan1 < clan2 (bytes)
  std::int64_t battles = 0;  // distinct battles with members of both clans on opposite sides
  std::int64_t last_ts = 0;
};
// Pairs as the SQL returns them (both orders); keeps clan1 < clan2, most battles first, then names.
Result<std::vector<ClanWar>> read_clan_wars(storage::Database& db, const TimeWindow& w);
std::vector<ClanWar> order_clan_wars(std::vector<ClanWar> pairs);

// ---- GET /analytics/clans/{clan}/members ----

struct ClanMember {
  std::string login_key, login;
  std::int64_t battles = 0, wins = 0, last_ts = 0;  // wins: battles survived, as players/top counts them
};
// Players who fought for the clan (exact name, bytes) in the window; order_clan_members' order.
Result<std::vector<ClanMember>> read_clan_members(storage::Database& db, const TimeWindow& w, const std::string& clan);
// Most battles first, then the latest battle, then login_key.
void order_clan_members(std::vector<ClanMember>& members);

// ---- GET /analytics/economy/resources, /analytics/anomalies ----

// Loot of kind "resource" per UTC day (day = floor(battle end / 86400)).
struct ResourceDay {
  std::int64_t day = 0;
  std::string resource;
  std::int64_t qty = 0;
};
Result<std::vector<ResourceDay>> read_resource_days(storage::Database& db, std::int64_t first_day, std::int64_t days);

// Every (resource, day) of [first_day, first_day + days) for the resources seen in rows, missing
// days as 0; by resource (bytes), then day.
std::vector<ResourceDay> zero_filled(const std::vector<ResourceDay>& rows, std::int64_t first_day, std::int64_t days);

struct ResourcePoint {
  std::string resource;
  std::int64_t day = 0, qty = 0;
  double baseline_mean = 0, baseline_sd = 0;  // of the resource's other days
  std::optional<double> z;                    // nullopt when the other days are all equal (sd 0)
  bool is_anomaly = false;                    // |z| > threshold, or a change against a constant baseline
};
// Leave-one-out z-scores over a zero-filled series (zero_filled's order). A day is compared with
// the resource's other days (sample sd): with n days the bound (n−1)/√n of the self-inclusive
// score is gone. Needs at least 3 days (2 others); fewer give no points.
std::vector<ResourcePoint> score_resource_days(const std::vector<ResourceDay>& filled, double threshold);
// Most unusual first: anomalies against a constant baseline, then |z| descending, then resource, day.
void order_by_unusualness(std::vector<ResourcePoint>& points);

// ---- GET /analytics/pve/monsters/breakdown, /analytics/monster/{kind} ----

struct MonsterRow {
  std::string kind, spec;
  std::int64_t count = 0, battles = 0;
};
// optional location filter (x, y); most monsters first, then kind, spec.
Result<std::vector<MonsterRow>> read_monster_breakdown(storage::Database& db, const TimeWindow& w,
                                                       std::optional<std::pair<std::int64_t, std::int64_t>> loc);
void order_monsters(std::vector<MonsterRow>& rows);

struct MonsterStats {
  std::string kind;
  std::int64_t battles = 0, total_count = 0;
  std::int64_t participations = 0, survived = 0;  // of human participants in those battles
  std::vector<MonsterRow> variants;               // kind and kind_spec rows by spec
};
// kind matches itself and its special variant "<kind>_spec" (as the battles list filter does).
// nullopt when the kind never occurs in the store (at any time).
Result<std::optional<MonsterStats>> read_monster_stats(storage::Database& db, const TimeWindow& w, const std::string& kind);

// ---- GET /analytics/stats ----

struct GlobalStats {
  std::int64_t battles = 0, pvp = 0, pve = 0, mixed = 0, active_days = 0;  // active_days: distinct UTC days
  std::int64_t players_sum = 0, monsters_sum = 0;                          // of battles.players_cnt / monsters_cnt
  std::int64_t participations = 0, unique_players = 0, unique_clans = 0;
  std::int64_t unique_resources = 0, resource_quantity = 0, resource_battles = 0;
};
Result<GlobalStats> read_global_stats(storage::Database& db, const TimeWindow& w);

}  // namespace tzr::antibot
