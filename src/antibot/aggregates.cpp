#include "antibot/aggregates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

namespace tzr::antibot {
namespace {

using storage::Value;

// The window filter on battles b; every read below joins battles as b.
constexpr std::string_view kWindow = " b.ts IS NOT NULL AND b.ts >= ? AND b.ts < ?";

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Local (hour, ISO weekday index 0 = Monday) of a UTC instant in the zone.
std::pair<int, int> local_hour_weekday(std::int64_t utc, const TimeZone& zone) {
  const std::int64_t local = utc + zone.offset_at(utc);
  const std::int64_t day = floor_div(local, 86400);
  const auto hour = static_cast<int>((local - day * 86400) / 3600);
  const auto weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday
  return {hour, weekday};
}

}  // namespace

// ---- players/top ----

const std::vector<std::string_view>& player_metric_names() {
  static const std::vector<std::string_view> names = {
      "battles_count", "wins", "losses", "survival_rate", "kills_monsters", "kills_players", "kills_monsters_avg",
      "kills_players_avg", "rank_points_avg", "pve_points_avg", "pvp_battles"};
  return names;
}

std::optional<PlayerMetric> parse_player_metric(std::string_view name) {
  const auto& names = player_metric_names();
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<PlayerMetric>(it - names.begin());
}

std::string_view player_metric_name(PlayerMetric m) { return player_metric_names()[static_cast<std::size_t>(m)]; }

double metric_value(const PlayerTotals& p, PlayerMetric m) {
  const double n = p.battles > 0 ? static_cast<double>(p.battles) : 1.0;
  switch (m) {
    case PlayerMetric::battles_count: return static_cast<double>(p.battles);
    case PlayerMetric::wins: return static_cast<double>(p.wins);
    case PlayerMetric::losses: return static_cast<double>(p.battles - p.wins);
    case PlayerMetric::survival_rate: return static_cast<double>(p.wins) / n;
    case PlayerMetric::kills_monsters: return static_cast<double>(p.kills_monsters);
    case PlayerMetric::kills_players: return static_cast<double>(p.kills_players);
    case PlayerMetric::kills_monsters_avg: return static_cast<double>(p.kills_monsters) / n;
    case PlayerMetric::kills_players_avg: return static_cast<double>(p.kills_players) / n;
    case PlayerMetric::rank_points_avg: return p.rank_points_sum / n;
    case PlayerMetric::pve_points_avg: return static_cast<double>(p.pve_points_sum) / n;
    case PlayerMetric::pvp_battles: return static_cast<double>(p.pvp_battles);
  }
  return 0;
}

Result<std::vector<PlayerTotals>> read_player_totals(storage::Database& db, const TimeWindow& w, std::int64_t min_battles) {
  const Value params[] = {Value{w.from}, Value{w.to}, Value{min_battles}};
  auto rows = db.query(
      "SELECT p.login_key, MIN(p.login), COUNT(*), SUM(p.survived), SUM(p.kills_monsters), SUM(p.kills_players),"
      " SUM(p.rank_points), SUM(p.pve_points), SUM(b.has_pvp)"
      " FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id WHERE" +
          std::string(kWindow) + " GROUP BY p.login_key HAVING COUNT(*) >= ?",
      params);
  if (!rows) return rows.error();
  std::vector<PlayerTotals> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows)
    out.push_back(PlayerTotals{r.text(0), r.text(1), r.integer(2), r.integer(3), r.integer(4), r.integer(5), r.integer(8),
                               r.real(6), r.integer(7)});
  return out;
}

void rank_players(std::vector<PlayerTotals>& players, PlayerMetric m) {
  std::sort(players.begin(), players.end(), [m](const PlayerTotals& a, const PlayerTotals& b) {
    const double x = metric_value(a, m), y = metric_value(b, m);
    if (x != y) return x > y;
    return a.login_key < b.login_key;
  });
}

// ---- time of day ----

Result<std::vector<TimeSlot>> read_time_slots(storage::Database& db, const TimeWindow& w) {
  const Value params[] = {Value{w.from}, Value{w.to}};
  auto rows = db.query(
      "SELECT b.ts - b.ts % 900, COUNT(*), SUM(b.has_pvp), SUM(b.has_monsters), SUM(b.has_pvp * b.has_monsters)"
      " FROM battles b WHERE" +
          std::string(kWindow) + " GROUP BY b.ts - b.ts % 900",
      params);
  if (!rows) return rows.error();
  std::vector<TimeSlot> out;
  for (const auto& r : rows->rows) out.push_back({r.integer(0), r.integer(1), r.integer(2), r.integer(3), r.integer(4)});
  return out;
}

std::array<std::int64_t, 168> activity_cells(const std::vector<TimeSlot>& slots, const TimeZone& zone) {
  std::array<std::int64_t, 168> cells{};
  for (const auto& s : slots) {
    const auto [hour, weekday] = local_hour_weekday(s.start, zone);
    cells[static_cast<std::size_t>(weekday * 24 + hour)] += s.battles;
  }
  return cells;
}

std::array<HourActivity, 24> peak_hours(const std::vector<TimeSlot>& slots, const TimeZone& zone) {
  std::array<HourActivity, 24> hours{};
  for (const auto& s : slots) {
    auto& h = hours[static_cast<std::size_t>(local_hour_weekday(s.start, zone).first)];
    h.total += s.battles;
    h.pvp += s.pvp;
    h.pve += s.pve;
    h.mixed += s.mixed;
    h.other += s.battles - s.pvp - s.pve + s.mixed;
  }
  return hours;
}

// ---- clan control ----

Result<std::vector<LocationClanRow>> read_location_clans(storage::Database& db, const TimeWindow& w) {
  const Value params[] = {Value{w.from}, Value{w.to}};
  auto rows = db.query(
      "SELECT b.loc_x, b.loc_y, p.clan, COUNT(*) FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id"
      " WHERE" +
          std::string(kWindow) + " GROUP BY b.loc_x, b.loc_y, p.clan",
      params);
  if (!rows) return rows.error();
  std::vector<LocationClanRow> out;
  for (const auto& r : rows->rows)
    out.push_back({static_cast<std::int32_t>(r.integer(0)), static_cast<std::int32_t>(r.integer(1)),
                   r.opt_text(2).value_or(""), r.integer(3)});
  return out;
}

Result<std::vector<LocationBattles>> read_location_battles(storage::Database& db, const TimeWindow& w) {
  const Value params[] = {Value{w.from}, Value{w.to}};
  auto rows = db.query("SELECT b.loc_x, b.loc_y, COUNT(*) FROM battles b WHERE" + std::string(kWindow) +
                           " GROUP BY b.loc_x, b.loc_y",
                       params);
  if (!rows) return rows.error();
  std::vector<LocationBattles> out;
  for (const auto& r : rows->rows)
    out.push_back({static_cast<std::int32_t>(r.integer(0)), static_cast<std::int32_t>(r.integer(1)), r.integer(2)});
  return out;
}

std::vector<LocationControl> clan_control(const std::vector<LocationClanRow>& rows, const std::vector<LocationBattles>& battles) {
  using Loc = std::pair<std::int32_t, std::int32_t>;
  std::map<Loc, LocationControl> by_loc;
  std::map<Loc, std::map<std::string, std::int64_t>> clans;  // merges rows a collation split or repeated
  for (const auto& r : rows) {
    auto& c = by_loc[{r.loc_x, r.loc_y}];
    c.loc_x = r.loc_x;
    c.loc_y = r.loc_y;
    c.participations += r.participations;
    if (r.clan.empty()) continue;
    c.clan_participations += r.participations;
    clans[{r.loc_x, r.loc_y}][r.clan] += r.participations;
  }
  for (const auto& b : battles)
    if (auto it = by_loc.find({b.loc_x, b.loc_y}); it != by_loc.end()) it->second.battles += b.battles;
  std::vector<LocationControl> out;
  for (auto& entry : by_loc) {
    LocationControl& c = entry.second;
    auto it = clans.find(entry.first);
    if (it == clans.end()) continue;
    std::vector<std::pair<std::string, std::int64_t>> ranked(it->second.begin(), it->second.end());  // by name
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    const auto share = [&c](const std::pair<std::string, std::int64_t>& x) {
      return ClanShare{x.first, x.second, static_cast<double>(x.second) / static_cast<double>(c.clan_participations)};
    };
    c.clans = static_cast<std::int64_t>(ranked.size());
    c.dominant = share(ranked[0]);
    if (ranked.size() > 1) c.runner_up = share(ranked[1]);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const LocationControl& a, const LocationControl& b) {
    if (a.dominant.participations != b.dominant.participations) return a.dominant.participations > b.dominant.participations;
    if (a.dominant.share != b.dominant.share) return a.dominant.share > b.dominant.share;
    return std::pair(a.loc_x, a.loc_y) < std::pair(b.loc_x, b.loc_y);
  });
  return out;
}

// ---- clan wars ----

Result<std::vector<ClanWar>> read_clan_wars(storage::Database& db, const TimeWindow& w) {
  const Value params[] = {Value{w.from}, Value{w.to}};
  // Both orders of a pair come back with the same count (the condition is symmetric); the pair is
  // ordered in C++, by bytes, rather than with the database's collation.
  auto rows = db.query(
      "SELECT a.clan, c.clan, COUNT(DISTINCT a.battle_id), MAX(b.ts) FROM battle_participants a"
      " JOIN battle_participants c ON c.battle_id = a.battle_id AND c.side <> a.side"
      " JOIN battles b ON b.battle_id = a.battle_id WHERE" +
          std::string(kWindow) +
          " AND a.clan IS NOT NULL AND c.clan IS NOT NULL AND a.clan <> '' AND c.clan <> '' AND a.clan <> c.clan"
          " GROUP BY a.clan, c.clan",
      params);
  if (!rows) return rows.error();
  std::vector<ClanWar> out;
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.text(1), r.integer(2), r.integer(3)});
  return order_clan_wars(std::move(out));
}

std::vector<ClanWar> order_clan_wars(std::vector<ClanWar> pairs) {
  std::erase_if(pairs, [](const ClanWar& w) { return !(w.clan1 < w.clan2); });
  std::sort(pairs.begin(), pairs.end(), [](const ClanWar& a, const ClanWar& b) {
    if (a.battles != b.battles) return a.battles > b.battles;
    return std::tie(a.clan1, a.clan2) < std::tie(b.clan1, b.clan2);
  });
  return pairs;
}

// ---- clan members ----

Result<std::vector<ClanMember>> read_clan_members(storage::Database& db, const TimeWindow& w, const std::string& clan) {
  const Value params[] = {Value{w.from}, Value{w.to}, Value{clan}};
  auto rows = db.query(
      "SELECT p.login_key, MIN(p.login), p.clan, COUNT(*), SUM(p.survived), MAX(b.ts)"
      " FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id WHERE" +
          std::string(kWindow) + " AND p.clan = ? GROUP BY p.login_key, p.clan",
      params);
  if (!rows) return rows.error();
  std::vector<ClanMember> out;
  for (const auto& r : rows->rows)
    // A case-insensitive collation (MySQL) also matches other spellings: keep the exact name only.
    if (r.text(2) == clan) out.push_back({r.text(0), r.text(1), r.integer(3), r.integer(4), r.integer(5)});
  order_clan_members(out);
  return out;
}

void order_clan_members(std::vector<ClanMember>& members) {
  std::sort(members.begin(), members.end(), [](const ClanMember& a, const ClanMember& b) {
    if (a.battles != b.battles) return a.battles > b.battles;
    if (a.last_ts != b.last_ts) return a.last_ts > b.last_ts;
    return a.login_key < b.login_key;
  });
}

// ---- resources ----

Result<std::vector<ResourceDay>> read_resource_days(storage::Database& db, std::int64_t first_day, std::int64_t days) {
  const Value params[] = {Value{first_day * 86400}, Value{(first_day + days) * 86400}};
  auto rows = db.query(
      "SELECT l.battle_ts - l.battle_ts % 86400, l.item_name, SUM(l.qty) FROM battle_loot l"
      " WHERE l.kind = 'resource' AND l.battle_ts IS NOT NULL AND l.battle_ts >= ? AND l.battle_ts < ?"
      " GROUP BY l.battle_ts - l.battle_ts % 86400, l.item_name",
      params);
  if (!rows) return rows.error();
  std::vector<ResourceDay> out;
  for (const auto& r : rows->rows) out.push_back({r.integer(0) / 86400, r.text(1), r.integer(2)});
  return out;
}

std::vector<ResourceDay> zero_filled(const std::vector<ResourceDay>& rows, std::int64_t first_day, std::int64_t days) {
  std::map<std::string, std::vector<std::int64_t>> series;
  for (const auto& r : rows) {
    if (r.day < first_day || r.day >= first_day + days) continue;
    auto& s = series[r.resource];
    s.resize(static_cast<std::size_t>(days));
    s[static_cast<std::size_t>(r.day - first_day)] += r.qty;
  }
  std::vector<ResourceDay> out;
  for (const auto& [name, qty] : series)
    for (std::int64_t d = 0; d < days; ++d) out.push_back({first_day + d, name, qty[static_cast<std::size_t>(d)]});
  return out;
}

std::vector<ResourcePoint> score_resource_days(const std::vector<ResourceDay>& filled, double threshold) {
  std::vector<ResourcePoint> out;
  for (std::size_t begin = 0; begin < filled.size();) {
    std::size_t end = begin;
    while (end < filled.size() && filled[end].resource == filled[begin].resource) ++end;
    const std::size_t n = end - begin;
    for (std::size_t i = begin; n >= 3 && i < end; ++i) {
      double sum = 0;
      for (std::size_t j = begin; j < end; ++j)
        if (j != i) sum += static_cast<double>(filled[j].qty);
      const double mean = sum / static_cast<double>(n - 1);
      double ss = 0;
      for (std::size_t j = begin; j < end; ++j)
        if (j != i) ss += (static_cast<double>(filled[j].qty) - mean) * (static_cast<double>(filled[j].qty) - mean);
      ResourcePoint p{filled[i].resource, filled[i].day, filled[i].qty, mean, std::sqrt(ss / static_cast<double>(n - 2)),
                      std::nullopt, false};
      const double q = static_cast<double>(p.qty);
      if (p.baseline_sd > 0) {
        p.z = (q - mean) / p.baseline_sd;
        p.is_anomaly = std::fabs(*p.z) > threshold;
      } else {
        p.is_anomaly = q != mean;
      }
      out.push_back(std::move(p));
    }
    begin = end;
  }
  return out;
}

void order_by_unusualness(std::vector<ResourcePoint>& points) {
  auto rank = [](const ResourcePoint& p) {
    if (!p.z) return p.is_anomaly ? std::numeric_limits<double>::infinity() : -1.0;
    return std::fabs(*p.z);
  };
  std::stable_sort(points.begin(), points.end(), [&rank](const ResourcePoint& a, const ResourcePoint& b) {
    const double x = rank(a), y = rank(b);
    if (x != y) return x > y;
    return std::tie(a.resource, a.day) < std::tie(b.resource, b.day);
  });
}

// ---- monsters ----

Result<std::vector<MonsterRow>> read_monster_breakdown(storage::Database& db, const TimeWindow& w,
                                                       std::optional<std::pair<std::int64_t, std::int64_t>> loc) {
  std::vector<Value> params{Value{w.from}, Value{w.to}};
  std::string sql = "SELECT m.kind, m.spec, SUM(m.count), COUNT(DISTINCT m.battle_id) FROM battle_monsters m"
                    " JOIN battles b ON b.battle_id = m.battle_id WHERE" +
                    std::string(kWindow);
  if (loc) {
    sql += " AND b.loc_x = ? AND b.loc_y = ?";
    params.push_back(Value{loc->first});
    params.push_back(Value{loc->second});
  }
  auto rows = db.query(sql + " GROUP BY m.kind, m.spec", params);
  if (!rows) return rows.error();
  std::vector<MonsterRow> out;
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.text(1), r.integer(2), r.integer(3)});
  order_monsters(out);
  return out;
}

void order_monsters(std::vector<MonsterRow>& rows) {
  std::sort(rows.begin(), rows.end(), [](const MonsterRow& a, const MonsterRow& b) {
    if (a.count != b.count) return a.count > b.count;
    return std::tie(a.kind, a.spec) < std::tie(b.kind, b.spec);
  });
}

Result<std::optional<MonsterStats>> read_monster_stats(storage::Database& db, const TimeWindow& w, const std::string& kind) {
  const Value kinds[] = {Value{kind}, Value{kind + "_spec"}};
  auto known = db.query("SELECT 1 FROM battle_monsters WHERE kind = ? OR kind = ? LIMIT 1", kinds);
  if (!known) return known.error();
  if (known->rows.empty()) return std::optional<MonsterStats>{};
  const Value params[] = {Value{w.from}, Value{w.to}, Value{kind}, Value{kind + "_spec"}};
  const std::string matching = " FROM battle_monsters m JOIN battles b ON b.battle_id = m.battle_id WHERE" +
                               std::string(kWindow) + " AND (m.kind = ? OR m.kind = ?)";
  MonsterStats s;
  s.kind = kind;
  auto variants = db.query("SELECT m.kind, m.spec, SUM(m.count), COUNT(DISTINCT m.battle_id)" + matching + " GROUP BY m.kind, m.spec",
                           params);
  if (!variants) return variants.error();
  for (const auto& r : variants->rows) s.variants.push_back({r.text(0), r.text(1), r.integer(2), r.integer(3)});
  std::sort(s.variants.begin(), s.variants.end(),
            [](const MonsterRow& a, const MonsterRow& b) { return std::tie(a.kind, a.spec) < std::tie(b.kind, b.spec); });
  auto totals = db.query("SELECT COUNT(DISTINCT m.battle_id), COALESCE(SUM(m.count), 0)" + matching, params);
  if (!totals) return totals.error();
  if (!totals->rows.empty()) {
    s.battles = totals->rows[0].integer(0);
    s.total_count = totals->rows[0].integer(1);
  }
  // IN, not a join: a battle with two variants of the kind counts its participants once.
  auto people = db.query("SELECT COUNT(*), COALESCE(SUM(p.survived), 0) FROM battle_participants p WHERE p.battle_id IN"
                         " (SELECT m.battle_id" + matching + ")",
                         params);
  if (!people) return people.error();
  if (!people->rows.empty()) {
    s.participations = people->rows[0].integer(0);
    s.survived = people->rows[0].integer(1);
  }
  return std::optional<MonsterStats>{std::move(s)};
}

// ---- stats ----

Result<GlobalStats> read_global_stats(storage::Database& db, const TimeWindow& w) {
  const Value params[] = {Value{w.from}, Value{w.to}};
  GlobalStats s;
  // Each table is summed on its own: no join multiplies a sum (the reference's marts did).
  auto battles = db.query(
      "SELECT COUNT(*), COALESCE(SUM(b.has_pvp), 0), COALESCE(SUM(b.has_monsters), 0),"
      " COALESCE(SUM(b.has_pvp * b.has_monsters), 0), COUNT(DISTINCT b.ts - b.ts % 86400),"
      " COALESCE(SUM(b.players_cnt), 0), COALESCE(SUM(b.monsters_cnt), 0) FROM battles b WHERE" +
          std::string(kWindow),
      params);
  if (!battles) return battles.error();
  if (!battles->rows.empty()) {
    const auto& r = battles->rows[0];
    s.battles = r.integer(0);
    s.pvp = r.integer(1);
    s.pve = r.integer(2);
    s.mixed = r.integer(3);
    s.active_days = r.integer(4);
    s.players_sum = r.integer(5);
    s.monsters_sum = r.integer(6);
  }
  auto people = db.query(
      "SELECT COUNT(*), COUNT(DISTINCT p.login_key), COUNT(DISTINCT CASE WHEN p.clan <> '' THEN p.clan END)"
      " FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id WHERE" +
          std::string(kWindow),
      params);
  if (!people) return people.error();
  if (!people->rows.empty()) {
    s.participations = people->rows[0].integer(0);
    s.unique_players = people->rows[0].integer(1);
    s.unique_clans = people->rows[0].integer(2);
  }
  auto loot = db.query(
      "SELECT COUNT(DISTINCT l.item_name), COALESCE(SUM(l.qty), 0), COUNT(DISTINCT l.battle_id) FROM battle_loot l"
      " WHERE l.kind = 'resource' AND l.battle_ts IS NOT NULL AND l.battle_ts >= ? AND l.battle_ts < ?",
      params);
  if (!loot) return loot.error();
  if (!loot->rows.empty()) {
    s.unique_resources = loot->rows[0].integer(0);
    s.resource_quantity = loot->rows[0].integer(1);
    s.resource_battles = loot->rows[0].integer(2);
  }
  return s;
}

}  // namespace tzr::antibot
