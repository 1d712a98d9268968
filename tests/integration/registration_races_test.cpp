// Exactly once under races and retries: concurrent registrations and idempotency keys.
#include "support/registration_env.hpp"

#include <atomic>
#include <future>
#include <thread>

using namespace tzr::test;

namespace {
using RegistrationRaces = RegistrationEnv;

// Runs n requests at once from n threads; returns their statuses.
std::vector<int> concurrently(int n, const std::function<TestResponse(int)>& send) {
  std::vector<std::future<int>> results;
  std::atomic<bool> go{false};
  for (int i = 0; i < n; ++i)
    results.push_back(std::async(std::launch::async, [&, i] {
      while (!go) std::this_thread::yield();
      return send(i).status;
    }));
  go = true;
  std::vector<int> statuses;
  for (auto& r : results) statuses.push_back(r.get());
  return statuses;
}
}  // namespace

TEST_P(RegistrationRaces, HundredConcurrentSameLoginMakeOneAccount) {
  start();
  auto statuses = concurrently(100, [&](int i) { return direct(body("racer", 10'000 + i)); });
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), 99);
  EXPECT_EQ(rows("login = 'racer'"), 1);
  EXPECT_EQ(adduser_count(), 1u);
  auto accounts = sim->accounts();
  EXPECT_EQ(accounts.as_array().size(), 1u);
}

TEST_P(RegistrationRaces, HundredConcurrentForOneTelegramUserStopAtTheLimit) {
  start();
  auto statuses = concurrently(100, [&](int i) { return direct(body("multi" + std::to_string(i), 7007)); });
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 5);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 403), 95);
  EXPECT_EQ(rows("telegram_id = 7007"), 5);
  EXPECT_EQ(adduser_count(), 5u);
}

TEST_P(RegistrationRaces, ReplayedRequestIdReturnsTheStoredResponse) {
  start();
  auto first = direct(body("idem", 1, R"(,"Request-Id":"req-1")"));
  ASSERT_EQ(first.status, 200);
  auto again = direct(body("idem", 1, R"(,"Request-Id":"req-1")"));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(adduser_count(), 1u);
  EXPECT_EQ(rows(), 1);

  auto other = direct(body("idem2", 1, R"(,"Request-Id":"req-1")"));
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(other.json().at("error"), "idempotency_key_reused");
  EXPECT_EQ(adduser_count(), 1u);

  // The same key through the facade header is the same key.
  auto via_header = facade(body("idem", 1), {{"X-Request-Id", "req-1"}});
  EXPECT_EQ(via_header.status, 200);
  EXPECT_EQ(via_header.header("idempotent-replayed"), "true");
}

TEST_P(RegistrationRaces, RefusalsAreReplayedTooButServerErrorsAreNot) {
  start();
  insert_row(1, "taken");
  auto refused = direct(body("taken", 2, R"(,"Request-Id":"k-409")"));
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(direct(body("taken", 2, R"(,"Request-Id":"k-409")")).header("idempotent-replayed"), "true");

  sim->set_mode("err");
  EXPECT_EQ(direct(body("later", 3, R"(,"Request-Id":"k-502")")).status, 502);
  sim->set_mode("ok");
  auto retried = direct(body("later", 3, R"(,"Request-Id":"k-502")"));
  EXPECT_EQ(retried.status, 200);  // a 5xx is not kept: the retry runs
  EXPECT_EQ(retried.header("idempotent-replayed"), "");
}

TEST_P(RegistrationRaces, DuplicateWhileRunningIsRequestInProgress) {
  start({{"TZR_GAME__TIMEOUT_MS", "5000"}});
  sim->set_mode("slow", 2000);
  auto first = std::async(std::launch::async, [&] { return direct(body("slowidem", 1, R"(,"Request-Id":"run-1")")); });
  // The first request claims its key long before the simulator's reply; wait until the game got it.
  for (int i = 0; i < 100 && adduser_count() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto dup = direct(body("slowidem", 1, R"(,"Request-Id":"run-1")"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.json().at("error"), "request_in_progress");
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(adduser_count(), 1u);
}

INSTANTIATE_TEST_SUITE_P(GameDb, RegistrationRaces, ::testing::Values("sqlite", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// Two tzrhost processes on one MySQL game DB: the named locks make the limit and the login
// uniqueness hold across processes, not only inside one.
TEST(RegistrationAcrossProcesses, TwoInstancesShareTheLimitAndTheLogin) {
  TZR_REQUIRE_SERVER_URL(server_url, "TZR_TEST_MYSQL_URL");
  TempDir dir;
  ScratchDatabase game_db("mysql", dir, server_url);
  GameSimProcess sim;
  auto env_for = [&](const std::string& name) {
    return std::map<std::string, std::string>{{"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/" + name + ".db"},
                                              {"TZR_GAME_DB__URL", game_db.url()},
                                              {"TZR_GAME__PORT", std::to_string(sim.game_port())},
                                              {"TZR_ADMIN__TOKEN", kAdminToken},
                                              {"TZR_LOG__LEVEL", "warn"},
                                              {"TZR_LOG__ACCESS", "false"}};
  };
  TzrHost a({"serve"}, env_for("a"), {"orchestrator"});
  TzrHost b({"serve"}, env_for("b"), {"orchestrator"});
  auto send = [&](int i, const std::string& b_body) {
    TzrHost& host = i % 2 ? a : b;
    return http(host.port("orchestrator"), "POST", "/internal/register", b_body,
                {{"Authorization", std::string("Bearer ") + kAdminToken}});
  };
  auto same_user = concurrently(40, [&](int i) { return send(i, body("across" + std::to_string(i), 9009)); });
  EXPECT_EQ(std::count(same_user.begin(), same_user.end(), 200), 5);
  auto same_login = concurrently(40, [&](int i) { return send(i, body("onlyone", 20'000 + i)); });
  EXPECT_EQ(std::count(same_login.begin(), same_login.end(), 200), 1);
  auto rows = game_db.db().query("SELECT COUNT(*) FROM tgplayers WHERE telegram_id = 9009");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->rows[0].integer(0), 5);
  auto accounts = sim.accounts();
  EXPECT_EQ(accounts.as_array().size(), 6u);
}
