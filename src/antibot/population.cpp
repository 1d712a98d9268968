#include "antibot/population.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <random>

namespace tzr::antibot {
namespace {

constexpr double kDay = 86400, kHour = 3600, kMinute = 60;

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// One player's random stream with the distributions §12 names.
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : rng_(seed) {}
  double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }
  int integer(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng_); }
  bool chance(double p) { return uniform(0, 1) < p; }
  double normal(double mean, double sd) { return std::normal_distribution<double>(mean, sd)(rng_); }
  double lognormal(double median, double sigma) { return median * std::exp(normal(0, sigma)); }
  int poisson(double mean) { return mean <= 0 ? 0 : std::poisson_distribution<int>(mean)(rng_); }
  double beta(double a, double b) {
    const double x = std::gamma_distribution<double>(a, 1)(rng_), y = std::gamma_distribution<double>(b, 1)(rng_);
    return x / (x + y);
  }
  std::size_t weighted(const std::vector<double>& weights) {
    return std::discrete_distribution<std::size_t>(weights.begin(), weights.end())(rng_);
  }
  // Battle duration: LogNormal(median 60 s, σ 0.5) clipped to [8, 900] s.
  double duration() { return std::clamp(lognormal(60, 0.5), 8.0, 900.0); }

 private:
  std::mt19937_64 rng_;
};

// How a player's battles look apart from timing.
struct GameStyle {
  double kills_monsters = 6;
  double survival = 0.85;
  std::vector<std::pair<std::int32_t, std::int32_t>> places;
  std::vector<double> weights;
};

void zipf_places(Draw& d, GameStyle& s) {
  const int n = d.integer(5, 20);
  for (int i = 0; i < n; ++i) {
    s.places.push_back({d.integer(1, 200), d.integer(1, 200)});
    s.weights.push_back(1.0 / std::pow(i + 1, 1.2));
  }
}

GameStyle human_style(Draw& d, Archetype a) {
  GameStyle s;
  switch (a) {
    case Archetype::H2:
      s.kills_monsters = 15;
      s.survival = d.beta(99, 1);
      break;
    case Archetype::H3:
      s.kills_monsters = 4;
      s.survival = d.beta(6, 4);
      break;
    default:
      s.kills_monsters = 6;
      s.survival = d.beta(17, 3);
  }
  zipf_places(d, s);
  return s;
}

GameStyle bot_style(Draw& d) {
  if (d.chance(0.3)) return human_style(d, Archetype::H2);  // game stats alone cannot tell
  GameStyle s;
  s.kills_monsters = 14;
  s.survival = 0.99;
  const int n = d.integer(1, 3);
  for (int i = 0; i < n; ++i) {
    s.places.push_back({d.integer(1, 200), d.integer(1, 200)});
    s.weights.push_back(1);
  }
  return s;
}

// Appends battles to one player's history: times in seconds (truncated to whole seconds like t2).
class Timeline {
 public:
  Timeline(Draw& d, const GameStyle& style, std::int64_t first_id, std::vector<PlayerBattle>& out)
      : d_(d), style_(style), next_id_(first_id), out_(out) {}

  PlayerBattle& add(double start, double end) {
    PlayerBattle b;
    b.battle_id = next_id_++;
    b.start_ts = static_cast<std::int64_t>(std::floor(start));
    b.end_ts = static_cast<std::int64_t>(std::floor(end));
    const auto& place = style_.places[d_.weighted(style_.weights)];
    b.loc_x = place.first;
    b.loc_y = place.second;
    b.kills_monsters = d_.poisson(style_.kills_monsters);
    b.survived = d_.chance(style_.survival);
    b.loot = d_.poisson(0.3 * b.kills_monsters);
    out_.push_back(b);
    return out_.back();
  }
  // Battles from start until the next one would end after stop; returns the last end (or start).
  double session(double start, double stop, const std::function<double()>& idle) {
    double t = start, last_end = start;
    for (;;) {
      const double dur = d_.duration();
      if (t + dur > stop) return last_end;
      add(t, t + dur);
      last_end = t + dur;
      t = last_end + idle();
    }
  }

 private:
  Draw& d_;
  const GameStyle& style_;
  std::int64_t next_id_;
  std::vector<PlayerBattle>& out_;
};

struct HumanSchedule {
  double day_p, weekend_p;
  double extra_sessions;  // 1 + Poisson(extra); < 0: 1 or 2 uniformly
  double start_mean, start_sd;
  double length_median_h, length_sigma;
};

HumanSchedule schedule_of(Archetype a) {
  switch (a) {
    case Archetype::H2: return {0.85, 0.85, 1.0, 18, 3, 2.5, 0.4};
    case Archetype::H3: return {0.6, 0.6, 0.6, 21, 2, 1.5, 0.5};
    case Archetype::H4: return {0.7, 0.7, -1, 3, 1.5, 2, 0.5};
    case Archetype::H5: return {0.3, 1.0, 0, 14, 2, 0.75, 0.6};
    default: return {0.45, 0.45, 0.4, 20, 2.5, 0.75, 0.6};
  }
}

std::function<double()> human_idle(Draw& d, Archetype a) {
  switch (a) {
    case Archetype::H2: return [&d] { return d.lognormal(20, 0.6) + (d.chance(0.01) ? d.uniform(5, 25) * kMinute : 0); };
    case Archetype::H3: return [&d] { return d.lognormal(90, 0.8); };
    case Archetype::H5: return [&d] { return d.lognormal(45, 0.5) + (d.chance(0.02) ? d.uniform(3, 4.9) * kMinute : 0); };
    default: return [&d] { return d.lognormal(40, 0.9) + (d.chance(0.05) ? d.uniform(5, 25) * kMinute : 0); };
  }
}

void play_human(Draw& d, Archetype a, int tz, const PopulationOptions& o, Timeline& line) {
  const auto s = schedule_of(a);
  const auto idle = human_idle(d, a);
  double busy_until = 0;
  for (int day = 0; day < o.days; ++day) {
    const bool weekend = (3 + day) % 7 >= 5;  // day 0 is a Wednesday (ISO 3); Saturday = 6, Sunday = 7
    if (!d.chance(weekend ? s.weekend_p : s.day_p)) continue;
    const int sessions = s.extra_sessions < 0 ? d.integer(1, 2) : 1 + d.poisson(s.extra_sessions);
    std::vector<std::pair<double, double>> plan;
    for (int i = 0; i < sessions; ++i) {
      const double local = std::fmod(std::fmod(d.normal(s.start_mean, s.start_sd), 24) + 24, 24);
      double hours = d.lognormal(s.length_median_h, s.length_sigma);
      if (a == Archetype::H5 && weekend) hours = d.uniform(4, 8);
      const double start = static_cast<double>(o.start_unix) + day * kDay + (local - tz) * kHour;
      plan.push_back({start, hours * kHour});
    }
    std::sort(plan.begin(), plan.end());
    for (auto [start, length] : plan) {
      start = std::max(start, busy_until + idle());
      busy_until = std::max(busy_until, line.session(start, start + length, idle));
    }
  }
}

// B1: around the clock, one restart pause a day at a fixed UTC hour.
void play_farmer(Draw& d, double from, double to, Timeline& line) {
  const double restart_hour = d.integer(0, 23);
  double next_restart = std::floor(from / kDay) * kDay + restart_hour * kHour;
  if (next_restart < from) next_restart += kDay;
  double t = from + d.uniform(0, kHour);
  while (t < to) {
    if (t >= next_restart) {
      t = std::max(t, next_restart + d.uniform(5, 15) * kMinute);
      next_restart += kDay;
    }
    const double dur = d.duration();
    line.add(t, t + dur);
    t += dur + 2 + d.uniform(0, 1);
  }
}

// B2: the same window [h0, h0 + L) every day; B5 the same with 1–2 h and a fixed 3 s delay.
void play_scheduled(Draw& d, const PopulationOptions& o, double hours, const std::function<double()>& idle,
                    Timeline& line) {
  const double h0 = d.integer(0, 23);
  for (int day = 0; day < o.days; ++day) {
    const double start = static_cast<double>(o.start_unix) + day * kDay + h0 * kHour;
    line.session(start, start + hours * kHour, idle);
  }
}

// B3: work blocks of 60–150 min, breaks of 6–20 min, one 4–7 h downtime a day at a random hour.
void play_humanised(Draw& d, const PopulationOptions& o, Timeline& line) {
  std::vector<std::pair<double, double>> downtimes;
  for (int day = 0; day <= o.days; ++day) {
    const double start = static_cast<double>(o.start_unix) + day * kDay + d.uniform(0, 24) * kHour;
    downtimes.push_back({start, start + d.uniform(4, 7) * kHour});
  }
  const double to = static_cast<double>(o.start_unix) + o.days * kDay;
  double t = static_cast<double>(o.start_unix) + d.uniform(0, kHour);
  double block_end = t + d.uniform(60, 150) * kMinute;
  std::size_t next_down = 0;
  while (t < to) {
    while (next_down < downtimes.size() && downtimes[next_down].second <= t) ++next_down;
    const double dur = d.duration();
    if (next_down < downtimes.size() && t + dur > downtimes[next_down].first) {
      t = downtimes[next_down].second;
      block_end = t + d.uniform(60, 150) * kMinute;
      continue;
    }
    if (t + dur > block_end) {
      t = block_end + d.uniform(6, 20) * kMinute;
      block_end = t + d.uniform(60, 150) * kMinute;
      continue;
    }
    line.add(t, t + dur);
    t += dur + d.lognormal(25, 0.5);
  }
}

