// The registration outcome store and its queue on SQLite: keyset pages newest first, code and
// time filters, per-day counts zero-filled, pruning, a queue that keeps outcomes while the store
// is busy, drops the oldest beyond its bound and a batch refused for good, and login truncation on a
// UTF-8 boundary.
#include "app/platform_migrations.hpp"
#include "registration/outcomes.hpp"
#include "storage/migrations.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace tzr;
using namespace tzr::registration;

namespace {

// A filter (designated initializers would have to name every field under -Wextra).
tzr::registration::OutcomeFilter filter(std::int64_t from, std::int64_t to, std::int64_t limit,
                                         std::optional<std::string> code = std::nullopt,
                                         std::optional<std::int64_t> before_id = std::nullopt) {
  tzr::registration::OutcomeFilter f;
  f.code = std::move(code);
  f.from = from;
  f.to = to;
  f.before_id = before_id;
  f.limit = limit;
  return f;
}

constexpr std::int64_t kDay0 = 20'000;  // a UTC day number
constexpr std::int64_t kT0 = kDay0 * 86400;

RegistrationOutcome outcome(std::int64_t at, std::string code, std::string login = "alice") {
  return RegistrationOutcome{0, at, std::move(code), std::move(login), "facade", 12};
}

struct OutcomeStoreTest : ::testing::Test {
  test::TempDir dir;
  std::unique_ptr<storage::Database> db = std::move(*storage::open_database("sqlite://" + dir.str() + "/p.db"));
  OutcomeStore store{*db};
  void SetUp() override { ASSERT_TRUE(storage::migrate(*db, app::platform_migrations())); }
};

}  // namespace

TEST_F(OutcomeStoreTest, PagesNewestFirstWithCodeAndTimeFilters) {
  std::vector<RegistrationOutcome> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(outcome(kT0 + i, i % 2 ? "login_taken" : "ok", "p" + std::to_string(i)));
  ASSERT_TRUE(store.append(batch));
  auto first = store.recent(filter(0, kT0 + 100, 2));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].login, "p4");
  EXPECT_EQ((*first)[1].login, "p3");
  EXPECT_EQ((*first)[0].source, "facade");
  EXPECT_EQ((*first)[0].duration_ms, 12);
  auto next = store.recent(filter(0, kT0 + 100, 10, std::nullopt, (*first)[1].id));
  ASSERT_TRUE(next);
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ((*next)[0].login, "p2");
  EXPECT_EQ((*next)[2].login, "p0");

  auto taken = store.recent(filter(0, kT0 + 100, 10, "login_taken"));
  ASSERT_TRUE(taken);
  ASSERT_EQ(taken->size(), 2u);
  EXPECT_EQ((*taken)[0].login, "p3");
  auto range = store.recent(filter(kT0 + 1, kT0 + 3, 10));  // [from, to)
  ASSERT_TRUE(range);
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].login, "p2");
  EXPECT_EQ((*range)[1].login, "p1");
}

TEST_F(OutcomeStoreTest, DayCountsAndSummaryAreZeroFilledAndPruneRemovesOldRows) {
  ASSERT_TRUE(store.append({outcome(kT0 + 5, "ok"), outcome(kT0 + 86399, "ok"), outcome(kT0 + 86400, "limit_exceeded"),
                            outcome(kT0 + 3 * 86400, "ok"), outcome(kT0 + 3 * 86400 + 1, "validation_error")}));
  auto rows = store.day_counts(kT0, kT0 + 4 * 86400);
  ASSERT_TRUE(rows);
  const auto s = summarize(*rows, kDay0, 4);
  EXPECT_EQ(s.total, 5);
  ASSERT_EQ(s.by_code.size(), 3u);
  EXPECT_EQ(s.by_code[0].code, "ok");
  EXPECT_EQ(s.by_code[0].count, 3);
  EXPECT_EQ(s.by_code[1].code, "limit_exceeded");  // equal counts keep the codes' order
  ASSERT_EQ(s.by_day.size(), 4u);
  EXPECT_EQ(s.by_day[0].day, kDay0);
  EXPECT_EQ(s.by_day[0].total, 2);
  EXPECT_EQ(s.by_day[1].by_code.at("limit_exceeded"), 1);
  EXPECT_EQ(s.by_day[2].total, 0);
  EXPECT_TRUE(s.by_day[2].by_code.empty());
  EXPECT_EQ(s.by_day[3].total, 2);

  auto pruned = store.prune_before(kT0 + 86400);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 2);
  auto left = store.recent(filter(0, kT0 + 10 * 86400, 10));
  ASSERT_TRUE(left);
  EXPECT_EQ(left->size(), 3u);
}

