// Snapshot diff (shop.md §4.5, §9 #16–#18) and snapshot status, on plain values.
#include "shop/snapshot.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace tzr::shop;

namespace {

ItemState item(std::int64_t id, std::optional<std::int64_t> cents = 1000, std::string category = "k") {
  ItemState s;
  s.item_id = id;
  s.category = std::move(category);
  s.price_cents = cents;
  s.txt = "item " + std::to_string(id);
  return s;
}

std::map<std::string, std::vector<std::int64_t>> by_type(const std::vector<ItemChange>& changes) {
  std::map<std::string, std::vector<std::int64_t>> out;
  for (const auto& c : changes) out[c.type].push_back(c.item_id);
  return out;
}

const std::set<std::string> kAll{"k", "p", "a"};

}  // namespace

TEST(ShopDiff, AddedItemsCarryTheirNewState) {  // §9 #17
  auto changes = diff_snapshots({item(100), item(101)}, {item(100), item(101), item(102, 1500), item(103)}, kAll);
  EXPECT_EQ(by_type(changes), (std::map<std::string, std::vector<std::int64_t>>{{"added", {102, 103}}}));
  EXPECT_EQ(changes[0].new_price_cents, 1500);
}

TEST(ShopDiff, RemovedItemsAndIdenticalSets) {  // §9 #17
  auto removed = diff_snapshots({item(100), item(101), item(102)}, {item(100)}, kAll);
  EXPECT_EQ(by_type(removed), (std::map<std::string, std::vector<std::int64_t>>{{"removed", {101, 102}}}));
  EXPECT_TRUE(diff_snapshots({item(100), item(101)}, {item(101), item(100)}, kAll).empty());
}

TEST(ShopDiff, PriceCountQualityOwnerChanges) {  // §9 #18
  auto before = item(1, 1000);
  auto after = item(1, 1200);
  auto stack_before = item(2, 5, "a");
  stack_before.count = 250;
  auto stack_after = stack_before;
  stack_after.count = 200;
  auto owned_before = item(3);
  owned_before.owner = "PlayerX";
  owned_before.quality = 100;
  auto owned_after = owned_before;
  owned_after.owner = "Trader77";
  owned_after.quality = 90;
  auto changes = diff_snapshots({before, stack_before, owned_before}, {after, stack_after, owned_after}, kAll);
  auto types = by_type(changes);
  EXPECT_EQ(types["price_changed"], std::vector<std::int64_t>{1});
  EXPECT_EQ(types["count_changed"], std::vector<std::int64_t>{2});
  EXPECT_EQ(types["owner_changed"], std::vector<std::int64_t>{3});
  EXPECT_EQ(types["quality_changed"], std::vector<std::int64_t>{3});
  for (const auto& c : changes) {
    if (c.type == "price_changed") {
      EXPECT_EQ(c.old_price_cents, 1000);
      EXPECT_EQ(c.new_price_cents, 1200);  // +2.00, +20 %
    }
    if (c.type == "count_changed") {
      EXPECT_EQ(c.old_count, 250);
      EXPECT_EQ(c.new_count, 200);
    }
  }
}

TEST(ShopDiff, OnlyCategoriesCompleteInBothCountForAddedAndRemoved) {  // §9 #16, §8.1 #12
  // Category p was partial in one of the runs: its unseen items are not "sold", its new ones
  // not "added"; a price change seen in both runs still counts.
  auto p_before = item(20, 100, "p");
  auto p_after = item(20, 150, "p");
  auto changes = diff_snapshots({item(1), p_before, item(21, 5, "p")}, {item(1), p_after, item(22, 5, "p")}, {"k"});
  EXPECT_EQ(by_type(changes), (std::map<std::string, std::vector<std::int64_t>>{{"price_changed", {20}}}));
}

TEST(ShopDiff, PricesAreWholeCents) {
  EXPECT_EQ(to_cents(0.05), 5);
  EXPECT_EQ(to_cents(0.3), 30);
  EXPECT_EQ(to_cents(4.0), 400);
  EXPECT_EQ(to_cents(0.125), 13);
  EXPECT_FALSE(to_cents(std::nullopt));
}

TEST(ShopSnapshot, StatusFromCategories) {
  SnapshotData d;
  CategoryResult k, p;
  k.category = "k";
  p.category = "p";
  d.categories = {k, p};
  EXPECT_EQ(d.status(), "ok");
  d.categories[1].status = CategoryStatus::partial;
  EXPECT_EQ(d.status(), "partial");
  d.categories[0].status = CategoryStatus::failed;
  d.categories[1].status = CategoryStatus::failed;
  EXPECT_EQ(d.status(), "failed");
}
