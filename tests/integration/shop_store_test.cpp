// The shop's SQL store on SQLite and PostgreSQL with hand-made snapshots: current state, the
// stored diff, history per item and template (unit prices of stacks), anomalies, sellers.
#include "shop/migrations.hpp"
#include "shop/shop_store.hpp"
#include "storage/migrations.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/backends.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"

using namespace tzr;

namespace {

shop::SnapshotItem goods(std::int64_t id, double price, std::string name = "b1-k1", std::optional<std::int64_t> count = {},
                         std::optional<std::string> owner = {}, std::string category = "k") {
  shop::ShopItem it;
  it.id = id;
  it.txt = "Goods " + std::to_string(id);
  it.name = std::move(name);
  it.type = "1.1";
  it.price = price;
  it.count = count;
  it.owner = std::move(owner);
  it.infinty = !it.owner;
  return {std::move(category), std::move(it)};
}

shop::SnapshotData snapshot(std::vector<shop::SnapshotItem> items, std::int64_t at) {
  shop::SnapshotData d;
  d.shop = "moscow";
  d.started_by = "test";
  d.started_at = at;
  d.finished_at = at + 5;
  for (const char* c : {"k", "a"}) {
    shop::CategoryResult r;
    r.category = c;
    d.categories.push_back(r);
  }
  d.items = std::move(items);
  return d;
}

void exercise(storage::Database& db) {
  ASSERT_TRUE(storage::migrate(db, shop::migrations()));
  shop::SqlShopStore store(db);
  ASSERT_TRUE(store.ensure_shop({"moscow", "Moscow", "Sova Moscow"}));
  ASSERT_TRUE(store.ensure_shop({"moscow", "Moscow", "Sova Moscow"}));  // idempotent
  const std::int64_t t0 = 1'760'000'000;
  std::vector<shop::SnapshotItem> first;
  for (int i = 0; i < 8; ++i) first.push_back(goods(100 + i, 10.0 + i % 3));  // 10, 11, 12 …
  first.push_back(goods(200, 95.0));                                          // far above its template
  first.push_back(goods(300, 5.0, "b1-a1", 250, std::string("PlayerX"), "a"));  // a stack: 0.02 a round
  first.push_back(goods(301, 3.0, "b1-a1", 100, std::string("Trader77"), "a"));
  auto s1 = store.save_snapshot(snapshot(first, t0));
  ASSERT_TRUE(s1) << s1.error().message;
  EXPECT_FALSE(s1->previous_id);

  auto second = first;
  second.erase(second.begin());       // 100 sold
  second[0].item.price = 13.0;        // 101 repriced 11 → 13
  second[8].item.count = 200;         // 300: 50 rounds sold
  second.push_back(goods(400, 12.0));  // new
  auto s2 = store.save_snapshot(snapshot(second, t0 + 3600));
  ASSERT_TRUE(s2) << s2.error().message;
  EXPECT_EQ(s2->previous_id, s1->id);
  EXPECT_EQ(s2->changes, 4u);

  auto diff = store.diff(s1->id, s2->id);
  ASSERT_TRUE(diff);
  std::map<std::string, std::int64_t> kinds;
  for (const auto& c : *diff) kinds[c.type] = c.item_id;
  EXPECT_EQ(kinds, (std::map<std::string, std::int64_t>{{"removed", 100}, {"price_changed", 101}, {"count_changed", 300}, {"added", 400}}));

  shop::ItemQuery q;
  q.shop = "moscow";
  auto listed = store.items(q);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 11);  // 100 gone
  q.include_removed = true;
  EXPECT_EQ(store.items(q)->total, 12);
  q.include_removed = false;
  q.search = "GOODS 30";
  EXPECT_EQ(store.items(q)->total, 2);  // 300, 301
  q.search.reset();
  q.owner = "PlayerX";
  auto mine = store.items(q);
  ASSERT_EQ(mine->total, 1);
  EXPECT_EQ(mine->items[0].at("count"), 200);
  EXPECT_NEAR(mine->items[0].at("unit_price").as_double(), 0.025, 1e-9);

  auto history = store.item_history(101, std::string("moscow"));
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].at("price"), 11.0);
  EXPECT_EQ((*history)[1].at("price"), 13.0);

  auto tpl = store.template_history("b1-a1", "1.1", std::nullopt);
  ASSERT_TRUE(tpl);
  ASSERT_EQ(tpl->size(), 2u);
  const auto& last = (*tpl)[1].as_object();
  EXPECT_EQ(last.at("listings"), 2);
  EXPECT_EQ(last.at("volume"), 300);  // 200 + 100 rounds
  EXPECT_NEAR(last.at("unit_min").as_double(), 0.025, 1e-9);
  EXPECT_NEAR(last.at("unit_max").as_double(), 0.03, 1e-9);

  auto anomalies = store.price_anomalies(std::string("moscow"), 5, 100);
  ASSERT_TRUE(anomalies);
  ASSERT_EQ(anomalies->size(), 1u);
  EXPECT_EQ((*anomalies)[0].at("item_id"), 200);
  EXPECT_EQ((*anomalies)[0].at("direction"), "expensive");

  auto sellers = store.seller_stats(std::nullopt, 1, 10);
  ASSERT_TRUE(sellers);
  EXPECT_EQ(sellers->size(), 2u);  // players only: NPC stock has no seller
  auto summary = store.seller_summary("PlayerX", std::nullopt);
  ASSERT_TRUE(summary && *summary);
  EXPECT_EQ((**summary).at("total_items"), 1);
  EXPECT_FALSE(*store.seller_summary("Nobody", std::nullopt));

  auto price_changes = store.changes(std::string("moscow"), "price_changed", std::nullopt, 10.0, 10, 0);
  ASSERT_TRUE(price_changes);
  ASSERT_EQ(price_changes->total, 1);  // 11 → 13 is +18.18 %
  EXPECT_EQ(price_changes->items[0].at("price_diff_percent"), 18.18);
  EXPECT_EQ(store.changes(std::string("moscow"), "price_changed", std::nullopt, 20.0, 10, 0)->total, 0);

  auto through = store.sell_through(std::nullopt, 0);
  ASSERT_TRUE(through);
  EXPECT_EQ(through->at("sold_items"), 1);
  EXPECT_EQ(through->at("median_listed_s"), 3600);

  auto snaps = store.snapshots(std::string("moscow"), 10, 0);
  ASSERT_TRUE(snaps);
  EXPECT_EQ(snaps->total, 2);
  EXPECT_EQ(snaps->items[0].at("id"), s2->id);  // newest first

  // Retention: the first snapshot goes with its rows, the newest stays, sold goods past the cut go.
  auto dropped = store.prune("moscow", t0 + 3600);
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 1);
  EXPECT_EQ(store.snapshots(std::string("moscow"), 10, 0)->total, 1);
  EXPECT_TRUE(store.item_history(100, std::nullopt)->empty());
  EXPECT_EQ(store.item_history(101, std::nullopt)->size(), 1u);
  EXPECT_EQ(*store.prune("moscow", t0 + 999'999), 0);  // never the newest
  q.include_removed = true;
  q.owner.reset();
  EXPECT_EQ(store.items(q)->total, 11);  // 100 (sold before the cut) is gone
}

}  // namespace

TEST(ShopStore, SqliteSnapshotsDiffHistoryAndAnalytics) {
  test::TempDir dir;
  test::ScratchDatabase scratch("sqlite", dir);
  exercise(scratch.db());
}

TEST(ShopStore, PostgresSnapshotsDiffHistoryAndAnalytics) {
  TZR_REQUIRE_SERVER_URL(server, "TZR_TEST_POSTGRES_URL");
  test::TempDir dir;
  test::ScratchDatabase scratch("postgres", dir, server);
  exercise(scratch.db());
}
