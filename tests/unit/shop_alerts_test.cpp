// Watch rules: parsing with clear errors, and evaluation over a diff.
#include "shop/alerts.hpp"

#include <gtest/gtest.h>

using namespace tzr::shop;

TEST(ShopAlerts, RulesParseAndRefuseNonsense) {
  auto r = parse_watch_rule("cheap-ammo:event=listed;category=a;search=Rounds;max_price=0.1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "cheap-ammo");
  EXPECT_EQ(r->category, "a");
  EXPECT_EQ(r->search, "rounds");
  EXPECT_EQ(r->max_price_cents, 10);
  EXPECT_FALSE(parse_watch_rule("no-conditions-or-id"));
  EXPECT_FALSE(parse_watch_rule("x:event=boom"));
  EXPECT_FALSE(parse_watch_rule("x:colour=red"));
  auto bad_price = parse_watch_rule("x:max_price=cheap");
  ASSERT_FALSE(bad_price);
  EXPECT_NE(bad_price.error().message.find("max_price"), std::string::npos);
}

TEST(ShopAlerts, ListedNewSellerAndBulkSold) {
  std::vector<ItemChange> changes;
  ItemChange added;
  added.type = "added";
  added.item_id = 1;
  added.category = "a";
  added.txt = "9x19 Rounds";
  added.new_price_cents = 8;
  changes.push_back(added);
  ItemChange pricey = added;
  pricey.item_id = 2;
  pricey.new_price_cents = 50;
  changes.push_back(pricey);
  for (int i = 0; i < 3; ++i) {
    ItemChange sold;
    sold.type = "removed";
    sold.item_id = 10 + i;
    sold.category = "k";
    changes.push_back(sold);
  }
  std::vector<SnapshotItem> items(2);
  items[0].category = "a";
  items[0].item.id = 1;
  items[0].item.owner = "Newcomer";
  items[1].category = "a";
  items[1].item.id = 2;
  items[1].item.owner = "PlayerX";
  std::set<std::string> before{"PlayerX"};
  DiffContext ctx{"moscow", 7, &changes, &items, &before};
  std::vector<WatchRule> rules{*parse_watch_rule("cheap:search=rounds;max_price=0.1"), *parse_watch_rule("sellers:event=new_seller"),
                               *parse_watch_rule("rush:event=bulk_sold;min_sold=3"), *parse_watch_rule("elsewhere:shop=neva")};
  auto alerts = evaluate(rules, ctx);
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].rule, "cheap");
  EXPECT_EQ(alerts[0].key, "1");
  EXPECT_EQ(alerts[0].payload.at("owner"), "Newcomer");
  EXPECT_EQ(alerts[1].key, "seller:Newcomer");
  EXPECT_EQ(alerts[2].key, "snapshot:7");
  EXPECT_EQ(alerts[2].payload.at("sold"), 3);
}
