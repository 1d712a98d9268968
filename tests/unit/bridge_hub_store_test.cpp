// The hub job table's claims on a real SQLite database: what lets several hubs share one table
// (one holder at a time, a dead holder's claim runs out, the holder takes its own back), the
// answered state a waiting caller at another hub reads, reopening on a retry, and the purge.
#include "app/platform_migrations.hpp"
#include "bridge/hub_store.hpp"
#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

using namespace tzr;
using namespace tzr::bridge;

namespace {

struct HubTable : ::testing::Test {
  test::TempDir dir;
  std::unique_ptr<storage::Database> db = std::move(*storage::open_database("sqlite://" + dir.str() + "/hub.db"));
  HubJobStore store{*db};

  void SetUp() override { ASSERT_TRUE(storage::migrate(*db, app::platform_migrations())); }
  void add(const std::string& id, std::int64_t created_at = 1000) {
    ASSERT_TRUE(store.insert(HubJob{id, "register", "print", {{"login", "x"}}, HubJob::Status::pending, std::nullopt, created_at}));
  }
  HubJob row(const std::string& id) { return store.find(id).value().value(); }
};

TEST_F(HubTable, OneHubHoldsAJobUntilItsClaimRunsOut) {
  add("j1");
  EXPECT_TRUE(store.claim("j1", "hub-a", 5000, 1000).value());
  EXPECT_FALSE(store.claim("j1", "hub-b", 5500, 1500).value()) << "a live claim of another hub";
  EXPECT_TRUE(store.claim("j1", "hub-a", 6000, 2000).value()) << "its own claim, again";
  EXPECT_TRUE(store.claim("j1", "hub-b", 9000, 6001).value()) << "hub-a's claim ran out";
  EXPECT_TRUE(store.claimable(0, 6001, 10).value().empty());
  EXPECT_EQ(store.claimable(0, 9001, 10).value().size(), 1u);
}

TEST_F(HubTable, RenewalKeepsOnlyTheHoldersClaimsAlive) {
  add("j1");
  add("j2");
  ASSERT_TRUE(store.claim("j1", "hub-a", 5000, 1000).value());
  ASSERT_TRUE(store.claim("j2", "hub-b", 5000, 1000).value());
  ASSERT_TRUE(store.renew({"j1", "j2"}, "hub-a", 20000));
  EXPECT_FALSE(store.claim("j1", "hub-b", 30000, 10000).value());
  EXPECT_TRUE(store.claim("j2", "hub-a", 30000, 10000).value()) << "hub-a cannot renew hub-b's claim";
}

TEST_F(HubTable, ADoneJobIsNeverClaimedAgainAndAnAnsweredOneWaitsForARetry) {
  add("done");
  add("answered");
  ASSERT_TRUE(store.finish("done", JobOutcome::success(boost::json::object{{"ok", true}}), 1100));
  EXPECT_FALSE(store.claim("done", "hub-a", 5000, 1000).value());
  ASSERT_TRUE(store.claim("answered", "hub-a", 5000, 1000).value());
  ASSERT_TRUE(store.answer("answered", JobOutcome::failed("local_timeout", "Timeout after 8.0s")));
  const HubJob a = row("answered");
  EXPECT_EQ(a.status, HubJob::Status::answered);
  ASSERT_TRUE(a.outcome);
  EXPECT_EQ(a.outcome->failure.code, "local_timeout");
  EXPECT_TRUE(store.claimable(0, 1000, 10).value().empty()) << "nobody runs an answered job in the background";
  ASSERT_TRUE(store.reopen("answered", 2000));
  const HubJob again = row("answered");
  EXPECT_EQ(again.status, HubJob::Status::pending);
  EXPECT_FALSE(again.outcome);
  EXPECT_EQ(again.created_at, 2000);
  EXPECT_EQ(store.claimable(0, 1000, 10).value().size(), 1u) << "claimable again, its claim given up";
}

TEST_F(HubTable, PurgeDropsOldFinishedJobsOnly) {
  add("old-done", 100);
  add("old-pending", 100);
  add("new-done", 5000);
  ASSERT_TRUE(store.finish("old-done", JobOutcome::success(boost::json::object{}), 200));
  ASSERT_TRUE(store.finish("new-done", JobOutcome::success(boost::json::object{}), 5100));
  EXPECT_EQ(store.purge(1000).value(), 1);
  EXPECT_FALSE(store.find("old-done").value());
  EXPECT_TRUE(store.find("old-pending").value());
  EXPECT_TRUE(store.find("new-done").value());
}

}  // namespace
