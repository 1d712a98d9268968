// Two shop crawler processes (`tzrhost serve --only shop`) on one PostgreSQL database against
// `tzrhost game-sim`: one owner per bot account (the simulator never sees two sessions of one
// bot), snapshots only from the owner, a trigger at the other instance refused with the owner's
// name, and the owner SIGKILLed mid-crawl: the other takes the bot over and crawls on.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/backends.hpp"
#include "support/game_sim_process.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <csignal>
#include <thread>

using namespace tzr;
using namespace tzr::test;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "shop-scale-admin-token-0123456789";

class ShopScaleOut : public ::testing::Test {
 protected:
  void SetUp() override {
    TZR_REQUIRE_SERVER_URL(server, "TZR_TEST_POSTGRES_URL");
    db = std::make_unique<ScratchDatabase>("postgres", dir, server);
  }

  void start(int i, int lease_ms = 1500) {
    hosts[i] = std::make_unique<TzrHost>(
        std::vector<std::string>{"serve", "--only", "shop"},
        std::map<std::string, std::string>{{"TZR_STORAGE__URL", db->url()},
                                           {"TZR_SERVER__INSTANCE_ID", "crawler-" + std::to_string(i)},
                                           {"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                           {"TZR_ADMIN__TOKEN", kToken},
                                           {"TZR_SHOP__SHOPS", "moscow:Moscow:Sova Moscow"},
                                           {"TZR_SHOP__BOT_KEYS", "moscow:key-moscow"},
                                           {"TZR_SHOP__CATEGORIES", "k,p,v,w"},
                                           {"TZR_SHOP__SNAPSHOT_INTERVAL_S", "1"},
                                           {"TZR_SHOP__LEASE_MS", std::to_string(lease_ms)},
                                           {"TZR_SHOP__REQUEST_DELAY_MS", "0"},
                                           {"TZR_SHOP__RETRY_DELAY_MS", "10"},
                                           {"TZR_LOG__LEVEL", "warn"},
                                           {"TZR_LOG__ACCESS", "false"}},
        std::vector<std::string>{"shop"});
  }

  boost::json::object bot(int i) {
    auto r = http(hosts[i]->port("shop"), "GET", "/admin/bots/status", {}, {{"Authorization", "Bearer " + kToken}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("bots").as_array().at(0).as_object();
  }

  // Waits until instance `i` reports the lease as `state`.
  bool lease_is(int i, const std::string& state, std::chrono::milliseconds timeout = 10s) {
    for (auto end = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < end;) {
      if (bot(i).at("lease") == state.c_str()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  std::int64_t snapshots_by_now() {
    return db->db().query("SELECT COUNT(*) FROM shop_snapshots").value().rows.at(0).integer(0);
  }

  // The most game sessions the simulator ever saw open at once for the bot account.
  std::int64_t max_sessions() {
    auto s = http(sim.control_port(), "GET", "/sim/sessions").json().as_object();
    const auto* bot = s.if_contains("sova moscow");
    return bot ? bot->at("max_open").to_number<std::int64_t>() : 0;
  }

  TempDir dir;
  GameSimProcess sim;
  std::unique_ptr<ScratchDatabase> db;
  std::unique_ptr<TzrHost> hosts[2];
};

TEST_F(ShopScaleOut, OneInstanceOwnsTheBotAndTheOtherTakesItOverWhenItIsKilled) {
  start(0);
  ASSERT_TRUE(lease_is(0, "held"));
  start(1);
  ASSERT_TRUE(lease_is(1, "elsewhere"));
  EXPECT_EQ(bot(1).at("lease_holder"), "crawler-0");

  // Snapshots come from the owner; the other never logs the bot in.
  for (int i = 0; i < 200 && snapshots_by_now() < 3; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_GE(snapshots_by_now(), 3);
  EXPECT_EQ(bot(1).at("logins"), 0);
  auto refused = http(hosts[1]->port("shop"), "POST", "/admin/snapshot/trigger?shop_code=moscow", {},
                      {{"Authorization", "Bearer " + kToken}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json().at("error"), "shop_bot_elsewhere");

  // The owner dies mid-crawl (replies slowed down); its lease runs out and crawler-1 crawls on.
  sim.set_mode("slow", 200);
  std::this_thread::sleep_for(300ms);
  hosts[0]->process().signal(SIGKILL);
  hosts[0]->process().wait(5s);
  sim.set_mode("ok");
  const auto before = snapshots_by_now();
  ASSERT_TRUE(lease_is(1, "held"));
  for (int i = 0; i < 200 && snapshots_by_now() < before + 2; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_GE(snapshots_by_now(), before + 2);
  EXPECT_GE(bot(1).at("logins").to_number<std::int64_t>(), 1);
  EXPECT_EQ(max_sessions(), 1) << "two instances had the bot logged in at once";
}

TEST_F(ShopScaleOut, AStoppedOwnerReleasesTheBotAtOnce) {
  start(0, 6000);
  ASSERT_TRUE(lease_is(0, "held"));
  start(1, 6000);
  ASSERT_TRUE(lease_is(1, "elsewhere"));
  hosts[0].reset();  // SIGTERM: a clean stop gives the lease back
  // The other takes it at its next attempt (every third of the lease), long before the lease
  // would have run out.
  ASSERT_TRUE(lease_is(1, "held", 4000ms));
  EXPECT_LE(max_sessions(), 1);
}

}  // namespace
