// Registration outcomes end to end: the real binary with the game simulator, the platform
// database on SQLite and PostgreSQL. Every entry point records its attempts (ok and error codes,
// the login asked for, the source), nothing secret is stored, and the admin reads page, filter,
// count and refuse bad parameters; queued outcomes survive a shutdown, old ones are pruned.
#include "support/registration_env.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <thread>

using namespace tzr::test;
using namespace std::chrono_literals;
namespace bj = boost::json;

namespace {

constexpr const char* kKey = "site-key-0123456789abcdef";

class RegistrationOutcomesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string server_url;
    if (auto env = server_env_name(GetParam()); !env.empty()) {
      TZR_REQUIRE_SERVER_URL(url, env.c_str());
      server_url = url;
    }
    platform = std::make_unique<ScratchDatabase>(GetParam(), dir, server_url);
    game_db = std::make_unique<ScratchDatabase>("sqlite", dir);
    sim = std::make_unique<GameSimProcess>();
  }

  void start(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{
        {"TZR_STORAGE__URL", platform->url()},        {"TZR_GAME_DB__URL", game_db->url()},
        {"TZR_GAME__PORT", std::to_string(sim->game_port())}, {"TZR_GAME__TIMEOUT_MS", "1500"},
        {"TZR_ADMIN__TOKEN", kAdminToken},             {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
        {"TZR_GATEWAY__API_KEYS", std::string("site:") + kKey}, {"TZR_LOG__LEVEL", "warn"},
        {"TZR_LOG__ACCESS", "false"}};
    for (auto& [k, v] : extra) env[k] = v;
    host = std::make_unique<TzrHost>(std::vector<std::string>{"serve"}, env,
                                     std::vector<std::string>{"gateway", "orchestrator", "registration"});
  }

  TestResponse direct(const std::string& b) {
    return http(host->port("orchestrator"), "POST", "/internal/register", b,
                {{"Authorization", std::string("Bearer ") + kAdminToken}});
  }
  TestResponse facade(const std::string& b) { return http(host->port("registration"), "POST", "/register", b); }
  TestResponse gateway(const std::string& b, const std::string& key = kKey) {
    return http(host->port("gateway"), "POST", "/api/register", b, {{"X-API-Key", key}, {"Content-Type", "application/json"}});
  }
  TestResponse admin(const std::string& target, bool with_token = true) {
    std::map<std::string, std::string> h;
    if (with_token) h["Authorization"] = std::string("Bearer ") + kAdminToken;
    return http(host->port("registration"), "GET", target, "", h);
  }
  bj::object admin_json(const std::string& target) {
    auto res = admin(target);
    EXPECT_EQ(res.status, 200) << target << " " << res.body;
    return res.status == 200 ? res.json().as_object() : bj::object{};
  }

  TempDir dir;
  std::unique_ptr<ScratchDatabase> platform, game_db;
  std::unique_ptr<GameSimProcess> sim;
  std::unique_ptr<TzrHost> host;
};

std::int64_t count_of(const bj::object& summary, const std::string& code) {
  for (const auto& c : summary.at("by_code").as_array())
    if (c.at("code").as_string() == code) return c.at("count").as_int64();
  return 0;
}

}  // namespace

TEST_P(RegistrationOutcomesTest, EveryEntryPointRecordsItsOutcomesWithoutSecrets) {
  start();
  ASSERT_EQ(direct(body("alice", 5001)).status, 200);
  ASSERT_EQ(direct(body("Alice", 5002)).status, 409);                // login_taken
  ASSERT_EQ(facade(body("ab", 5003)).status, 400);                   // validation_error, login too short
  ASSERT_EQ(gateway(body("bob", 5004)).status, 200);                 // ok through the gateway's "site" key
  ASSERT_EQ(gateway(body("carol", 5005), "wrong-key-000000000").status, 403);  // invalid_api_key

  auto page = admin_json("/admin/registrations/outcomes");
  const auto& items = page.at("items").as_array();
  ASSERT_EQ(items.size(), 5u) << page;
  // Newest first.
  EXPECT_EQ(items[0].at("code"), "invalid_api_key");
  EXPECT_EQ(items[0].at("source"), "gateway");
  EXPECT_EQ(items[0].at("login"), "");
  EXPECT_EQ(items[1].at("code"), "ok");
  EXPECT_EQ(items[1].at("login"), "bob");
  EXPECT_EQ(items[1].at("source"), "gateway:site");
  EXPECT_EQ(items[2].at("code"), "validation_error");
  EXPECT_EQ(items[2].at("login"), "ab");
  EXPECT_EQ(items[2].at("source"), "facade");
  EXPECT_EQ(items[3].at("code"), "login_taken");
  EXPECT_EQ(items[3].at("login"), "Alice");
  EXPECT_EQ(items[4].at("source"), "orchestrator");
  EXPECT_GE(items[4].at("duration_ms").as_int64(), 0);
  EXPECT_TRUE(page.at("next_cursor").is_null());

  // No password and no Telegram id anywhere in the table.
  auto rows = platform->db().query("SELECT at, code, login, source, duration_ms FROM registration_outcomes");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->rows.size(), 5u);
  for (const auto& r : rows->rows)
    for (std::size_t i = 1; i <= 3; ++i) {  // the text columns
      EXPECT_EQ(r.text(i).find("mypass123"), std::string::npos);
      EXPECT_EQ(r.text(i).find("500"), std::string::npos) << r.text(i);
    }

  auto summary = admin_json("/admin/registrations/summary?days=1");
  EXPECT_EQ(summary.at("total"), 5);
  EXPECT_EQ(summary.at("ok_count"), 2);
  EXPECT_EQ(count_of(summary, "ok"), 2);
  EXPECT_EQ(count_of(summary, "login_taken"), 1);
  EXPECT_EQ(count_of(summary, "invalid_api_key"), 1);
  EXPECT_EQ(summary.at("by_code").as_array()[0].at("code"), "ok");  // most first
  ASSERT_EQ(summary.at("by_day").as_array().size(), 1u);
  EXPECT_EQ(summary.at("by_day").as_array()[0].at("failed"), 3);
}

