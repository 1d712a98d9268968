// The playstyle classifier on hand-made data: the 12 features worked out by hand (real PvP damage,
// active days over the training window), the §4.3 labelling rules and their priority, the bot
// vote counting each indicator once, archetypes recovered as clusters, the same model for the same
// seed, clusters that share a label kept apart, and the model's JSON round trip.
#include "antibot/playstyle.hpp"
#include "antibot/playstyle_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <map>
#include <random>
#include <set>

using namespace tzr::antibot;

namespace {

constexpr std::int64_t T0 = 1759276800;  // 2025-10-01T00:00:00Z

struct B {
  int day = 0, hour = 10;
  bool pvp = false, survived = true;
  int km = 0, kp = 0;
  std::int64_t pve = 0;
  double rank = 0;
  std::int64_t dmg_m = 0, dmg_p = 0;
};

PlayerBattle battle(std::int64_t id, const B& b) {
  PlayerBattle p;
  p.battle_id = id;
  p.end_ts = T0 + b.day * 86400 + b.hour * 3600;
  p.start_ts = p.end_ts - 120;
  p.pvp = b.pvp;
  p.survived = b.survived;
  p.kills_monsters = b.km;
  p.kills_players = b.kp;
  p.pve_points = b.pve;
  p.rank_points = b.rank;
  p.damage_monsters = b.dmg_m;
  p.damage_players = b.dmg_p;
  return p;
}

// A player of an archetype: `n` battles, PvP with probability pvp, survival sr (in PvP: pvp_sr),
// monster kills around km, player kills around kp per PvP battle.
struct Archetype {
  double pvp, sr, pvp_sr, km, kp, pve;
  std::int64_t pvp_damage;
};

PlayerHistory player(const std::string& login, const Archetype& a, int n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> jitter(-1, 1);
  PlayerHistory h{login, login, {}};
  for (int i = 0; i < n; ++i) {
    B b;
    b.day = i % 20;
    b.hour = i % 24;
    b.pvp = u(rng) < a.pvp;
    b.survived = u(rng) < (b.pvp ? a.pvp_sr : a.sr);
    b.km = std::max(0, static_cast<int>(a.km) + jitter(rng));
    b.kp = b.pvp ? std::max(0, static_cast<int>(a.kp) + jitter(rng)) : 0;
    b.pve = static_cast<std::int64_t>(a.pve) + 10 * jitter(rng);
    b.dmg_p = b.pvp ? a.pvp_damage : 0;
    h.battles.push_back(battle(i + 1, b));
  }
  return h;
}

const Archetype kFarmBot{0.0, 1.0, 1.0, 22, 0, 800, 0};
const Archetype kElite{1.0, 0.95, 0.95, 0, 4, 0, 1500};
const Archetype kNovice{0.7, 0.4, 0.3, 2, 0.4, 100, 300};

std::vector<PlayerHistory> cohort(std::uint64_t seed, std::map<std::string, int>* truth) {
  std::mt19937_64 rng(seed);
  std::vector<PlayerHistory> out;
  const Archetype* kinds[] = {&kFarmBot, &kElite, &kNovice};
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 15; ++i) {
      const std::string login = "p" + std::to_string(k) + "_" + std::to_string(i);
      out.push_back(player(login, *kinds[k], 20 + i, rng));
      if (truth) (*truth)[login] = k;
    }
  return out;
}

}  // namespace