void play_bot(Draw& d, Archetype a, const PopulationOptions& o, Timeline& line, std::vector<PlayerBattle>& out) {
  const double from = static_cast<double>(o.start_unix), to = from + o.days * kDay;
  const double length = std::array<double, 3>{6, 8, 12}[static_cast<std::size_t>(d.integer(0, 2))];
  auto short_idle = [&d] { return d.uniform(1, 4); };
  switch (a) {
    case Archetype::B1: play_farmer(d, from, to, line); break;
    case Archetype::B2: play_scheduled(d, o, length, short_idle, line); break;
    case Archetype::B3: play_humanised(d, o, line); break;
    case Archetype::B4: {
      if (d.chance(0.5))
        play_farmer(d, from, to, line);
      else
        play_scheduled(d, o, length, short_idle, line);
      // A second client: for a share q of battles another battle ends in the same second.
      const double q = d.uniform(0.2, 0.5);
      const auto base = out.size();
      for (std::size_t i = 0; i < base; ++i)
        if (d.chance(q)) {
          const double end = static_cast<double>(out[i].end_ts) + 0.5;
          line.add(end - d.duration(), end);
        }
      break;
    }
    case Archetype::B5: play_scheduled(d, o, d.uniform(1, 2), [] { return 3.0; }, line); break;
    default: break;
  }
}

// Archetype counts by the §12 shares, largest remainder first.
std::vector<Archetype> mix(int players, double bot_share) {
  const int bots = static_cast<int>(std::lround(players * bot_share));
  auto split = [](int total, const std::vector<std::pair<Archetype, double>>& shares, std::vector<Archetype>& out) {
    std::vector<std::pair<double, Archetype>> rest;
    int given = 0;
    for (auto [a, share] : shares) {
      const double exact = total * share;
      const int whole = static_cast<int>(std::floor(exact));
      out.insert(out.end(), static_cast<std::size_t>(whole), a);
      given += whole;
      rest.push_back({exact - whole, a});
    }
    std::stable_sort(rest.begin(), rest.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    for (int i = 0; i < total - given; ++i) out.push_back(rest[static_cast<std::size_t>(i)].second);
  };
  std::vector<Archetype> out;
  split(players - bots,
        {{Archetype::H1, 0.35}, {Archetype::H2, 0.20}, {Archetype::H3, 0.20}, {Archetype::H4, 0.10},
         {Archetype::H5, 0.10}, {Archetype::H6, 0.05}},
        out);
  split(bots,
        {{Archetype::B1, 0.25}, {Archetype::B2, 0.25}, {Archetype::B3, 0.20}, {Archetype::B4, 0.15}, {Archetype::B5, 0.15}},
        out);
  return out;
}

// §12.5: half of the H3 battles get a second H3 player who is idle at that moment.
void link_shared_battles(std::vector<SyntheticPlayer>& players, std::uint64_t seed) {
  struct Slot {
    std::size_t player, index;
  };
  std::map<std::int64_t, std::vector<Slot>> by_hour;
  std::vector<std::size_t> h3;
  for (std::size_t p = 0; p < players.size(); ++p)
    if (players[p].archetype == Archetype::H3) {
      h3.push_back(p);
      for (std::size_t i = 0; i < players[p].battles.size(); ++i)
        by_hour[players[p].battles[i].start_ts / 3600].push_back({p, i});
    }
  Draw d(splitmix(seed ^ 0x5eedull));
  std::vector<std::vector<bool>> linked(players.size());
  for (auto p : h3) linked[p].assign(players[p].battles.size(), false);
  for (auto p : h3) {
    for (std::size_t i = 0; i < players[p].battles.size(); ++i) {
      if (linked[p][i] || !d.chance(0.5)) continue;
      auto& host = players[p].battles[i];
      const auto it = by_hour.find(host.start_ts / 3600);
      if (it == by_hour.end()) continue;
      for (const auto& slot : it->second) {
        if (slot.player == p || linked[slot.player][slot.index]) continue;
        auto& list = players[slot.player].battles;
        // The partner must be free for the whole battle: between its neighbours' battles.
        const bool free_before = slot.index == 0 || list[slot.index - 1].end_ts < host.start_ts;
        const bool free_after = slot.index + 1 == list.size() || list[slot.index + 1].start_ts > host.end_ts;
        if (!free_before || !free_after) continue;
        const bool opposite = d.chance(0.8);
        auto& guest = list[slot.index];
        guest = host;  // the same battle row: id, times, place
        guest.survived = d.chance(0.6);
        host.pvp = guest.pvp = opposite;
        host.kills_players = opposite ? d.poisson(1.5) : 0;
        guest.kills_players = opposite ? d.poisson(1.5) : 0;
        linked[p][i] = linked[slot.player][slot.index] = true;
        break;
      }
    }
  }
}

}  // namespace

