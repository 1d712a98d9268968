// The shop feature against the real game simulator over TCP, on SQLite: two snapshots around a
// known change of the simulated shop give exactly that diff; a category that fails mid-crawl
// gives a partial snapshot and no false "sold" items; a refused login gives a clear error and no
// login loop; an idle bot sends keep-alives.
#include "game/sim/game_sim.hpp"
#include "shop/migrations.hpp"
#include "shop/shop_service.hpp"
#include "storage/migrations.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "support/backends.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_http_server.hpp"

#include <boost/json/parse.hpp>

#include <functional>
#include <mutex>
#include <set>
#include <thread>

using namespace tzr;
using namespace std::chrono_literals;

namespace {

struct ShopRig {
  explicit ShopRig(std::map<std::string, std::string> keys = {{"moscow", "key-moscow"}},
                   std::chrono::milliseconds keepalive = 30s, std::vector<shop::ShopDefinition> shops = shop::default_shops(),
                   std::string db_url = {}, std::function<void(shop::ShopServiceOptions&)> tweak = {}) {
    game::sim::SimOptions so;
    so.port = 0;
    sim = std::make_unique<game::sim::GameSim>(so);
    auto port = sim->start();
    EXPECT_TRUE(port);
    auto opened = storage::open_database(db_url.empty() ? "sqlite://" + (dir / "shop.db").string() : db_url);
    EXPECT_TRUE(opened);
    db = std::move(*opened);
    EXPECT_TRUE(storage::migrate(*db, shop::migrations()));
    store = std::make_unique<shop::SqlShopStore>(*db);
    shop::ShopServiceOptions o;
    o.keys = std::move(keys);
    o.shops = std::move(shops);
    o.interval = 0s;
    o.snapshot_on_start = false;
    o.crawl.page_attempts = 2;
    o.crawl.retry_delay = 10ms;
    o.bot.port = *port;
    o.bot.greeting_wait = 50ms;
    o.bot.request_timeout = 2s;
    o.bot.keepalive = keepalive;
    o.bot.backoff_base = 10ms;
    o.bot.backoff_max = 50ms;
    if (tweak) tweak(o);
    service = std::make_unique<shop::ShopService>(ioc.get_executor(), *store, pool, std::move(o));
    EXPECT_TRUE(service->init());
    service->start();
    thread = std::thread([this] { ioc.run(); });
  }
  ~ShopRig() {
    service->stop();
    work.reset();
    ioc.stop();
    thread.join();
    pool.stop();
    service.reset();
    sim->stop();
  }

