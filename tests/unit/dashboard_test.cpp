// The dashboard's pure pieces and its session table: password hashes, operator entries, who may
// send what through /ui/api, and sessions that end by lifetime, idleness or sign-out.
#include "app/platform_migrations.hpp"
#include "crypto/password.hpp"
#include "dashboard/dashboard.hpp"
#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

using namespace tzr;
using namespace tzr::dashboard;

namespace {

TEST(DashboardPassword, HashesVerifyOnlyTheirPasswordAndAreSalted) {
  const std::string h = crypto::hash_password("correct horse", 1000);
  EXPECT_TRUE(h.starts_with("pbkdf2-sha256$1000$"));
  EXPECT_TRUE(crypto::verify_password("correct horse", h));
  EXPECT_FALSE(crypto::verify_password("correct horsE", h));
  EXPECT_FALSE(crypto::verify_password("", h));
  EXPECT_NE(h, crypto::hash_password("correct horse", 1000)) << "a fresh salt every time";
  for (const char* bad : {"", "pbkdf2-sha256$1000$", "md5$1000$AAAA$AAAA", "pbkdf2-sha256$10$c2FsdA==$AAAA", "pbkdf2-sha256$x$a$b"})
    EXPECT_FALSE(crypto::verify_password("correct horse", bad)) << bad;
}

TEST(DashboardOperators, EntriesAreCheckedAndNamedWithoutTheirHash) {
  const std::string h = crypto::hash_password("pw-12345678", 1000);
  auto ok = parse_operators({"ann:admin:" + h, "bob:viewer:" + h});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at(0).role, Role::admin);
  EXPECT_EQ(ok->at(1).name, "bob");
  for (const std::string& bad : std::vector<std::string>{"ann", "ann:boss:" + h, "ann:admin:plaintext", ":admin:" + h}) {
    auto r = parse_operators({bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "config_error");
    EXPECT_EQ(r.error().message.find("plaintext"), std::string::npos);
  }
  EXPECT_FALSE(parse_operators({"ann:admin:" + h, "ann:viewer:" + h})) << "one name, two operators";
}

TEST(DashboardRoles, ViewersReadModeratorsJudgeAdminsDoEverything) {
  EXPECT_TRUE(permitted(Role::viewer, "GET", "/battles"));
  EXPECT_TRUE(permitted(Role::viewer, "GET", "/analytics/antibot/candidates"));
  EXPECT_FALSE(permitted(Role::viewer, "GET", "/analytics/antibot/audit"));
  EXPECT_FALSE(permitted(Role::viewer, "POST", "/analytics/antibot/player/x/verdict"));
  EXPECT_FALSE(permitted(Role::viewer, "POST", "/battles/upload"));
  EXPECT_FALSE(permitted(Role::viewer, "GET", "/admin/bots/status"));
  EXPECT_TRUE(permitted(Role::moderator, "POST", "/analytics/antibot/player/x/verdict"));
  EXPECT_TRUE(permitted(Role::moderator, "GET", "/analytics/antibot/audit"));
  EXPECT_FALSE(permitted(Role::moderator, "POST", "/api/admin/ml/train-botdetector"));
  EXPECT_FALSE(permitted(Role::moderator, "GET", "/internal/constants"));
  EXPECT_FALSE(permitted(Role::moderator, "POST", "/battles/upload"));
  EXPECT_TRUE(permitted(Role::admin, "POST", "/api/admin/ml/train-botdetector"));
  EXPECT_TRUE(permitted(Role::admin, "POST", "/admin/snapshot/trigger"));
  EXPECT_TRUE(permitted(Role::admin, "GET", "/internal/constants"));
}

TEST(DashboardRoles, RegistrationCountsForModeratorsLoginsForAdminsOnly) {
  EXPECT_FALSE(permitted(Role::viewer, "GET", "/admin/registrations/summary"));
  EXPECT_TRUE(permitted(Role::moderator, "GET", "/admin/registrations/summary"));
  EXPECT_FALSE(permitted(Role::moderator, "POST", "/admin/registrations/summary"));
  EXPECT_FALSE(permitted(Role::moderator, "GET", "/admin/registrations/outcomes"));
  EXPECT_FALSE(permitted(Role::moderator, "GET", "/admin/registrations/summary/x"));
  EXPECT_TRUE(permitted(Role::admin, "GET", "/admin/registrations/outcomes"));
}

struct Sessions : ::testing::Test {
  test::TempDir dir;
  std::unique_ptr<storage::Database> db = std::move(*storage::open_database("sqlite://" + dir.str() + "/s.db"));
  SessionStore store{*db, SessionLimits{.lifetime_s = 3600, .idle_s = 600}};
  Operator ann{"ann", Role::moderator, ""};
  void SetUp() override { ASSERT_TRUE(storage::migrate(*db, app::platform_migrations())); }
};

TEST_F(Sessions, ATokenFindsItsOperatorUntilItEnds) {
  const std::string token = store.create(ann, 1000).value();
  EXPECT_EQ(token.size(), 64u);
  auto s = store.find(token, 1300).value();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user, "ann");
  EXPECT_EQ(s->role, Role::moderator);
  EXPECT_FALSE(store.find(token + "0", 1300).value());
  EXPECT_FALSE(store.find(std::string(64, 'a'), 1300).value());
  auto rows = db->query("SELECT token_hash FROM dashboard_sessions").value();
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_NE(rows.rows[0].text(0), token) << "only the token's hash is stored";
  ASSERT_TRUE(store.end(token));
  EXPECT_FALSE(store.find(token, 1301).value());
}

TEST_F(Sessions, IdlenessAndLifetimeEndASession) {
  const std::string idle = store.create(ann, 1000).value();
  EXPECT_FALSE(store.find(idle, 1000 + 601).value()) << "ten minutes without a request";
  const std::string busy = store.create(ann, 1000).value();
  for (std::int64_t t = 1500; t < 4600; t += 500) EXPECT_TRUE(store.find(busy, t).value()) << t;
  EXPECT_FALSE(store.find(busy, 4600).value()) << "an hour after sign-in, however busy";
}

}  // namespace