std::string_view archetype_code(Archetype a) {
  static constexpr std::array<std::string_view, kArchetypeCount> codes{"H1", "H2", "H3", "H4", "H5", "H6",
                                                                       "B1", "B2", "B3", "B4", "B5"};
  return codes[static_cast<std::size_t>(a)];
}

std::string_view archetype_difficulty(Archetype a) {
  static constexpr std::array<std::string_view, kArchetypeCount> levels{
      "easy", "trap", "easy", "medium", "trap", "trap", "easy", "medium", "hard", "easy", "medium"};
  return levels[static_cast<std::size_t>(a)];
}

bool archetype_is_bot(Archetype a) { return a >= Archetype::B1; }

Population generate_population(const PopulationOptions& options) {
  Population pop;
  pop.options = options;
  auto archetypes = mix(options.players, options.bot_share);
  std::mt19937_64 order(splitmix(options.seed));
  std::shuffle(archetypes.begin(), archetypes.end(), order);
  static constexpr std::array<int, 8> zones{2, 3, 3, 3, 4, 5, 7, 10};

  for (std::size_t i = 0; i < archetypes.size(); ++i) {
    SyntheticPlayer p;
    p.id = static_cast<std::int64_t>(i) + 1;
    char login[32];
    std::snprintf(login, sizeof login, "player%05lld", static_cast<long long>(p.id));
    p.login = login;
    p.archetype = archetypes[i];
    Draw d(splitmix(options.seed * 0x100000001b3ull + i));
    p.tz_hours = zones[static_cast<std::size_t>(d.integer(0, 7))];
    const GameStyle style = archetype_is_bot(p.archetype) ? bot_style(d) : human_style(d, p.archetype);
    Timeline line(d, style, p.id * 10'000'000, p.battles);
    if (archetype_is_bot(p.archetype))
      play_bot(d, p.archetype, options, line, p.battles);
    else
      play_human(d, p.archetype, p.tz_hours, options, line);
    std::sort(p.battles.begin(), p.battles.end(),
              [](const PlayerBattle& a, const PlayerBattle& b) { return a.end_ts < b.end_ts; });
    pop.players.push_back(std::move(p));
  }
  link_shared_battles(pop.players, options.seed);

  Draw world(splitmix(options.seed ^ 0xbadc0ffeeull));
  const std::int64_t outage = options.start_unix + world.integer(0, std::max(0, options.days - 1)) * 86400 +
                              world.integer(0, 23) * 3600;
  for (std::size_t i = 0; i < pop.players.size(); ++i) {
    auto& p = pop.players[i];
    if (options.nuisances)
      std::erase_if(p.battles, [&](const PlayerBattle& b) {
        const bool lost = splitmix(options.seed ^ static_cast<std::uint64_t>(b.battle_id)) % 100 == 0;
        return lost || (b.end_ts >= outage && b.end_ts < outage + 6 * 3600);
      });
    std::erase_if(p.battles, [&](const PlayerBattle& b) {
      return b.end_ts < options.start_unix || b.end_ts >= pop.window_end();
    });
    if (p.archetype == Archetype::H6) {
      // Ingest duplicates: the same record again under a new battle id.
      Draw d(splitmix(options.seed * 31 + i));
      const double share = d.uniform(0.10, 0.15);
      const auto n = p.battles.size();
      for (std::size_t k = 0; k < n; ++k)
        if (d.chance(share)) {
          auto copy = p.battles[k];
          copy.battle_id += 5'000'000;
          p.battles.push_back(copy);
        }
      std::sort(p.battles.begin(), p.battles.end(),
                [](const PlayerBattle& a, const PlayerBattle& b) { return a.end_ts < b.end_ts; });
    }
  }
  return pop;
}

}  // namespace tzr::antibot