  shop::JobInfo snapshot(const std::string& shop = "moscow") {
    auto id = service->trigger(shop, "test");
    EXPECT_TRUE(id);
    for (int i = 0; i < 600; ++i) {
      auto job = service->job(*id);
      if (job && (job->state == "done" || job->state == "failed")) return *job;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "snapshot did not finish";
    return {};
  }

  test::TempDir dir;
  std::unique_ptr<game::sim::GameSim> sim;
  boost::asio::io_context ioc;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{boost::asio::make_work_guard(ioc)};
  BlockingPool pool{2};
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<shop::SqlShopStore> store;
  std::unique_ptr<shop::ShopService> service;
  std::thread thread;
};

std::set<std::int64_t> ids_of(const std::vector<game::sim::SimShopItem>& items) {
  std::set<std::int64_t> out;
  for (const auto& it : items) out.insert(it.id);
  return out;
}

}  // namespace

void two_snapshots_give_exactly_the_known_diff(ShopRig& rig) {
  const auto before = ids_of(rig.sim->shops().inventory("moscow"));
  auto first = rig.snapshot();
  ASSERT_EQ(first.state, "done") << first.error;
  ASSERT_TRUE(first.snapshot);
  EXPECT_EQ(first.snapshot->status, "ok");
  EXPECT_EQ(first.snapshot->items, before.size());  // every item, groups opened, nothing twice

  const auto changes = rig.sim->shops().advance();
  const auto after = ids_of(rig.sim->shops().inventory("moscow"));
  auto second = rig.snapshot();
  ASSERT_EQ(second.state, "done") << second.error;
  ASSERT_EQ(second.snapshot->previous_id, first.snapshot->id);

  std::set<std::int64_t> want_added, want_removed, got_added, got_removed;
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> want_price, want_count, got_price, got_count;
  for (auto id : changes.added)
    if (after.count(id)) want_added.insert(id);
  for (auto id : changes.removed)
    if (before.count(id)) want_removed.insert(id);
  for (const auto& c : changes.price_changed)
    if (after.count(c.id)) want_price[c.id] = {c.old_value, c.new_value};
  for (const auto& c : changes.count_changed)
    if (after.count(c.id)) want_count[c.id] = {c.old_value, c.new_value};
  ASSERT_FALSE(want_removed.empty());

  auto diff = rig.store->diff(first.snapshot->id, second.snapshot->id);
  ASSERT_TRUE(diff);
  for (const auto& c : *diff) {
    if (c.type == "added") got_added.insert(c.item_id);
    else if (c.type == "removed") got_removed.insert(c.item_id);
    else if (c.type == "price_changed") got_price[c.item_id] = {*c.old_price_cents, *c.new_price_cents};
    else if (c.type == "count_changed") got_count[c.item_id] = {*c.old_count, *c.new_count};
    else ADD_FAILURE() << "unexpected change " << c.type;
  }
  EXPECT_EQ(got_added, want_added);
  EXPECT_EQ(got_removed, want_removed);
  EXPECT_EQ(got_price, want_price);
  EXPECT_EQ(got_count, want_count);
  EXPECT_EQ(second.snapshot->changes, diff->size());  // the stored diff is the same

  // The store's current state: sold goods are no longer listed, filters hold.
  shop::ItemQuery q;
  q.shop = "moscow";
  q.limit = 1000;
  auto listed = rig.store->items(q);
  ASSERT_TRUE(listed);
  EXPECT_EQ(static_cast<std::size_t>(listed->total), after.size());
  q.category = "a";
  q.min_price_cents = 10;
  q.max_price_cents = 30;
  q.sort = "price";
  auto ammo = rig.store->items(q);
  ASSERT_TRUE(ammo);
  double last = 0;
  for (const auto& v : ammo->items) {
    const auto& o = v.as_object();
    EXPECT_EQ(o.at("category"), "a");
    const double price = o.at("price").as_double();
    EXPECT_GE(price, 0.10);
    EXPECT_LE(price, 0.30);
    EXPECT_GE(price, last);
    last = price;
  }
  std::size_t expected_ammo = 0;
  for (const auto& it : rig.sim->shops().inventory("moscow"))
    if (it.category == "a" && it.price_cents >= 10 && it.price_cents <= 30) ++expected_ammo;
  EXPECT_EQ(static_cast<std::size_t>(ammo->total), expected_ammo);
}

TEST(ShopCrawl, TwoSnapshotsAroundAKnownChangeGiveExactlyThatDiff) {
  ShopRig rig;
  two_snapshots_give_exactly_the_known_diff(rig);
}

TEST(ShopCrawl, TwoSnapshotsAroundAKnownChangeGiveExactlyThatDiffOnPostgres) {
  TZR_REQUIRE_SERVER_URL(server, "TZR_TEST_POSTGRES_URL");
  test::TempDir dir;
  test::ScratchDatabase scratch("postgres", dir, server);
  ShopRig rig({{"moscow", "key-moscow"}}, 30s, shop::default_shops(), scratch.url());
  two_snapshots_give_exactly_the_known_diff(rig);
}

TEST(ShopCrawl, CategoryFailingMidCrawlIsPartialWithoutFalseSoldItems) {
  ShopRig rig;
  auto first = rig.snapshot();
  ASSERT_EQ(first.snapshot->status, "ok");
  // Category k has two pages: page 1 now closes the connection every time.
  rig.sim->shops().set_fault({"k", 1, "drop", -1});
  auto second = rig.snapshot();
  ASSERT_TRUE(second.snapshot);
  EXPECT_EQ(second.snapshot->status, "partial");
  auto snap = rig.store->snapshot(second.snapshot->id);
  ASSERT_TRUE(snap && *snap);
  for (const auto& c : (**snap)["categories"].as_array()) {
    if (c.at("category") == "k") {
      EXPECT_EQ(c.at("status"), "partial");
      EXPECT_EQ(c.at("pages"), 1);
    } else {
      EXPECT_EQ(c.at("status"), "ok");
    }
  }
  auto diff = rig.store->diff(first.snapshot->id, second.snapshot->id);
  ASSERT_TRUE(diff);
  EXPECT_TRUE(diff->empty()) << diff->front().type << " " << diff->front().item_id;  // page 2 of k unread ≠ sold
  shop::ItemQuery q;
  q.shop = "moscow";
  q.category = "k";
  auto knives = rig.store->items(q);
  ASSERT_TRUE(knives);
  std::int64_t in_sim = 0;
  for (const auto& it : rig.sim->shops().inventory("moscow")) in_sim += it.category == "k";
  EXPECT_EQ(knives->total, in_sim);  // still listed: nothing of k was marked sold
}

TEST(ShopCrawl, RefusedLoginIsAClearErrorAndNoLoginLoop) {
  ShopRig rig({{"ghost", "some-key"}}, 30s, {{"ghost", "Ghost", "Nobody Here"}});
  auto job = rig.snapshot("ghost");
  EXPECT_EQ(job.state, "failed");
  ASSERT_TRUE(job.snapshot);
  EXPECT_EQ(job.snapshot->status, "failed");
  auto snap = rig.store->snapshot(job.snapshot->id);
  ASSERT_TRUE(snap && *snap);
  const std::string error((**snap)["error"].as_string());
  EXPECT_NE(error.find("refused the login of bot 'Nobody Here'"), std::string::npos) << error;
  EXPECT_NE(error.find("BAD_LOGIN"), std::string::npos) << error;
  auto logins = [&] {
    int n = 0;
    for (const auto& m : rig.sim->state().received()) n += m.tag == "LOGIN";
    return n;
  };
  EXPECT_EQ(logins(), 1);  // one refusal stops the whole crawl
  for (const auto& m : rig.sim->state().received())
    if (m.tag == "LOGIN") {
      EXPECT_EQ(m.raw, R"(<LOGIN v3="10.20.30.40" lang="ru" v2="4875537" v="108" p="some-key" l="Nobody Here" />)");
    }
  auto again = rig.snapshot("ghost");
  EXPECT_EQ(again.state, "failed");
  EXPECT_EQ(logins(), 1);  // the breaker holds: no new login during the cool-down
  auto bots = rig.service->bots();
  ASSERT_EQ(bots.size(), 1u);
  EXPECT_EQ(bots[0].login_refusals, 1);
  EXPECT_NE(bots[0].breaker_open_until_unix, 0);
}

TEST(ShopCrawl, IdleBotSendsKeepAlives) {
  ShopRig rig({{"moscow", "k"}}, 100ms);
  auto job = rig.snapshot();
  ASSERT_EQ(job.state, "done");
  std::this_thread::sleep_for(650ms);
  int n = 0;
  for (const auto& m : rig.sim->state().received()) n += m.tag == "N";
  EXPECT_GE(n, 3);
  EXPECT_LE(n, 8);
}

TEST(ShopCrawl, ServerClosingTheConnectionIsSurvivedByReconnecting) {
  ShopRig rig;
  rig.sim->shops().set_fault({"p", 0, "drop", 1});  // one drop, then normal service
  auto job = rig.snapshot();
  ASSERT_TRUE(job.snapshot);
  EXPECT_EQ(job.snapshot->status, "ok");
  EXPECT_EQ(job.snapshot->items, rig.sim->shops().inventory("moscow").size());
  int logins = 0;
  for (const auto& m : rig.sim->state().received()) logins += m.tag == "LOGIN";
  EXPECT_EQ(logins, 2);  // relogin after the drop
}

TEST(ShopCrawl, RepliesSplitAcrossWritesAreReassembled) {
  ShopRig rig;
  rig.sim->state().set_global_fault({game::sim::FaultMode::split, 1ms});
  auto job = rig.snapshot();
  ASSERT_TRUE(job.snapshot);
  EXPECT_EQ(job.snapshot->status, "ok");
  EXPECT_EQ(job.snapshot->items, rig.sim->shops().inventory("moscow").size());
}

TEST(ShopCrawl, ErrorRepliesFailACategoryAtOnce) {
  ShopRig rig;
  rig.sim->shops().set_fault({"h", 0, "error", -1});
  const auto started = std::chrono::steady_clock::now();
  auto job = rig.snapshot();
  ASSERT_TRUE(job.snapshot);
  EXPECT_EQ(job.snapshot->status, "partial");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);  // no waiting for a deadline
  auto snap = rig.store->snapshot(job.snapshot->id);
  ASSERT_TRUE(snap && *snap);
  for (const auto& c : (**snap)["categories"].as_array())
    if (c.at("category") == "h") {
      EXPECT_EQ(c.at("status"), "failed");
      EXPECT_NE(std::string(c.at("error").as_string()).find("category h unavailable"), std::string::npos);
    }
}

