// The simulated shops without sockets: SH through SimState, paged and grouped like the real
// server, deterministic under a seed, and advance() reporting exactly what it changed.
#include "game/sim/shop_control.hpp"
#include "game/sim/shop_world.hpp"
#include "game/sim/sim_state.hpp"
#include "shop/page_parser.hpp"
#include "shop/shop_protocol.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace tzr::game::sim;

namespace {

struct Wire {
  std::shared_ptr<SimShops> shops = std::make_shared<SimShops>();
  SimState state{1, FaultSetting{}, with_shop_bots({})};
  SimSession session;
  Wire() {
    add_standard_handlers(state);
    install_shop_handlers(state, shops);
    session.id = 1;
  }
  std::vector<std::string> send(const std::string& frame) {
    return state.receive(session, frame.substr(0, frame.size() - 1)).replies;
  }
};

}  // namespace

TEST(ShopSim, ShIsRefusedBeforeLogin) {
  Wire w;
  auto r = w.send(tzr::shop::shop_frame("k", "", 0));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(tzr::shop::classify(r[0]), tzr::shop::MessageKind::error);
}

TEST(ShopSim, ListingPagesGroupsAndRepeatsTheLastPage) {
  Wire w;
  ASSERT_EQ(w.send(tzr::shop::login_frame("Sova Moscow", "key")), std::vector<std::string>{"<OK/>"});
  auto page0 = tzr::shop::parse_page(w.send(tzr::shop::shop_frame("k", "", 0)).at(0));
  ASSERT_TRUE(page0);
  EXPECT_EQ(page0->items.size(), 50u);  // k spans two pages
  auto page1 = tzr::shop::parse_page(w.send(tzr::shop::shop_frame("k", "", 1)).at(0));
  auto page9 = tzr::shop::parse_page(w.send(tzr::shop::shop_frame("k", "", 9)).at(0));
  ASSERT_TRUE(page1 && page9);
  ASSERT_EQ(page1->items.size(), page9->items.size());
  EXPECT_EQ(page1->items.front().id, page9->items.front().id);  // past the end: the last page again

  auto ammo = tzr::shop::parse_page(w.send(tzr::shop::shop_frame("a", "", 0)).at(0));
  ASSERT_TRUE(ammo);
  ASSERT_EQ(ammo->groups.size(), 1u);
  EXPECT_TRUE(ammo->items.front().count.has_value());  // stacks
  auto group = tzr::shop::parse_page(w.send(tzr::shop::shop_frame("a", ammo->groups[0].filter(), 0)).at(0));
  ASSERT_TRUE(group);
  EXPECT_EQ(group->items.size(), 8u);  // group pages of 8
  EXPECT_EQ(group->filter, ammo->groups[0].filter());
}

TEST(ShopSim, AdvanceReportsExactlyWhatChanged) {
  SimShops a, b;  // same seed: same world
  EXPECT_EQ(a.inventory("moscow").size(), b.inventory("moscow").size());
  std::set<std::int64_t> before;
  for (const auto& it : a.inventory("moscow")) before.insert(it.id);
  auto changes = a.advance();
  std::set<std::int64_t> after;
  for (const auto& it : a.inventory("moscow")) after.insert(it.id);
  for (auto id : changes.removed) {
    if (before.count(id)) {
      EXPECT_FALSE(after.count(id));
    }
  }
  std::size_t removed_here = 0, added_here = 0;
  for (auto id : changes.removed) removed_here += before.count(id);
  for (auto id : changes.added) added_here += after.count(id);
  EXPECT_EQ(after.size(), before.size() - removed_here + added_here);
  EXPECT_FALSE(changes.price_changed.empty());
  EXPECT_FALSE(changes.count_changed.empty());
}

TEST(ShopSim, CategoryFaultClosesTheConnection) {
  Wire w;
  w.send(tzr::shop::login_frame("Sova Moscow", "key"));
  w.shops->set_fault({"k", 1, "drop", 1});
  EXPECT_FALSE(w.send(tzr::shop::shop_frame("k", "", 0)).empty());
  auto frame = tzr::shop::shop_frame("k", "", 1);
  auto outcome = w.state.receive(w.session, frame.substr(0, frame.size() - 1));
  EXPECT_TRUE(outcome.close);
  EXPECT_FALSE(w.send(tzr::shop::shop_frame("k", "", 1)).empty());  // times = 1: served again
}
