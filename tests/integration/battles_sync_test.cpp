// Socket sync workers against the game simulator serving a synthetic corpus: every battle arrives
// once; under drop / slow / garbage faults the ids are retried, then marked failed(n), and after an
// admin retry nothing is missing.
#include "support/backends.hpp"
#include "support/game_sim_process.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

using namespace tzr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "battles-sync-admin-token";
constexpr std::int64_t kFirstId = 5000000;

struct SyncSetup {
  TempDir dir;
  std::int64_t battles = 0;
  std::unique_ptr<GameSimProcess> sim;
  std::unique_ptr<TzrHost> host;

  // request_interval_ms < 0: the configured default pace.
  explicit SyncSetup(int max_attempts, int timeout_ms, const std::string& start_mode = "ok", int delay_ms = 0,
                     int request_interval_ms = -1) {
    std::vector<std::string> synth{tzrhost_bin(), "battles", "synth", "--players", "4", "--days", "1", "--seed", "9", "--max", "25",
                                   "--first-id", std::to_string(kFirstId), "--out", dir.str() + "/corpus"};
    ChildProcess s(synth);
    s.read_all(60s);
    EXPECT_EQ(s.wait(60s), 0);
    for (const auto& e : fs::recursive_directory_iterator(dir.str() + "/corpus")) battles += e.is_regular_file();
    sim = std::make_unique<GameSimProcess>(std::vector<std::string>{"--battles-dir", dir.str() + "/corpus", "--bot-login", "syncbot1",
                                                                    "--bot-login", "syncbot2"});
    if (start_mode != "ok") sim->set_mode(start_mode, delay_ms);
    std::map<std::string, std::string> env{{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/tzr.db"},
                                           {"TZR_ADMIN__TOKEN", kToken},
                                           {"TZR_GAME__PORT", std::to_string(sim->game_port())},
                                           {"TZR_BATTLES__SYNC_ENABLED", "true"},
                                           {"TZR_BATTLES__SYNC_ACCOUNTS", "syncbot1:key-one,syncbot2:key-two"},
                                           {"TZR_BATTLES__SYNC_START_ID", std::to_string(kFirstId)},
                                           {"TZR_BATTLES__SYNC_NOT_FOUND_AFTER", "5"},
                                           {"TZR_BATTLES__SYNC_MAX_ATTEMPTS", std::to_string(max_attempts)},
                                           {"TZR_BATTLES__SYNC_BACKOFF_MS", "20"},
                                           {"TZR_BATTLES__SYNC_TIMEOUT_MS", std::to_string(timeout_ms)},
                                           {"TZR_LOG__LEVEL", "warn"}};
    if (request_interval_ms >= 0) env["TZR_BATTLES__SYNC_REQUEST_INTERVAL_MS"] = std::to_string(request_interval_ms);
    host = std::make_unique<TzrHost>(std::vector<std::string>{"serve"}, env, std::vector<std::string>{"battles"});
  }
  int port() { return host->port("battles"); }
  boost::json::value sync_status() {
    auto r = http(port(), "GET", "/admin/battles/sync", "", {{"Authorization", "Bearer " + kToken}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("sync");
  }
  std::int64_t state_count(const std::string& state) {
    auto s = sync_status();
    const auto& states = s.at("queue").at("states").as_object();
    auto it = states.find(state);
    return it == states.end() ? 0 : it->value().as_int64();
  }
  std::int64_t stored() { return http(port(), "GET", "/battles/ingest/status").json().at("battles").as_int64(); }
  template <class F>
  bool wait_for(F done, std::chrono::seconds limit = 40s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
};

}  // namespace

TEST(BattlesSync, WorkersFetchEveryBattleOnceFromTheGameServer) {
  SyncSetup s(5, 2000);
  ASSERT_EQ(s.battles, 25);
  ASSERT_TRUE(s.wait_for([&] { return s.stored() == s.battles; })) << boost::json::serialize(s.sync_status());
  EXPECT_EQ(s.state_count("parsed"), s.battles);
  auto status = s.sync_status();
  EXPECT_EQ(status.at("queue").at("lag").as_int64() >= 0, true);
  EXPECT_EQ(status.at("workers").as_array().size(), 2u);
  // The simulator saw the reference's request frame.
  bool saw_blook = false;
  const auto received = s.sim->received();
  for (const auto& m : received.as_array())
    saw_blook |= std::string(m.at("raw").as_string()) == "<POST t=\"//blook " + std::to_string(kFirstId) + "\" />";
  EXPECT_TRUE(saw_blook);
  const auto metrics = http(s.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("tzr_battles_sync_lag"), std::string::npos);
  EXPECT_NE(metrics.find("tzr_battles_sync_fetches_total{outcome=\"parsed\"}"), std::string::npos);
  // Ids past the newest battle are asked again later, not given up.
  EXPECT_EQ(s.state_count("failed"), 0);
  auto b = http(s.port(), "GET", "/battle/" + std::to_string(kFirstId)).json();
  EXPECT_EQ(b.at("data").at("battle").at("id").as_int64(), kFirstId);
}

// One account's battle requests are at least battles.sync_request_interval_ms apart (a pace the
// game server can bear), as the simulator's receive times show.
TEST(BattlesSync, RequestsOfOneAccountArePaced) {
  constexpr std::int64_t kInterval = 150;
  SyncSetup s(5, 2000, "ok", 0, kInterval);
  ASSERT_TRUE(s.wait_for([&] { return s.stored() == s.battles; })) << boost::json::serialize(s.sync_status());
  std::map<std::uint64_t, std::vector<std::int64_t>> times;  // connection → receive times of its battle requests
  const auto received = s.sim->received();
  for (const auto& m : received.as_array())
    if (std::string(m.at("raw").as_string()).rfind("<POST t=\"//blook ", 0) == 0)
      times[m.at("conn").to_number<std::uint64_t>()].push_back(m.at("at_ms").to_number<std::int64_t>());
  std::size_t requests = 0;
  for (auto& [conn, at] : times) {
    requests += at.size();
    std::sort(at.begin(), at.end());
    // Delivery jitter can shorten one gap, not the span of them all.
    const auto least = static_cast<std::int64_t>(at.size() - 1) * kInterval - 100;
    EXPECT_GE(at.back() - at.front(), least) << "connection " << conn << ": " << at.size() << " requests";
  }
  EXPECT_GE(requests, static_cast<std::size_t>(s.battles));
  EXPECT_EQ(times.size(), 2u);
}

TEST(BattlesSync, GarbageRepliesAreRetriedThenFailedThenRecovered) {
  SyncSetup s(3, 1000, "garbage");
  ASSERT_TRUE(s.wait_for([&] { return s.state_count("failed") >= 5; })) << boost::json::serialize(s.sync_status());
  const auto status = s.sync_status();
  for (const auto& f : status.at("queue").at("recent_failed").as_array()) EXPECT_EQ(f.at("attempts").as_int64(), 3);
  EXPECT_EQ(s.stored(), 0);
  s.sim->set_mode("ok");
  auto r = http(s.port(), "POST", "/admin/battles/sync/retry-failed", "", {{"Authorization", "Bearer " + kToken}});
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(s.wait_for([&] { return s.stored() == s.battles; })) << boost::json::serialize(s.sync_status());
  EXPECT_EQ(s.state_count("parsed"), s.battles);
}

TEST(BattlesSync, SlowRepliesTimeOutThenFailed) {
  SyncSetup s(2, 200, "slow", 600);
  ASSERT_TRUE(s.wait_for([&] { return s.state_count("failed") >= 2; })) << boost::json::serialize(s.sync_status());
  EXPECT_EQ(s.stored(), 0);
}

TEST(BattlesSync, DroppedConnectionsLoseNothing) {
  SyncSetup s(50, 1000);
  ASSERT_TRUE(s.wait_for([&] { return s.stored() >= 3; }));
  s.sim->set_mode("drop");
  std::this_thread::sleep_for(800ms);
  s.sim->set_mode("ok");
  ASSERT_TRUE(s.wait_for([&] { return s.stored() == s.battles; })) << boost::json::serialize(s.sync_status());
  EXPECT_EQ(s.state_count("parsed"), s.battles);
  EXPECT_EQ(s.state_count("failed"), 0);
}

// Two processes share one queue on PostgreSQL: every battle is stored once, an id is never held
// by two workers at once, and the ids a SIGKILLed process was holding go to the other after the
// lease.
TEST(BattlesSync, TwoProcessesShareTheQueueOnPostgresAndSurviveAKill) {
  TZR_REQUIRE_SERVER_URL(server, "TZR_TEST_POSTGRES_URL");
  TempDir dir;
  ScratchDatabase scratch("postgres", dir, server);
  ChildProcess synth({tzrhost_bin(), "battles", "synth", "--players", "12", "--days", "1", "--seed", "11", "--max", "60",
                      "--first-id", std::to_string(kFirstId), "--out", dir.str() + "/corpus"});
  synth.read_all(60s);
  ASSERT_EQ(synth.wait(60s), 0);
  std::int64_t battles = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir.str() + "/corpus")) battles += e.is_regular_file();
  ASSERT_EQ(battles, 60);
  GameSimProcess sim({"--battles-dir", dir.str() + "/corpus", "--bot-login", "syncbot1", "--bot-login", "syncbot2",
                      "--bot-login", "syncbot3", "--bot-login", "syncbot4"});
  sim.set_mode("slow", 60);  // every reply 60 ms late: the kill lands mid-work
  auto start = [&](const std::string& accounts) {
    return std::make_unique<TzrHost>(
        std::vector<std::string>{"serve", "--only", "battles"},
        std::map<std::string, std::string>{{"TZR_STORAGE__URL", scratch.url()},
                                           {"TZR_ADMIN__TOKEN", kToken},
                                           {"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                           {"TZR_BATTLES__SYNC_ENABLED", "true"},
                                           {"TZR_BATTLES__SYNC_ACCOUNTS", accounts},
                                           {"TZR_BATTLES__SYNC_START_ID", std::to_string(kFirstId)},
                                           {"TZR_BATTLES__SYNC_NOT_FOUND_AFTER", "5"},
                                           {"TZR_BATTLES__SYNC_BACKOFF_MS", "20"},
                                           {"TZR_BATTLES__SYNC_TIMEOUT_MS", "10000"},
                                           {"TZR_BATTLES__SYNC_LEASE_MS", "3000"},  // a live worker never outlasts it, even on a loaded machine
                                           {"TZR_LOG__LEVEL", "warn"}},
        std::vector<std::string>{"battles"});
  };
  auto a = start("syncbot1:key-one,syncbot2:key-two");  // applies the migrations first
  auto b = start("syncbot3:key-three,syncbot4:key-four");
  auto stored = [&](TzrHost& h) { return http(h.port("battles"), "GET", "/battles/ingest/status").json().at("battles").as_int64(); };
  auto wait_for = [](auto done, std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  };
  ASSERT_TRUE(wait_for([&] { return stored(*b) >= 15; }, 60s));
  a->process().signal(SIGKILL);
  a->process().wait(10s);
  ASSERT_TRUE(wait_for([&] { return stored(*b) == battles; }, 90s)) << stored(*b);
  auto rows = scratch.db().query("SELECT COUNT(*), COUNT(DISTINCT battle_id) FROM battles");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->rows.at(0).integer(0), battles);
  EXPECT_EQ(rows->rows.at(0).integer(1), battles);

  // Requests per id: one each, except the ids the killed process held (at most one per worker).
  std::map<std::string, int> asked;
  const auto received = sim.received();
  for (const auto& m : received.as_array()) {
    const std::string raw(m.at("raw").as_string());
    if (raw.find("//blook ") != std::string::npos) ++asked[raw];
  }
  int asked_twice = 0;
  for (std::int64_t id = kFirstId; id < kFirstId + battles; ++id) {
    const int n = asked["<POST t=\"//blook " + std::to_string(id) + "\" />"];
    EXPECT_GE(n, 1) << id;
    EXPECT_LE(n, 2) << id;
    asked_twice += n == 2;
  }
  EXPECT_LE(asked_twice, 2);
}