TEST(ShopCrawl, AlertsAreDeliveredToTheWebhookOncePerItem) {
  std::mutex mu;
  std::vector<std::string> posts;
  test::TinyHttpServer hook([&](const test::TinyRequest& r) {
    std::lock_guard lock(mu);
    posts.push_back(r.body);
    return test::TinyReply{204, {}, {}};
  });
  ShopRig rig({{"moscow", "k"}}, 30s, shop::default_shops(), {}, [&](shop::ShopServiceOptions& o) {
    o.watch_rules = {*shop::parse_watch_rule("any:event=listed"), *shop::parse_watch_rule("rush:event=bulk_sold;min_sold=1")};
    o.alert_webhook = hook.url("/alerts");
  });
  rig.snapshot();
  EXPECT_TRUE(posts.empty());  // nothing to compare the first snapshot with
  auto changes = rig.sim->shops().advance();
  const auto after = ids_of(rig.sim->shops().inventory("moscow"));
  rig.snapshot();
  std::size_t listed = 0;
  for (auto id : changes.added) listed += after.count(id);
  for (const auto& c : changes.price_changed) listed += after.count(c.id);
  for (int i = 0; i < 100 && [&] { std::lock_guard lock(mu); return posts.empty(); }(); ++i) std::this_thread::sleep_for(20ms);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(posts.size(), 1u);
    auto body = boost::json::parse(posts[0]);
    EXPECT_EQ(body.at("alerts").as_array().size(), listed + 1);  // each listed/repriced item, one bulk sale
  }
  auto stored = rig.store->alerts(100, 0);
  ASSERT_TRUE(stored);
  EXPECT_EQ(static_cast<std::size_t>(stored->total), listed + 1);
  for (int i = 0; i < 100; ++i) {  // delivered_at is written after the webhook's answer
    auto again = rig.store->alerts(100, 0);
    if (!again->items.empty() && !again->items[0].at("delivered_at").is_null()) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(rig.store->alerts(100, 0)->items[0].at("delivered_at").is_null());
  rig.snapshot();  // no change since: nothing new to say
  std::this_thread::sleep_for(100ms);
  std::lock_guard lock(mu);
  EXPECT_EQ(posts.size(), 1u);
}
