// The sync work queue's state machine on a real SQLite database, with a fake clock: cursors,
// leases, backoff, max attempts, not-found below and at the frontier, lag.
#include "app/platform_migrations.hpp"
#include "battles/sync_worker.hpp"
#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/temp_dir.hpp"

using namespace tzr::battles;

namespace {

struct QueueFixture {
  tzr::test::TempDir dir;
  std::unique_ptr<tzr::storage::Database> db;
  std::int64_t now = 1'000'000;
  std::unique_ptr<SyncQueue> queue;

  explicit QueueFixture(SyncOptions o = {}) {
    db = std::move(*tzr::storage::open_database("sqlite://" + dir.str() + "/q.db"));
    EXPECT_TRUE(tzr::storage::migrate(*db, tzr::app::platform_migrations()));
    queue = std::make_unique<SyncQueue>(*db, o, [this] { return now; });
  }
  std::string state(std::int64_t id) {
    auto r = db->query("SELECT state FROM battle_sync WHERE battle_id = ?", std::vector<tzr::storage::Value>{tzr::storage::Value{id}});
    return r && !r->rows.empty() ? r->rows[0].text(0) : "";
  }
};

SyncOptions options() {
  SyncOptions o;
  o.start_id = 100;
  o.max_attempts = 3;
  o.backoff = std::chrono::milliseconds(1000);
  o.lease = std::chrono::milliseconds(60000);
  o.not_found_after = 4;
  o.enqueue_batch = 10;
  return o;
}

}  // namespace

TEST(BattlesSyncQueue, ForwardCursorLeasesAndStopsAheadOfTheNewestBattle) {
  QueueFixture f(options());
  std::vector<std::int64_t> got;
  for (int i = 0; i < 6; ++i) {
    auto id = f.queue->claim();
    ASSERT_TRUE(id);
    if (*id) got.push_back(**id);
  }
  // Four ids ahead of the newest parsed one at most, each leased once.
  EXPECT_EQ(got, (std::vector<std::int64_t>{100, 101, 102, 103}));
  EXPECT_EQ(f.state(100), "fetching");
  ASSERT_TRUE(f.queue->mark_parsed(100));
  ASSERT_TRUE(f.queue->mark_parsed(101));
  auto next = f.queue->claim();
  ASSERT_TRUE(next && *next);
  EXPECT_EQ(**next, 104);
  EXPECT_EQ(*f.queue->lag(), 4);  // 102..105 requested, not fetched
  // A lease that runs out makes the id claimable again (a crashed worker).
  f.now += 60001;
  std::set<std::int64_t> reclaimed;
  for (int i = 0; i < 4; ++i)
    if (auto id = f.queue->claim(); id && *id) reclaimed.insert(**id);
  EXPECT_EQ(reclaimed, (std::set<std::int64_t>{102, 103, 104, 105}));
}

// Claims until id comes back (or n claims were made); true if it did.
bool claims(QueueFixture& f, std::int64_t id, int n) {
  for (int i = 0; i < n; ++i) {
    auto got = f.queue->claim();
    if (got && *got && **got == id) return true;
  }
  return false;
}

TEST(BattlesSyncQueue, RetriesWithBackoffThenFailed) {
  QueueFixture f(options());
  ASSERT_EQ(**f.queue->claim(), 100);
  ASSERT_TRUE(f.queue->mark_retry(100, "game_timeout"));
  EXPECT_EQ(f.state(100), "pending");
  EXPECT_FALSE(claims(f, 100, 6)) << "not due before the first backoff (1 s)";
  f.now += 1000;
  EXPECT_TRUE(claims(f, 100, 6));
  ASSERT_TRUE(f.queue->mark_retry(100, "game_timeout"));
  f.now += 1999;
  EXPECT_FALSE(claims(f, 100, 6)) << "the second backoff is 2 s";
  f.now += 1;
  EXPECT_TRUE(claims(f, 100, 6));
  ASSERT_TRUE(f.queue->mark_retry(100, "game_timeout"));
  EXPECT_EQ(f.state(100), "failed");
  f.now += 100000;
  EXPECT_FALSE(claims(f, 100, 10)) << "failed is final";
  auto requeued = f.queue->retry_failed();
  ASSERT_TRUE(requeued);
  EXPECT_EQ(*requeued, 1);
  EXPECT_EQ(f.state(100), "pending");
  EXPECT_TRUE(claims(f, 100, 10));
}

TEST(BattlesSyncQueue, NotFoundIsFinalBelowTheNewestBattleAndRetriedAtTheFrontier) {
  QueueFixture f(options());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(f.queue->claim());
  ASSERT_TRUE(f.queue->mark_not_found(103, "not_found"));
  EXPECT_EQ(f.state(103), "pending") << "nothing newer was parsed: the battle may not exist yet";
  ASSERT_TRUE(f.queue->mark_parsed(102));
  ASSERT_TRUE(f.queue->mark_not_found(101, "not_found"));
  EXPECT_EQ(f.state(101), "not_found");
  auto status = f.queue->status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->at("states").at("parsed").as_int64(), 1);
  EXPECT_EQ(status->at("cursors").at("forward").as_int64(), 104);
}

TEST(BattlesSyncPace, WaitsTheRestOfTheIntervalAndNeverLonger) {
  using namespace std::chrono;
  const steady_clock::time_point t0{seconds(100)};
  EXPECT_EQ(pace_delay(t0, t0, milliseconds(50)), milliseconds(50));
  EXPECT_EQ(pace_delay(t0, t0 + milliseconds(20), milliseconds(50)), milliseconds(30));
  EXPECT_EQ(pace_delay(t0, t0 + microseconds(49'500), milliseconds(50)), milliseconds(1));  // rounded up, never early
  EXPECT_EQ(pace_delay(t0, t0 + milliseconds(50), milliseconds(50)), milliseconds(0));
  EXPECT_EQ(pace_delay(t0, t0 + seconds(5), milliseconds(50)), milliseconds(0));
  EXPECT_EQ(pace_delay(t0, t0, milliseconds(0)), milliseconds(0));  // no pace configured
}
