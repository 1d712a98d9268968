// The outcome table's SQL on every backend, MySQL/MariaDB included (there only the outcome
// migration runs: the registration feature's older tables are SQLite/PostgreSQL only).
#include "registration/migrations.hpp"
#include "registration/outcomes.hpp"
#include "storage/migrations.hpp"
#include "support/backends.hpp"
#include "support/scratch_db.hpp"

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

class OutcomeStoreBackends : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string server_url;
    if (auto env = test::server_env_name(GetParam()); !env.empty()) {
      TZR_REQUIRE_SERVER_URL(url, env.c_str());
      server_url = url;
    }
    scratch = std::make_unique<test::ScratchDatabase>(GetParam(), dir, server_url);
    std::vector<storage::Migration> only;
    for (const auto& m : migrations())
      if (m.name == "registration_outcomes") only.push_back(m);
    ASSERT_EQ(only.size(), 1u);
    auto migrated = storage::migrate(scratch->db(), only);
    ASSERT_TRUE(migrated) << migrated.error().message;
  }
  test::TempDir dir;
  std::unique_ptr<test::ScratchDatabase> scratch;
};

}  // namespace

TEST_P(OutcomeStoreBackends, AppendPageCountAndPrune) {
  constexpr std::int64_t t0 = 20'000 * 86400;
  OutcomeStore store{scratch->db()};
  ASSERT_TRUE(store.append({{0, t0 + 1, "ok", "Игрок", "facade", 5},
                            {0, t0 + 2, "login_taken", "bob", "gateway:site", 7},
                            {0, t0 + 86400 + 3, "OK", "upper", "facade", 1},  // another code, in any collation
                            {0, t0 + 86400 + 4, "ok", "carol", "orchestrator", 9}}));
  auto ok = store.recent(filter(0, t0 + 2 * 86400, 10, "ok"));
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].login, "carol");
  EXPECT_EQ((*ok)[1].login, "Игрок");
  auto page = store.recent(filter(0, t0 + 2 * 86400, 1, std::nullopt, (*ok)[0].id));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].login, "upper");

  auto days = store.day_counts(t0, t0 + 2 * 86400);
  ASSERT_TRUE(days) << days.error().message;
  const auto s = summarize(*days, 20'000, 2);
  EXPECT_EQ(s.total, 4);
  EXPECT_EQ(s.by_day[0].total, 2);
  EXPECT_EQ(s.by_day[1].total, 2);

  auto pruned = store.prune_before(t0 + 86400);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutcomeStoreBackends, ::testing::Values("sqlite", "postgres", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });
