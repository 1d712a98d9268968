// The antibot state kept at ingest: applied over batches in any arrival order it equals the
// rebuild on every order-independent field and counts the late arrivals in `late`; in order it is
// the rebuild exactly. Then the hook itself on a real SQLite store behind the battles ingest:
// shuffled batches, a re-ingest, and a battle id repeated in one batch, checked against
// rebuild_all_states.
#include "antibot/population.hpp"
#include "antibot/state_ingest.hpp"
#include "antibot/store.hpp"
#include "app/platform_migrations.hpp"
#include "battles/ingest.hpp"
#include "battles/synth.hpp"
#include "core/json.hpp"
#include "storage/migrations.hpp"

#include <boost/json/array.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <tuple>

#include "support/temp_dir.hpp"

using namespace tzr::antibot;

namespace {

std::vector<Participation> population_participations(std::uint64_t seed) {
  const auto pop = generate_population({.players = 40, .days = 5, .seed = seed});
  std::vector<Participation> out;
  for (const auto& p : pop.players)
    for (const auto& b : p.battles) out.push_back({p.login, p.login, b.start_ts, b});
  return out;
}

bool rebuild_order(const Participation& a, const Participation& b) {
  return std::tie(a.battle.end_ts, a.battle_start, a.battle.battle_id) < std::tie(b.battle.end_ts, b.battle_start, b.battle.battle_id);
}

struct Applied {
  std::map<std::string, StoredPlayer> players;
  PlayerDays days;
};

// Applies the participations in arrival order, cut into batches of random sizes (1..max_batch).
Applied apply_in_batches(const std::vector<Participation>& arrival, std::mt19937_64& rng, int max_batch) {
  Applied a;
  for (std::size_t at = 0; at < arrival.size();) {
    const auto n = std::min<std::size_t>(arrival.size() - at, std::uniform_int_distribution<std::size_t>(1, max_batch)(rng));
    std::vector<Participation> batch(arrival.begin() + static_cast<std::ptrdiff_t>(at), arrival.begin() + static_cast<std::ptrdiff_t>(at + n));
    for (const auto& [key, d] : apply_participations(a.players, std::move(batch), FeatureOptions{})) a.days[key].add(d);
    at += n;
  }
  return a;
}

// The late arrivals of each player: a batch is applied sorted, so a participation is late when it
// ends before the latest end of an earlier batch.
std::map<std::string, std::int64_t> expected_late(const std::vector<Participation>& arrival, std::mt19937_64 rng, int max_batch) {
  std::map<std::string, std::int64_t> late, latest;
  for (std::size_t at = 0; at < arrival.size();) {
    const auto n = std::min<std::size_t>(arrival.size() - at, std::uniform_int_distribution<std::size_t>(1, max_batch)(rng));
    std::vector<Participation> batch(arrival.begin() + static_cast<std::ptrdiff_t>(at), arrival.begin() + static_cast<std::ptrdiff_t>(at + n));
    std::sort(batch.begin(), batch.end(), rebuild_order);
    for (const auto& x : batch) {
      auto [it, fresh] = latest.try_emplace(x.login_key, x.battle.end_ts);
      late[x.login_key] += !fresh && x.battle.end_ts < it->second;
      if (!fresh) it->second = std::max(it->second, x.battle.end_ts);
    }
    at += n;
  }
  return late;
}

std::string state_text(const PlayerState& s) { return tzr::json::serialize(to_json(s)); }

// Row by row, so that a failure shows the rows that differ and not two whole tables.
void expect_same_rows(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], want[i]) << "row " << i;
}

}  // namespace

