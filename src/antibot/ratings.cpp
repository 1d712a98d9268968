#include "antibot/ratings.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

namespace tzr::antibot {
namespace {

using storage::Value;

constexpr std::string_view kWindow = " b.ts IS NOT NULL AND b.ts >= ? AND b.ts < ?";

bool is_human(const RatedPlayer& p) { return !p.login.empty() && p.login.front() != '$'; }

// Battles by (end, id); inside each, players by login key and monsters by kind, so that sums of
// ratings run in one order whatever order the database returned the rows in.
void by_end_time(std::vector<RatedBattle>& battles) {
  std::sort(battles.begin(), battles.end(),
            [](const RatedBattle& a, const RatedBattle& b) { return std::tie(a.end_ts, a.battle_id) < std::tie(b.end_ts, b.battle_id); });
  for (auto& b : battles) {
    std::stable_sort(b.players.begin(), b.players.end(), [](const RatedPlayer& x, const RatedPlayer& y) { return x.login_key < y.login_key; });
    std::stable_sort(b.monsters.begin(), b.monsters.end(),
                     [](const EncounterMonsters& x, const EncounterMonsters& y) { return std::tie(x.kind, x.side) < std::tie(y.kind, y.side); });
  }
}

// The players of a ladder, created at the initial rating on first sight.
class Roster {
 public:
  explicit Roster(const EloOptions& o) : o_(o) {}
  std::size_t index(const RatedPlayer& p) {
    auto [it, added] = index_.try_emplace(p.login_key, players_.size());
    if (added) {
      PlayerRating r;
      r.login_key = p.login_key;
      r.login = p.login;
      r.elo = r.peak = o_.initial;
      players_.push_back(std::move(r));
    }
    return it->second;
  }
  PlayerRating& at(std::size_t i) { return players_[i]; }
  // outcome: > 0.5 a win, < 0.5 a loss, else a draw.
  void apply(std::size_t i, double delta, double outcome, std::int64_t ts) {
    auto& r = players_[i];
    r.elo += delta;
    r.peak = std::max(r.peak, r.elo);
    ++r.battles;
    if (outcome > 0.5) ++r.wins;
    else if (outcome < 0.5) ++r.losses;
    else ++r.draws;
    r.last_ts = ts;
    r.history.push_back(r.elo);
    if (r.history.size() > o_.history_points) r.history.erase(r.history.begin());
  }
  std::vector<PlayerRating> ranked() && {
    std::sort(players_.begin(), players_.end(), [](const PlayerRating& a, const PlayerRating& b) {
      if (a.elo != b.elo) return a.elo > b.elo;
      return a.login_key < b.login_key;
    });
    return std::move(players_);
  }

 private:
  const EloOptions& o_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<PlayerRating> players_;
};

// The battle's humans, each login once (the first row wins).
std::vector<const RatedPlayer*> humans_of(const RatedBattle& b) {
  std::set<std::string> seen;
  std::vector<const RatedPlayer*> out;
  for (const auto& p : b.players)
    if (is_human(p) && seen.insert(p.login_key).second) out.push_back(&p);
  return out;
}

}  // namespace

double expected_score(double rating, double opponent) { return 1.0 / (1.0 + std::pow(10.0, (opponent - rating) / 400.0)); }

Ladder rate_pvp(std::vector<RatedBattle> battles, const EloOptions& options) {
  by_end_time(battles);
  Roster roster(options);
  Ladder out;
  for (const auto& b : battles) {
    struct Side {
      std::vector<std::size_t> members;
      double mean = 0;
      bool stands = false;  // one of its humans survived
    };
    const auto humans = humans_of(b);
    std::set<std::int64_t> side_ids;
    for (const RatedPlayer* p : humans) side_ids.insert(p->side);
    if (side_ids.size() < 2) {  // its players are not put on the ladder by this battle
      ++out.battles_skipped;
      continue;
    }
    std::map<std::int64_t, Side> sides;
    for (const RatedPlayer* p : humans) {
      auto& s = sides[p->side];
      s.members.push_back(roster.index(*p));
      s.stands = s.stands || p->survived;
    }
    for (auto& [id, s] : sides) {
      double sum = 0;
      for (auto i : s.members) sum += roster.at(i).elo;
      s.mean = sum / static_cast<double>(s.members.size());
    }
    // Every update is computed from the ratings before the battle, then applied.
    struct Update {
      std::size_t player;
      double delta, outcome;
    };
    std::vector<Update> updates;
    const double opponents = static_cast<double>(sides.size() - 1);
    for (const auto& [id, own] : sides)
      for (auto i : own.members) {
        double gain = 0, score = 0;
        for (const auto& [other_id, other] : sides) {
          if (other_id == id) continue;
          const double s = own.stands == other.stands ? 0.5 : own.stands ? 1.0 : 0.0;
          gain += s - expected_score(roster.at(i).elo, other.mean);
          score += s;
        }
        updates.push_back({i, options.k * gain / opponents, score / opponents});
      }
    for (const auto& u : updates) roster.apply(u.player, u.delta, u.outcome, b.end_ts);
    ++out.battles_rated;
  }
  out.players = std::move(roster).ranked();
  return out;
}

Ladder rate_pve(std::vector<RatedBattle> battles, const EloOptions& options) {
  by_end_time(battles);
  Roster roster(options);
  std::map<std::string, MonsterRating> kinds;
  Ladder out;
  for (const auto& b : battles) {
    const auto humans = humans_of(b);
    std::set<std::int64_t> human_sides;
    for (const RatedPlayer* p : humans) human_sides.insert(p->side);
    // The opponents: monster groups on a side without humans, summed per kind.
    std::map<std::string, std::int64_t> against;
    std::int64_t total = 0;
    for (const auto& m : b.monsters)
      if (m.count > 0 && !human_sides.count(m.side)) {
        against[m.kind] += m.count;
        total += m.count;
      }
    if (humans.empty() || total == 0) {
      ++out.battles_skipped;
      continue;
    }
    double weighted = 0;
    for (const auto& [kind, n] : against) {
      auto [it, added] = kinds.try_emplace(kind, MonsterRating{kind, options.initial, 0});
      weighted += it->second.elo * static_cast<double>(n);
    }
    const double per_human = static_cast<double>(total) / static_cast<double>(humans.size());
    const double encounter = weighted / static_cast<double>(total) + 400.0 * std::log10(std::max(1.0, per_human));
    std::vector<std::size_t> ids;
    for (const RatedPlayer* p : humans) ids.push_back(roster.index(*p));
    double monsters_gain = 0;
    std::vector<double> deltas;
    for (std::size_t j = 0; j < humans.size(); ++j) {
      const double e = expected_score(roster.at(ids[j]).elo, encounter), s = humans[j]->survived ? 1.0 : 0.0;
      deltas.push_back(options.k * (s - e));
      monsters_gain += e - s;
    }
    for (std::size_t j = 0; j < humans.size(); ++j) roster.apply(ids[j], deltas[j], humans[j]->survived ? 1.0 : 0.0, b.end_ts);
    for (const auto& [kind, n] : against) {
      auto& k = kinds[kind];
      k.elo += options.monster_k * monsters_gain / static_cast<double>(humans.size());
      ++k.battles;
    }
    ++out.battles_rated;
  }
  out.players = std::move(roster).ranked();
  for (auto& [kind, k] : kinds) out.monsters.push_back(std::move(k));
  std::sort(out.monsters.begin(), out.monsters.end(), [](const MonsterRating& a, const MonsterRating& b) {
    if (a.elo != b.elo) return a.elo > b.elo;
    return a.kind < b.kind;
  });
  return out;
}

namespace {

Result<std::map<std::int64_t, RatedBattle>> read_participants(storage::Database& db, const TimeWindow& w, std::string_view kind) {
  const Value params[] = {Value{w.from}, Value{w.to}};
  auto rows = db.query("SELECT b.battle_id, b.ts, p.login_key, p.login, p.side, p.survived"
                       " FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id WHERE" +
                           std::string(kWindow) + std::string(kind),
                       params);
  if (!rows) return rows.error();
  std::map<std::int64_t, RatedBattle> out;
  for (const auto& r : rows->rows) {
    auto& b = out[r.integer(0)];
    b.battle_id = r.integer(0);
    b.end_ts = r.integer(1);
    b.players.push_back({r.text(2), r.text(3), r.integer(4), r.integer(5) != 0});
  }
  return out;
}

std::vector<RatedBattle> values_of(std::map<std::int64_t, RatedBattle>&& m) {
  std::vector<RatedBattle> out;
  out.reserve(m.size());
  for (auto& [id, b] : m) out.push_back(std::move(b));
  return out;
}

}  // namespace

Result<std::vector<RatedBattle>> read_pvp_battles(storage::Database& db, const TimeWindow& w) {
  auto battles = read_participants(db, w, " AND b.has_pvp = 1");
  if (!battles) return battles.error();
  return values_of(std::move(*battles));
}

Result<std::vector<RatedBattle>> read_pve_battles(storage::Database& db, const TimeWindow& w) {
  constexpr std::string_view kPve = " AND b.has_monsters = 1 AND b.has_pvp = 0";
  auto battles = read_participants(db, w, kPve);
  if (!battles) return battles.error();
  const Value params[] = {Value{w.from}, Value{w.to}};
  auto rows = db.query("SELECT m.battle_id, m.kind, m.side, SUM(m.count) FROM battle_monsters m"
                       " JOIN battles b ON b.battle_id = m.battle_id WHERE" +
                           std::string(kWindow) + std::string(kPve) + " GROUP BY m.battle_id, m.kind, m.side",
                       params);
  if (!rows) return rows.error();
  for (const auto& r : rows->rows)
    if (auto it = battles->find(r.integer(0)); it != battles->end())
      it->second.monsters.push_back({r.text(1), r.integer(2), r.integer(3)});
  return values_of(std::move(*battles));
}

}  // namespace tzr::antibot