TEST(OutcomeRecorder, KeepsOutcomesWhileTheStoreIsBusyAndDropsTheOldestBeyondItsBound) {
  test::TempDir dir;
  const std::string url = "sqlite://" + dir.str() + "/p.db";
  auto db = std::move(*storage::open_database(url, {.pool_size = 1, .busy_timeout_ms = 1}));
  ASSERT_TRUE(storage::migrate(*db, app::platform_migrations()));
  OutcomeStore store{*db};
  OutcomeRecorder recorder{store, 3};
  for (int i = 0; i < 4; ++i) recorder.record(outcome(kT0 + i, "ok", "p" + std::to_string(i)));
  EXPECT_EQ(recorder.dropped(), 1);
  // Another connection holds the write lock: the flush fails as retryable and keeps the queue.
  auto other = std::move(*storage::open_database(url));
  auto held = other->transaction([&](storage::Session& s) -> Status {
    if (auto r = s.query("DELETE FROM registration_outcomes WHERE id < 0"); !r) return r.error();
    EXPECT_FALSE(recorder.flush()) << "the database is locked";
    return {};
  });
  ASSERT_TRUE(held);
  ASSERT_TRUE(recorder.flush());
  auto rows = store.recent(filter(0, kT0 + 100, 10));
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].login, "p3");
  EXPECT_EQ((*rows)[2].login, "p1");  // p0 was the oldest beyond the bound
  ASSERT_TRUE(recorder.flush());      // nothing left to write
  rows = store.recent(filter(0, kT0 + 100, 10));
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 3u);
  EXPECT_EQ(recorder.dropped(), 1);
}

TEST(OutcomeRecorder, ABatchRefusedForAnotherReasonIsDroppedNotRetriedForever) {
  test::TempDir dir;
  auto db = std::move(*storage::open_database("sqlite://" + dir.str() + "/p.db"));
  OutcomeStore store{*db};  // no table: every write is a db_error
  OutcomeRecorder recorder{store};
  recorder.record(outcome(kT0, "ok"));
  recorder.record(outcome(kT0 + 1, "ok"));
  EXPECT_FALSE(recorder.flush());
  EXPECT_EQ(recorder.dropped(), 2);
  ASSERT_TRUE(storage::migrate(*db, app::platform_migrations()));
  recorder.record(outcome(kT0 + 2, "ok", "later"));
  ASSERT_TRUE(recorder.flush());
  auto rows = store.recent(filter(0, kT0 + 100, 10));
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].login, "later");
}

TEST(OutcomeLogin, IsCutToSixtyFourBytesOnACharacterBoundary) {
  EXPECT_EQ(outcome_login("alice"), "alice");
  std::string cyrillic;
  for (int i = 0; i < 40; ++i) cyrillic += "ж";  // 2 bytes each
  EXPECT_EQ(outcome_login(cyrillic).size(), 64u);
  const std::string odd = "a" + cyrillic;  // the 64th byte would split a letter
  const std::string cut = outcome_login(odd);
  EXPECT_EQ(cut.size(), 63u);
  EXPECT_EQ(cut, odd.substr(0, 63));
  EXPECT_EQ(outcome_login(std::string("a\0b\n", 4)), "a?b?");
}