TEST(AntibotPlaystyle, FeaturesExactValuesOnAHandMadeHistory) {
  std::vector<PlayerBattle> h{
      battle(1, {.day = 0, .hour = 10, .km = 10, .pve = 1000, .rank = 2, .dmg_m = 300}),
      battle(2, {.day = 0, .hour = 11, .pvp = true, .km = 2, .kp = 3, .rank = 5, .dmg_m = 100, .dmg_p = 900}),
      battle(3, {.day = 1, .pvp = true, .survived = false, .kp = 1, .rank = -1, .dmg_p = 500}),
      battle(4, {.day = 3, .km = 8, .pve = 2000}),
  };
  const auto f = playstyle_features(h);
  EXPECT_DOUBLE_EQ(f.pvp_ratio, 0.5);
  EXPECT_DOUBLE_EQ(f.kpm, 24.0 / 4);
  EXPECT_DOUBLE_EQ(f.survival_rate, 0.75);
  EXPECT_DOUBLE_EQ(f.avg_pve_points, 750);
  EXPECT_DOUBLE_EQ(f.avg_rank_points, 1.5);
  EXPECT_DOUBLE_EQ(f.aggression_ratio, 4.0 / 20);
  EXPECT_EQ(f.battles, 4);
  EXPECT_EQ(f.active_days, 3);
  EXPECT_DOUBLE_EQ(f.kills_per_pvp, 2);
  EXPECT_DOUBLE_EQ(f.pvp_survival_rate, 0.5);
  EXPECT_EQ(f.pvp_battles, 2);
  EXPECT_DOUBLE_EQ(f.avg_pvp_damage, (100 + 900 + 500) / 2.0);  // all damage dealt in the PvP battles

  // The fixed divisors of §3.4; active days over the model's (training) window.
  const Row r = playstyle_row(f, 30);
  const Row expected{0.5, 0.3, 0.75, 0.0075, 0.15, 0.1, 0.004, 0.1, 0.4, 0.5, 0.004, 0.15};
  ASSERT_EQ(r.size(), expected.size());
  for (std::size_t i = 0; i < r.size(); ++i) EXPECT_DOUBLE_EQ(r[i], expected[i]) << playstyle_feature_names()[i];
  EXPECT_DOUBLE_EQ(playstyle_row(f, 90)[7], 3.0 / 90);
}

TEST(AntibotPlaystyle, EdgeCasesAreExactNotDefaults) {
  EXPECT_EQ(playstyle_features({}).battles, 0);
  // PvE only: the PvP features are 0, not undefined.
  const auto pve = playstyle_features({battle(1, {.km = 5}), battle(2, {.day = 1, .km = 7})});
  EXPECT_EQ(pve.pvp_ratio, 0);
  EXPECT_EQ(pve.kills_per_pvp, 0);
  EXPECT_EQ(pve.pvp_survival_rate, 0);
  EXPECT_EQ(pve.avg_pvp_damage, 0);
  EXPECT_EQ(pve.aggression_ratio, 0);
  // Player kills without any monster kill: the cap, not the reference's 0.
  const auto killer = playstyle_features({battle(1, {.pvp = true, .kp = 2}), battle(2, {.pvp = true, .kp = 1})});
  EXPECT_EQ(killer.aggression_ratio, kAggressionCap);
  EXPECT_LE(playstyle_features({battle(1, {.km = 1, .kp = 50})}).aggression_ratio, kAggressionCap);
}

TEST(AntibotPlaystyle, LabellingRulesInPriorityOrder) {
  auto with = [](auto set) {
    PlaystyleFeatures m;
    m.pvp_ratio = 0.4;
    m.survival_rate = 0.6;
    m.kpm = 8;
    m.kills_per_pvp = 2;
    m.pvp_survival_rate = 0.62;
    set(m);
    return label_cluster(m);
  };
  EXPECT_EQ(with([](auto&) {}), Playstyle::balanced);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.01, m.survival_rate = 0.99, m.kpm = 16; }), Playstyle::bot_farmer);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.01, m.kpm = 21; }), Playstyle::bot_farmer);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.08, m.survival_rate = 0.98, m.kpm = 13; }), Playstyle::bot_farmer);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.08, m.survival_rate = 0.96, m.kpm = 13; }), Playstyle::balanced);
  // elite before aggressive; aggressive reads the real kills ratio (> 0.6 = the reference's normalised 0.3).
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.9, m.pvp_survival_rate = 0.9, m.kills_per_pvp = 3, m.aggression_ratio = 5; }),
            Playstyle::elite_pvp);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.7, m.kills_per_pvp = 2.5, m.aggression_ratio = 0.7; }), Playstyle::aggressive_pvp);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.7, m.kills_per_pvp = 3.5, m.aggression_ratio = 0.5, m.pvp_survival_rate = 0.5; }),
            Playstyle::pvp_assassin);
  // pvp_tank is reachable now that PvP damage is real (D32).
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.6, m.pvp_survival_rate = 0.8, m.avg_pvp_damage = 2500; }), Playstyle::pvp_tank);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.6, m.pvp_survival_rate = 0.8, m.kills_per_pvp = 1; }), Playstyle::pvp_support);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.1, m.survival_rate = 0.9; }), Playstyle::safe_farmer);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.6, m.pvp_survival_rate = 0.4; }), Playstyle::pvp_novice);
  EXPECT_EQ(with([](auto& m) { m.pvp_ratio = 0.2, m.avg_pve_points = 60000; }), Playstyle::pve_grinder);

  for (std::size_t i = 0; i < kPlaystyleCount; ++i) {
    const auto p = static_cast<Playstyle>(i);
    EXPECT_EQ(playstyle_from_code(playstyle_code(p)), p);
    EXPECT_FALSE(playstyle_name_ru(p).empty());
    EXPECT_FALSE(playstyle_name_en(p).empty());
  }
  EXPECT_EQ(playstyle_name_ru(Playstyle::bot_farmer), "Бот/Фарм-бот");
  EXPECT_EQ(playstyle_from_code("tank"), std::nullopt);
}