TEST(AntibotStateIngest, AnyArrivalOrderMatchesRebuildOnOrderIndependentFields) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto all = population_participations(seed);
    Applied rebuilt;
    rebuilt.days = apply_participations(rebuilt.players, all, FeatureOptions{});
    auto arrival = all;
    std::mt19937_64 rng(seed);
    std::shuffle(arrival.begin(), arrival.end(), rng);
    const auto late = expected_late(arrival, rng, 60);
    const auto incremental = apply_in_batches(arrival, rng, 60);
    ASSERT_EQ(incremental.players.size(), rebuilt.players.size());
    std::int64_t total_late = 0;
    for (const auto& [key, want] : rebuilt.players) {
      const auto& got = incremental.players.at(key).state;
      const auto& w = want.state;
      EXPECT_EQ(got.battles, w.battles) << key;
      EXPECT_EQ(got.first_end, w.first_end) << key;
      EXPECT_EQ(got.last_end, w.last_end) << key;
      EXPECT_EQ(got.week_hours, w.week_hours) << key;
      EXPECT_EQ(got.locations, w.locations) << key;
      EXPECT_EQ(got.locations_overflow, w.locations_overflow) << key;
      EXPECT_EQ(std::tie(got.pvp, got.kills_monsters, got.kills_players, got.survived, got.loot),
                std::tie(w.pvp, w.kills_monsters, w.kills_players, w.survived, w.loot))
          << key;
      EXPECT_EQ(w.late, 0) << key;
      EXPECT_EQ(got.late, late.count(key) ? late.at(key) : 0) << key;
      total_late += got.late;
    }
    EXPECT_GT(total_late, 100) << "the shuffle should make many battles late";
    ASSERT_EQ(incremental.days.size(), rebuilt.days.size());
    for (const auto& [at, want] : rebuilt.days) {
      const auto& got = incremental.days.at(at);
      EXPECT_EQ(std::tie(got.battles, got.pvp, got.survived, got.kills_monsters, got.kills_players, got.loot, got.hours_mask),
                std::tie(want.battles, want.pvp, want.survived, want.kills_monsters, want.kills_players, want.loot,
                         want.hours_mask))
          << at.first << " day " << at.second;
    }
  }
}

TEST(AntibotStateIngest, InOrderBatchesAreTheRebuildExactly) {
  auto all = population_participations(7);
  Applied rebuilt;
  rebuilt.days = apply_participations(rebuilt.players, all, FeatureOptions{});
  std::sort(all.begin(), all.end(), rebuild_order);
  std::mt19937_64 rng(7);
  const auto incremental = apply_in_batches(all, rng, 25);
  ASSERT_EQ(incremental.players.size(), rebuilt.players.size());
  for (const auto& [key, want] : rebuilt.players) {
    EXPECT_EQ(state_text(incremental.players.at(key).state), state_text(want.state)) << key;
    EXPECT_EQ(incremental.players.at(key).login, want.login);
  }
  ASSERT_EQ(incremental.days.size(), rebuilt.days.size());
  for (const auto& [at, want] : rebuilt.days) {
    const auto& got = incremental.days.at(at);
    EXPECT_EQ(got.idle_n, want.idle_n);
    EXPECT_EQ(got.idle_sum, want.idle_sum);  // sums of whole seconds: exact in any grouping
  }
}

TEST(AntibotStateIngest, LocationSetKeepsTheSmallestInAnyOrder) {
  std::vector<int> xs(400);
  std::iota(xs.begin(), xs.end(), 0);
  std::shuffle(xs.begin(), xs.end(), std::mt19937_64(5));
  PlayerState s;
  PlayerBattle b;
  for (int x : xs) {
    b.loc_x = x;
    b.end_ts += 10;
    s.apply(b, FeatureOptions{});
  }
  ASSERT_EQ(s.locations.size(), PlayerState::kMaxLocations);
  EXPECT_TRUE(s.locations_overflow);
  EXPECT_EQ(s.locations.front().first, 0);
  EXPECT_EQ(s.locations.back().first, static_cast<int>(PlayerState::kMaxLocations) - 1);
}

// ---- the hook on a real store ----

namespace {

struct Store {
  tzr::test::TempDir dir;
  std::unique_ptr<tzr::storage::Database> db;
  std::unique_ptr<tzr::battles::BattleStore> store;
  std::unique_ptr<tzr::battles::RawStore> raw;
  std::unique_ptr<tzr::battles::BattleIngest> ingest;
  StateAtIngest hook{FeatureOptions{}, [] { return std::int64_t{42}; }};

