#include "battles/synth.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace tzr::battles {
namespace {

using Rng = std::mt19937_64;

constexpr std::array<std::string_view, 12> kClans = {"StalkerZ", "TAKANO", "Wolves", "ЭЛИТА", "Nomads", "Техноложка",
                                                     "RedStar", "Sentinels", "Ravens", "Мародёры", "Phoenix", "Outcasts"};
constexpr std::array<std::string_view, 16> kNameParts = {"Amigo", "Killer", "Ghost", "Helga", "Rex", "Vortex", "Lynx", "Doc",
                                                         "помор", "Киллер", "Сталкер", "Тень", "Zed", "Nova", "Bison", "Fox"};
struct MonsterKind {
  std::string_view prefix;
  int min_level, max_level, hp;
  std::array<std::string_view, 2> parts;
};
constexpr std::array<MonsterKind, 8> kMonsters = {{{"rat", 8, 18, 60, {"Rat Fang", "Rat Skin"}},
                                                   {"sti", 12, 20, 90, {"Stich Claw", "Stich Blood"}},
                                                   {"vzz", 10, 22, 70, {"Vzzik Wings", "Vzzik Shell Powder"}},
                                                   {"scr", 14, 24, 110, {"Rat Brain", "Rat Eyes"}},
                                                   {"std", 16, 26, 130, {"WitchJelly Acid", "WitchJelly Enzyme"}},
                                                   {"dog", 6, 14, 50, {"Rat Skin", "Rat Eyes"}},
                                                   {"zmb", 18, 28, 150, {"Cursed Paw", "Cursed Skin"}},
                                                   {"gek", 9, 16, 55, {"Stich Meat", "Stich Skin"}}}};
constexpr std::array<std::string_view, 8> kResources = {"Metals", "Gems", "Organic", "Polymers", "Silicon", "Venom",
                                                        "Precious metals", "Radioactive materials"};
constexpr std::array<std::string_view, 4> kOther = {"Antidote", "Medkit", "Scorp Tail M", "Grenade F-1"};
constexpr std::array<std::string_view, 5> kFields = {"A", "B", "C", "D", "A"};

struct Player {
  std::string login;
  int level, pro, gender, side_pref;
  std::string clan;
  double rank_points;
  std::int64_t pve_points;
  int home_x, home_y;
  int active_from, active_hours;  // daily schedule (UTC hours)
  bool bot;
};

struct Plan {
  std::int64_t ts;     // end (BATTLE@t2)
  std::int64_t start;  // note[2]: ts − 96…383 s
  std::vector<std::size_t> side1, side2;  // player indices
  int x, y;
};

int uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
bool chance(Rng& rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

std::vector<Player> make_players(int n, Rng& rng) {
  std::vector<Player> players;
  for (int i = 0; i < n; ++i) {
    Player p;
    p.login = std::string(kNameParts[static_cast<std::size_t>(uniform(rng, 0, kNameParts.size() - 1))]) + std::to_string(i + 1);
    p.level = uniform(rng, 4, 22);
    p.pro = uniform(rng, 0, 17);
    p.gender = uniform(rng, 0, 1);
    p.side_pref = 1;
    if (chance(rng, 0.7)) p.clan = kClans[static_cast<std::size_t>(uniform(rng, 0, kClans.size() - 1))];
    p.rank_points = uniform(rng, 0, 9999) / 10.0;
    p.pve_points = uniform(rng, 0, 900000);
    p.home_x = uniform(rng, -50, 50);
    p.home_y = uniform(rng, -50, 50);
    p.bot = chance(rng, 0.05);
    p.active_from = uniform(rng, 0, 23);
    p.active_hours = p.bot ? 20 : uniform(rng, 1, 6);
    players.push_back(std::move(p));
  }
  return players;
}

// One tag written with its attributes in the given or a random order.
class Tag {
 public:
  Tag(std::string& out, Rng* shuffle, std::string_view name) : out_(out), shuffle_(shuffle) {
    out_ += '<';
    out_ += name;
  }
  Tag& a(std::string_view k, std::string_view v) {
    attrs_.emplace_back(k, std::string(v));
    return *this;
  }
  Tag& a(std::string_view k, std::int64_t v) { return a(k, std::to_string(v)); }
  void close(bool self_closing) {
    if (shuffle_) std::shuffle(attrs_.begin(), attrs_.end(), *shuffle_);
    for (const auto& [k, v] : attrs_) {
      out_ += ' ';
      out_ += k;
      out_ += "=\"";
      out_ += v;  // synthetic values never need escaping
      out_ += '"';
    }
    out_ += self_closing ? "/>\n" : ">\n";
  }

 private:
  std::string& out_;
  Rng* shuffle_;  // its own generator, so shuffling leaves the battle's content unchanged
  std::vector<std::pair<std::string_view, std::string>> attrs_;
};

std::string hp_string(Rng& rng, int& damage) {
  const int roll = uniform(rng, 0, 99);
  damage = uniform(rng, 8, 60);
  if (roll < 55) return "0:" + std::to_string(damage);
  if (roll < 70) return "1:" + std::to_string(damage);
  if (roll < 80) return "2:" + std::to_string(damage);
  if (roll < 88) return std::to_string(damage);
  static constexpr std::array<std::string_view, 5> codes = {"N", "H", "O", "P", "Z"};
  const std::string code(codes[static_cast<std::size_t>(uniform(rng, 0, 4))]);
  if (roll < 95) return "0:" + std::to_string(damage) + ":" + code + std::to_string(uniform(rng, 1, 9));
  damage = 0;  // a DoT tick does not lower HP
  return "0:A" + std::to_string(uniform(rng, 1, 12));
}

struct Fighter {
  std::string login;
  int side;
  int hp;
  bool monster;
  bool alive = true;
};

std::string render(const SynthOptions& o, Rng& rng, Rng& shuffle_rng, const std::vector<Player>& players, const Plan& plan,
                   std::int64_t id) {
  std::string s;
  s.reserve(8192);
  Rng* sh = o.shuffle_attributes ? &shuffle_rng : nullptr;
  const int turns = uniform(rng, 2, 10);
  const std::int64_t start = plan.start;
  if (o.wrap) s += "<BLOOK>";
  std::string note = std::to_string(plan.x) + "," + std::to_string(plan.y) + "," + std::to_string(start);
  Tag(s, sh, "BATTLE").a("t", "40").a("t2", plan.ts).a("new_battle", "1").a("turn", turns)
      .a("f", kFields[static_cast<std::size_t>(uniform(rng, 0, 4))]).a("note", note).close(false);
  // The map is one of a few templates, so map ids repeat across sectors (battles.md §1.4).
  const int tmpl = uniform(rng, 0, 5);
  for (int r = 0; r < 6; ++r) {
    std::string row(24, 'A');
    for (int c = 0; c < 24; ++c)
      if ((c * 7 + r * 3 + tmpl * 5) % 11 == 0) row[static_cast<std::size_t>(c)] = "BDLR"[(c + r + tmpl) % 4];
    Tag(s, sh, "MAP").a("v", row).close(true);
  }
  struct Item { std::int64_t id; std::string name; int count; };
  std::vector<Item> items;
  const int n_items = uniform(rng, 0, 4);
  for (int i = 0; i < n_items; ++i) {
    const bool res = chance(rng, 0.7);
    std::string name(res ? kResources[static_cast<std::size_t>(uniform(rng, 0, kResources.size() - 1))]
                         : kOther[static_cast<std::size_t>(uniform(rng, 0, kOther.size() - 1))]);
    items.push_back(Item{id * 10 + i, name, uniform(rng, 1, 20)});
    Tag(s, sh, "O").a("id", items.back().id).a("txt", name).a("count", items.back().count)
        .a("bx", uniform(rng, 1, 40)).a("by", uniform(rng, 1, 24)).close(true);
  }
  std::vector<Fighter> fighters;
  auto add_player = [&](std::size_t idx, int side) {
    const Player& p = players[idx];
    const bool late = chance(rng, 0.05);
    Tag t(s, sh, "USER");
    if (late) t.a("sf", uniform(rng, 20, 60));
    t.a("login", p.login).a("level", p.level).a("pro", p.pro);
    if (!p.clan.empty()) t.a("clan", p.clan);
    char rank[32];
    std::snprintf(rank, sizeof rank, "%.1f", p.rank_points);
    t.a("side", side).a("rank_points", rank).a("pve_points", p.pve_points).a("man", p.gender).a("battleid", id)
        .a("HP", 100 + p.level * 20).a("maxHP", 100 + p.level * 20).a("bx", uniform(rng, 1, 40)).a("by", uniform(rng, 1, 24));
    t.close(false);
    Tag(s, sh, "O").a("id", uniform(rng, 100000, 999999)).a("name", "b5-v" + std::to_string(uniform(rng, 1, 40))).a("slot", "GH").close(true);
    s += "</USER>\n";
    fighters.push_back(Fighter{p.login, side, 100 + p.level * 20, false});
  };
  for (auto i : plan.side1) add_player(i, 1);
  for (auto i : plan.side2) add_player(i, plan.side1.empty() ? 1 : 2);
  const bool pve = plan.side2.empty() || chance(rng, 0.2);
  if (pve) {
    const auto& kind = kMonsters[static_cast<std::size_t>(uniform(rng, 0, kMonsters.size() - 1))];
    const int n = uniform(rng, 1, 8);
    for (int m = 0; m < n; ++m) {
      const bool special = chance(rng, 0.15);
      std::string login = "$" + std::string(kind.prefix) + std::to_string(uniform(rng, 1, 99));
      if (special) login += "_" + std::to_string(m);
      // Unique logins: suffix the index when the name repeats.
      for (const auto& f : fighters)
        if (f.login == login) login += "x" + std::to_string(m);
      Tag t(s, sh, "USER");
      t.a("login", login).a("level", uniform(rng, kind.min_level, kind.max_level)).a("side", plan.side2.empty() ? 2 : 3);
      if (special) t.a("def", uniform(rng, 1, 5));
      t.a("HP", kind.hp).a("maxHP", kind.hp).a("bx", uniform(rng, 1, 40)).a("by", uniform(rng, 1, 24));
      t.close(true);
      fighters.push_back(Fighter{login, plan.side2.empty() ? 2 : 3, kind.hp, true});
    }
  }
  s += "</BATTLE>\n";

  int sf = 1;
  std::size_t next_item = 0;
  for (int turn = 1; turn <= turns; ++turn) {
    Tag(s, sh, "TURN").a("turn", turn).close(false);
    for (std::size_t a = 0; a < fighters.size(); ++a) {
      if (!fighters[a].alive) continue;
      std::vector<std::size_t> foes;
      for (std::size_t b = 0; b < fighters.size(); ++b)
        if (fighters[b].alive && fighters[b].side != fighters[a].side) foes.push_back(b);
      if (foes.empty()) continue;
      Tag(s, sh, "USER").a("login", fighters[a].login).close(false);
      if (chance(rng, 0.3)) Tag(s, sh, "a").a("sf", sf++).a("t", 6).a("run", uniform(rng, 1, 5)).close(true);
      if (chance(rng, 0.4)) Tag(s, sh, "a").a("sf", sf++).a("t", 2).close(true);
      const int shots = uniform(rng, 1, 3);
      for (int k = 0; k < shots && !foes.empty(); ++k) {
        const std::size_t target = foes[static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(foes.size()) - 1))];
        int dmg = 0;
        const std::string hp = hp_string(rng, dmg);
        const int frame = sf++;
        Tag(s, sh, "a").a("sf", frame).a("t", 5).a("type", uniform(rng, 0, 12)).a("login", fighters[target].login)
            .a("xy", std::to_string(uniform(rng, 1, 40)) + "," + std::to_string(uniform(rng, 1, 24))).a("HP", hp).close(true);
        fighters[target].hp -= dmg;
        if (fighters[target].hp <= 0 && fighters[target].alive) {
          fighters[target].alive = false;
          Tag(s, sh, "a").a("sf", frame).a("t", 20).a("code", 7).a("login", fighters[target].login).close(true);
          foes.erase(std::remove(foes.begin(), foes.end(), target), foes.end());
        }
      }
      if (!fighters[a].monster && next_item < items.size() && chance(rng, 0.5)) {
        const auto& it = items[next_item++];
        Tag(s, sh, "a").a("sf", sf++).a("t", 8).a("id", it.id).a("txt", it.name).a("count", it.count).close(true);
      }
      if (!fighters[a].monster && chance(rng, 0.05)) {
        Tag(s, sh, "a").a("sf", sf++).a("t", 5).a("type", 14).a("login", fighters[a].login).a("HP", "0:-" + std::to_string(uniform(rng, 5, 40))).close(true);
      }
      s += "</USER>\n";
    }
    // Deaths of this turn, each in the victim's own block.
    for (auto& f : fighters)
      if (!f.alive && f.hp != INT32_MIN) {
        Tag(s, sh, "USER").a("login", f.login).close(false);
        Tag(s, sh, "a").a("sf", sf++).a("t", 7).close(true);
        s += "</USER>\n";
        if (!f.monster) Tag(s, sh, "USER").a("login", f.login).a("HP", 0).close(true);
        f.hp = INT32_MIN;
      }
    s += "</TURN>\n";
  }
  if (o.wrap) s += "</BLOOK>";
  return s;
}