TEST(AntibotPlaystyle, BotVoteCountsPvpOnce) {
  PlaystyleFeatures f;
  f.pvp_ratio = 0.01;  // below 5 % and below 2 %: one indicator, not two
  f.survival_rate = 0.99;
  f.kpm = 10;
  auto v = bot_vote(f, Playstyle::safe_farmer);
  ASSERT_EQ(v.indicators.size(), 2u);
  EXPECT_EQ(v.indicators[0].code, "low_pvp");
  EXPECT_EQ(v.indicators[1].code, "high_survival");
  EXPECT_DOUBLE_EQ(v.score, 0.5);
  EXPECT_FALSE(v.is_likely_bot);  // the reference counted 3 of 4 here and flagged the player
  f.kpm = 16;
  v = bot_vote(f, Playstyle::safe_farmer);
  EXPECT_DOUBLE_EQ(v.score, 0.75);
  EXPECT_TRUE(v.is_likely_bot);
  v = bot_vote(f, Playstyle::bot_farmer);
  EXPECT_DOUBLE_EQ(v.score, 1.0);
  EXPECT_EQ(v.indicators.back().code, "bot_farmer_cluster");
}

TEST(AntibotPlaystyle, RecoversArchetypesAndClassifies) {
  std::map<std::string, int> truth;
  auto players = cohort(1, &truth);
  players.push_back({"few", "few", {battle(1, {.km = 3})}});  // under 10 battles: not trained on
  auto model = PlaystyleModel::train(players, 30, T0 + 30 * 86400, 1234, {.k = 3});
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->trained_on(), 45u);
  ASSERT_EQ(model->clusters().size(), 3u);

  std::map<int, std::set<std::size_t>> clusters_of;
  for (const auto& h : players) {
    if (h.login == "few") continue;
    auto c = model->classify(h);
    ASSERT_TRUE(c) << c.error().message;
    clusters_of[truth.at(h.login)].insert(c->cluster);
    EXPECT_GE(c->confidence, 0);
    EXPECT_LE(c->confidence, 1);
    EXPECT_LE(c->similar_players.size(), 5u);
    for (const auto& s : c->similar_players) {
      EXPECT_NE(s, h.login);
      EXPECT_EQ(truth.at(s), truth.at(h.login));
    }
  }
  std::set<std::size_t> distinct;
  for (const auto& [kind, ids] : clusters_of) {
    ASSERT_EQ(ids.size(), 1u) << "archetype " << kind << " split";
    distinct.insert(*ids.begin());
  }
  EXPECT_EQ(distinct.size(), 3u);
  EXPECT_EQ(model->clusters()[*clusters_of[0].begin()].playstyle, Playstyle::bot_farmer);
  EXPECT_EQ(model->clusters()[*clusters_of[1].begin()].playstyle, Playstyle::elite_pvp);
  EXPECT_EQ(model->clusters()[*clusters_of[2].begin()].playstyle, Playstyle::pvp_novice);
  for (const auto& c : model->clusters()) EXPECT_EQ(c.players, 15u);
  // Similar players: the cluster's biggest players first (battles desc: p0_14 has 34).
  auto bot = model->classify(players[0]);
  ASSERT_TRUE(bot);
  EXPECT_EQ(bot->similar_players.front(), "p0_14");
  EXPECT_TRUE(bot->bot.is_likely_bot);

  auto few = model->classify({"x", "x", {battle(1, {}), battle(2, {}), battle(3, {}), battle(4, {})}});
  ASSERT_FALSE(few);
  EXPECT_EQ(few.error().code, "not_enough_battles");
  auto little = PlaystyleModel::train(players, 30, T0, 1, {.k = 46});
  ASSERT_FALSE(little);
  EXPECT_EQ(little.error().code, "not_enough_data");
}