  Store() {
    db = std::move(*tzr::storage::open_database("sqlite://" + dir.str() + "/s.db"));
    EXPECT_TRUE(tzr::storage::migrate(*db, tzr::app::platform_migrations()));
    store = std::make_unique<tzr::battles::BattleStore>(*db);
    store->set_observer(&hook);
    raw = std::make_unique<tzr::battles::RawStore>(dir.str() + "/raw", *db);
    ingest = std::make_unique<tzr::battles::BattleIngest>(*store, *raw, tzr::battles::IngestOptions{});
  }
  std::vector<std::string> rows(const std::string& sql) {
    auto r = db->query(sql);
    EXPECT_TRUE(r) << r.error().message;
    std::vector<std::string> out;
    for (const auto& row : r->rows) {
      std::string line;
      for (std::size_t i = 0; i < row.values.size(); ++i) line += (i ? "|" : "") + row.text(i);
      out.push_back(line);
    }
    return out;
  }
  std::vector<std::string> states() { return rows("SELECT login_key, login, battles, last_end, state FROM antibot_player_state ORDER BY login_key"); }
  std::vector<std::string> days(bool with_idle) {
    return rows(std::string("SELECT login_key, day, battles, pvp, survived, kills_monsters, kills_players, loot, hours_mask") +
                (with_idle ? ", idle_n, idle_sum" : "") + " FROM antibot_player_days ORDER BY login_key, day");
  }
};

std::vector<tzr::battles::RawLog> corpus() {
  std::vector<tzr::battles::RawLog> logs;
  tzr::battles::synthesize({.players = 30, .days = 2, .seed = 11}, [&](tzr::battles::SynthBattle&& b) {
    logs.push_back({"file", std::to_string(b.id), std::move(b.text), {}, {}});
    return true;
  });
  return logs;
}

void ingest_in_batches(Store& s, const std::vector<tzr::battles::RawLog>& logs, std::size_t size) {
  for (std::size_t at = 0; at < logs.size(); at += size) {
    std::vector<tzr::battles::RawLog> batch(logs.begin() + static_cast<std::ptrdiff_t>(at),
                                            logs.begin() + static_cast<std::ptrdiff_t>(std::min(logs.size(), at + size)));
    auto r = s.ingest->ingest(std::move(batch));
    ASSERT_TRUE(r) << r.error().message;
  }
}

}  // namespace

TEST(AntibotStateIngest, HookInOrderEqualsRebuildAndReingestChangesNothing) {
  Store s;
  const auto logs = corpus();
  ASSERT_GT(logs.size(), 100u);
  ingest_in_batches(s, logs, 37);  // synth writes in time order
  const auto states = s.states();
  const auto days = s.days(true);
  ASSERT_FALSE(states.empty());
  ingest_in_batches(s, logs, 50);  // every log a duplicate: nothing counted twice
  expect_same_rows(s.states(), states);
  expect_same_rows(s.days(true), days);
  auto rebuilt = rebuild_all_states(*s.db, {}, 42);
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  expect_same_rows(s.states(), states);
  expect_same_rows(s.days(true), days);
}

TEST(AntibotStateIngest, HookOutOfOrderKeepsTotalsAndCountsLate) {
  Store s;
  auto logs = corpus();
  std::shuffle(logs.begin(), logs.end(), std::mt19937_64(3));
  // A battle id twice within one batch (its second copy differs): it is new, so counted once.
  auto twin = logs.front();
  twin.bytes += "\n";
  logs.insert(logs.begin() + 1, twin);
  ingest_in_batches(s, logs, 29);
  const auto late = s.rows("SELECT state FROM antibot_player_state");
  std::int64_t total_late = 0;
  for (const auto& text : late) total_late += tzr::json::parse(text)->as_object().at("late").to_number<std::int64_t>();
  EXPECT_GT(total_late, 0);
  const auto battles = s.rows("SELECT login_key, battles, last_end FROM antibot_player_state ORDER BY login_key");
  const auto days = s.days(false);
  ASSERT_TRUE(rebuild_all_states(*s.db, {}, 42));
  expect_same_rows(s.rows("SELECT login_key, battles, last_end FROM antibot_player_state ORDER BY login_key"), battles);
  expect_same_rows(s.days(false), days);
  for (const auto& text : s.rows("SELECT state FROM antibot_player_state"))
    EXPECT_EQ(tzr::json::parse(text)->as_object().at("late").to_number<std::int64_t>(), 0);
}

TEST(AntibotStateIngest, StateJsonRoundTripIsBitExact) {
  PlayerState s;
  s.battles = 3;
  s.idle_n = 3;
  s.idle_mean = 924.6000000000001;
  s.idle_m2 = 0.1 + 0.2;
  s.session_hours_sum = 1.4563888888888892;
  s.longest_marathon_hours = 1.0 / 3.0;
  auto back = player_state_from_json(*tzr::json::parse(tzr::json::serialize(to_json(s))));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->idle_mean, s.idle_mean);
  EXPECT_EQ(back->idle_m2, s.idle_m2);
  EXPECT_EQ(back->session_hours_sum, s.session_hours_sum);
  EXPECT_EQ(back->longest_marathon_hours, s.longest_marathon_hours);
  // A version 1 state (doubles as JSON numbers) is still read.
  auto v1 = to_json(s).as_object();
  v1["v"] = 1;
  v1["idle"] = boost::json::array{3.0, 924.5, 2.0};
  v1["longest_marathon_hours"] = 0.5;
  auto old = player_state_from_json(v1);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->idle_mean, 924.5);
  EXPECT_EQ(old->longest_marathon_hours, 0.5);
}