// busy_until[i]: the end of player i's last battle so far (carried over from day to day).
std::vector<Plan> plan_day(const SynthOptions& o, Rng& rng, const std::vector<Player>& players, int day,
                           std::vector<std::int64_t>& busy_until) {
  std::vector<Plan> plans;
  const std::int64_t day_start = o.start_unix + static_cast<std::int64_t>(day) * 86400;
  for (std::size_t i = 0; i < players.size(); ++i) {
    const Player& p = players[i];
    const double mean = o.battles_per_player_day * (p.bot ? 4 : 1);
    const int n = std::poisson_distribution<int>(mean)(rng);
    for (int k = 0; k < n; ++k) {
      Plan plan;
      const int hour = (p.active_from + uniform(rng, 0, p.active_hours - 1)) % 24;
      plan.ts = day_start + hour * 3600 + uniform(rng, 0, 3599);
      plan.start = plan.ts - uniform(rng, 96, 383);
      plan.x = std::clamp(p.home_x + uniform(rng, -3, 3), -60, 60);
      plan.y = std::clamp(p.home_y + uniform(rng, -3, 3), -60, 60);
      plan.side1.push_back(i);
      // Group PvE with clanmates, or PvP against another player.
      if (chance(rng, 0.15) && players.size() > 1) {
        std::size_t other = static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(players.size()) - 1));
        if (other != i) plan.side2.push_back(other);
      } else if (!p.clan.empty() && chance(rng, 0.3)) {
        for (std::size_t j = 0; j < players.size() && plan.side1.size() < 3; ++j)
          if (j != i && players[j].clan == p.clan && chance(rng, 0.5)) plan.side1.push_back(j);
      }
      plans.push_back(std::move(plan));
    }
  }
  std::stable_sort(plans.begin(), plans.end(), [](const Plan& a, const Plan& b) { return a.ts < b.ts; });
  // Nobody is in two battles at once (overlapping battles are what multi-boxing looks like to the
  // anti-bot analytics). In end-time order, a battle is disjoint from all of a player's kept
  // battles iff it starts after the last one ended. A busy initiator drops the battle; a busy
  // clanmate or opponent stays out of it (a PvP battle without its opponent is fought against
  // monsters).
  std::vector<Plan> kept;
  kept.reserve(plans.size());
  auto busy = [&](std::size_t i, const Plan& p) { return busy_until[i] >= p.start; };
  for (auto& plan : plans) {
    const std::size_t leader = plan.side1.front();
    if (busy(leader, plan)) continue;
    std::erase_if(plan.side1, [&](std::size_t i) { return i != leader && busy(i, plan); });
    std::erase_if(plan.side2, [&](std::size_t i) { return busy(i, plan); });
    for (auto i : plan.side1) busy_until[i] = plan.ts;
    for (auto i : plan.side2) busy_until[i] = plan.ts;
    kept.push_back(std::move(plan));
  }
  return kept;
}

}  // namespace

std::string shard_path(std::int64_t battle_id, std::string_view extension) {
  return std::to_string(battle_id / 50000) + "/" + std::to_string(battle_id) + std::string(extension);
}

std::int64_t synthesize(const SynthOptions& o, const std::function<bool(SynthBattle&&)>& sink) {
  Rng rng(o.seed), shuffle_rng(o.seed ^ 0x9E3779B97F4A7C15ull);
  const auto players = make_players(std::max(1, o.players), rng);
  std::int64_t id = o.first_battle_id, produced = 0;
  std::vector<std::int64_t> busy_until(players.size(), INT64_MIN);
  for (int day = 0; day < o.days; ++day) {
    for (const auto& plan : plan_day(o, rng, players, day, busy_until)) {
      if (o.max_battles > 0 && produced >= o.max_battles) return produced;
      SynthBattle b;
      b.id = id;
      b.ts = plan.ts;
      b.text = render(o, rng, shuffle_rng, players, plan, id);
      ++id;
      ++produced;
      if (!sink(std::move(b))) return produced;
    }
  }
  return produced;
}

}  // namespace tzr::battles