TEST(AntibotPlaystyle, SameSeedSameModelAndJsonRoundTrip) {
  const auto players = cohort(2, nullptr);
  auto a = PlaystyleModel::train(players, 90, T0, 5, {.k = 4, .seed = 7});
  auto b = PlaystyleModel::train(players, 90, T0, 5, {.k = 4, .seed = 7});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(boost::json::serialize(a->to_json()), boost::json::serialize(b->to_json()));

  auto back = PlaystyleModel::from_json(a->to_json());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->window_days(), 90);
  EXPECT_EQ(back->trained_on(), a->trained_on());
  EXPECT_EQ(back->version(), a->version());
  for (const auto& h : players) {
    auto x = a->classify(h), y = back->classify(h);
    ASSERT_TRUE(x && y);
    EXPECT_EQ(x->cluster, y->cluster);
    EXPECT_DOUBLE_EQ(x->confidence, y->confidence);
    EXPECT_EQ(x->similar_players, y->similar_players);
  }

  auto json = a->to_json();
  json.as_object()["feature_schema"] = "0000000000000000";
  auto stale = PlaystyleModel::from_json(json);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, "bad_model");
  json = a->to_json();
  json.as_object()["kind"] = "kmeans";
  EXPECT_FALSE(PlaystyleModel::from_json(json));
  json = a->to_json();
  json.as_object()["clusters"].as_array().pop_back();
  EXPECT_FALSE(PlaystyleModel::from_json(json));
}

TEST(AntibotPlaystyle, ClustersSharingALabelAreReportedApart) {
  // Two kinds of farm bot (22 and 60 kills a battle): both clusters are bot_farmer.
  std::mt19937_64 rng(3);
  std::vector<PlayerHistory> players;
  const Archetype heavy{0.0, 1.0, 1.0, 60, 0, 5000, 0};
  for (int i = 0; i < 10; ++i) players.push_back(player("light" + std::to_string(i), kFarmBot, 30, rng));
  for (int i = 0; i < 6; ++i) players.push_back(player("heavy" + std::to_string(i), heavy, 30, rng));
  for (int i = 0; i < 8; ++i) players.push_back(player("elite" + std::to_string(i), kElite, 30, rng));
  auto model = PlaystyleModel::train(players, 30, T0, 1, {.k = 3});
  ASSERT_TRUE(model);
  const auto stats = cluster_stats_json(*model);
  const auto& clusters = stats.at("clusters").as_array();
  ASSERT_EQ(clusters.size(), 3u);
  EXPECT_EQ(stats.at("total_clusters").as_uint64(), 3u);
  std::int64_t last = 1 << 30, farm_clusters = 0;
  for (const auto& c : clusters) {
    const auto n = c.at("player_count").to_number<std::int64_t>();
    EXPECT_LE(n, last);  // by size desc
    last = n;
    farm_clusters += c.at("playstyle") == "bot_farmer";
  }
  EXPECT_EQ(farm_clusters, 2);
  bool found = false;
  for (const auto& s : stats.at("by_playstyle").as_array())
    if (s.at("playstyle") == "bot_farmer") {
      found = true;
      EXPECT_EQ(s.at("clusters").as_array().size(), 2u);
      EXPECT_EQ(s.at("player_count").to_number<int>(), 16);
    }
  EXPECT_TRUE(found);
}

TEST(AntibotPlaystyle, KeepsTheInstalledModelWhenTheNewOneIsWorse) {
  const auto players = cohort(4, nullptr);
  auto big = PlaystyleModel::train(players, 90, T0, 1, {.k = 3});
  auto small = PlaystyleModel::train(std::vector<PlayerHistory>(players.begin(), players.begin() + 20), 90, T0, 2, {.k = 3});
  auto other_window = PlaystyleModel::train(std::vector<PlayerHistory>(players.begin(), players.begin() + 20), 30, T0, 2, {.k = 3});
  ASSERT_TRUE(big && small && other_window);
  EXPECT_FALSE(playstyle_candidate_is_worse(*big, nullptr));
  EXPECT_TRUE(playstyle_candidate_is_worse(*small, &*big));  // 20 players against 45
  EXPECT_FALSE(playstyle_candidate_is_worse(*big, &*small));
  EXPECT_FALSE(playstyle_candidate_is_worse(*other_window, &*big));  // another window: not comparable, installed
}