TEST_P(RegistrationOutcomesTest, PagesFiltersAndRefusals) {
  start();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(direct(body("page" + std::to_string(i), 6000 + i)).status, 200);
  ASSERT_EQ(direct(body("page0", 6100)).status, 409);

  auto first = admin_json("/admin/registrations/outcomes?limit=2");
  ASSERT_EQ(first.at("items").as_array().size(), 2u);
  ASSERT_TRUE(first.at("next_cursor").is_string());
  EXPECT_EQ(first.at("items").as_array()[0].at("code"), "login_taken");
  auto second = admin_json("/admin/registrations/outcomes?limit=2&after=" + std::string(first.at("next_cursor").as_string()));
  ASSERT_EQ(second.at("items").as_array().size(), 2u);
  EXPECT_EQ(second.at("items").as_array()[1].at("login"), "page0");
  EXPECT_TRUE(second.at("next_cursor").is_null());

  auto ok = admin_json("/admin/registrations/outcomes?code=ok");
  EXPECT_EQ(ok.at("items").as_array().size(), 3u);
  auto future = admin_json("/admin/registrations/outcomes?from=" + std::to_string(std::time(nullptr) + 3600) +
                           "&to=" + std::to_string(std::time(nullptr) + 7200));
  EXPECT_TRUE(future.at("items").as_array().empty());
  auto old_days = admin_json("/admin/registrations/summary?days=3&until=" + std::to_string(std::time(nullptr) - 10 * 86400));
  EXPECT_EQ(old_days.at("total"), 0);
  EXPECT_EQ(old_days.at("by_day").as_array().size(), 3u);

  EXPECT_EQ(admin("/admin/registrations/outcomes", false).status, 401);
  EXPECT_EQ(admin("/admin/registrations/summary", false).status, 401);
  for (const char* bad : {"limit=201", "limit=0", "code=Not-A-Code", "from=100&to=50", "after=x"}) {
    auto res = admin(std::string("/admin/registrations/outcomes?") + bad);
    EXPECT_EQ(res.status, 400) << bad << " " << res.body;
  }
  EXPECT_EQ(admin("/admin/registrations/summary?days=91").status, 400);
}

TEST_P(RegistrationOutcomesTest, OutcomesOlderThanTheRetentionArePruned) {
  // The first run's outcome is still queued when it stops: the drain writes it. An old outcome is
  // then put in the table (the first run made it), and the second run prunes it at its start.
  start({{"TZR_REGISTRATION__OUTCOMES_RETENTION_DAYS", "2"}});
  ASSERT_EQ(direct(body("fresh", 7001)).status, 200);
  host.reset();
  const std::vector<tzr::storage::Value> old{tzr::storage::Value{std::int64_t{std::time(nullptr) - 3 * 86400}}};
  ASSERT_TRUE(platform->db().query(
      "INSERT INTO registration_outcomes (at, code, login, source, duration_ms) VALUES (?, 'ok', 'ancient', 'facade', 1)", old));
  start({{"TZR_REGISTRATION__OUTCOMES_RETENTION_DAYS", "2"}});
  // The writer prunes when it starts; wait for that (no timing is asserted, only the end state).
  std::int64_t left = -1;
  for (int i = 0; i < 100 && left != 0; ++i) {
    auto r = platform->db().query("SELECT COUNT(*) FROM registration_outcomes WHERE login = 'ancient'");
    ASSERT_TRUE(r);
    left = r->rows[0].integer(0);
    if (left != 0) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(left, 0);
  auto page = admin_json("/admin/registrations/outcomes");
  ASSERT_EQ(page.at("items").as_array().size(), 1u);
  EXPECT_EQ(page.at("items").as_array()[0].at("login"), "fresh");
}

INSTANTIATE_TEST_SUITE_P(Platform, RegistrationOutcomesTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });
