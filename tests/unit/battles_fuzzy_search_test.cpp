// Fuzzy player search: the bounded edit distance against a plain Levenshtein, the look-alike
// folding, the ranking, and the bounded scan on an in-memory SQLite store.
#include "battles/fuzzy_search.hpp"
#include "battles/migrations.hpp"
#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace tzr::battles;

namespace {

std::size_t levenshtein(std::u32string_view a, std::u32string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> logins_of(const std::vector<FuzzyMatch>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.player.login);
  return out;
}

}  // namespace

TEST(FuzzySearch, BoundedDistanceAgreesWithLevenshteinUpToTheBound) {
  std::mt19937 rng(42);
  const std::u32string alphabet = U"abcде";
  for (int n = 0; n < 3000; ++n) {
    std::u32string a, b;
    for (auto* s : {&a, &b}) {
      const auto len = rng() % 9;
      for (unsigned i = 0; i < len; ++i) s->push_back(alphabet[rng() % alphabet.size()]);
    }
    const std::size_t bound = rng() % 4;
    const std::size_t exact = levenshtein(a, b);
    EXPECT_EQ(bounded_edit_distance(a, b, bound), std::min(exact, bound + 1)) << n;
  }
}

TEST(FuzzySearch, FoldsCyrillicLookAlikesAndKeepsOtherLetters) {
  EXPECT_EQ(fuzzy_fold("сокол"), U"cokoл");  // с о к о → c o k o; л has no Latin twin
  EXPECT_EQ(fuzzy_fold("alpha"), U"alpha");
  EXPECT_EQ(bounded_edit_distance(fuzzy_fold(login_key("АРЕС")), fuzzy_fold("apec"), 1), 0u);  // Cyrillic caps typed for Latin
  EXPECT_EQ(fuzzy_max_distance(2), 0u);
  EXPECT_EQ(fuzzy_max_distance(5), 1u);
  EXPECT_EQ(fuzzy_max_distance(9), 2u);
  EXPECT_EQ(fuzzy_max_distance(10), 3u);
}

TEST(FuzzySearch, RanksExactThenPrefixesThenFewerEditsThenMoreBattles) {
  FuzzyRanker r("Ёжик", 10);  // key "ежик"
  r.offer(login_key("ежики"), {"Ежики", 1, {}});    // prefix
  r.offer(login_key("ежек"), {"Ежек", 50, {}});     // 1 edit
  r.offer(login_key("ёжик"), {"ёжик", 2, {}});      // exact after ё → е
  r.offer(login_key("ужик"), {"Ужик", 9, {}});      // 1 edit, fewer battles than Ежек
  r.offer(login_key("енот"), {"Енот", 999, {}});    // too far
  r.offer(login_key("ежиккк"), {"Ежиккк", 3, {}});  // prefix too, but farther than Ежики
  EXPECT_EQ(logins_of(r.take()), (std::vector<std::string>{"ёжик", "Ежики", "Ежиккк", "Ежек", "Ужик"}));
}

TEST(FuzzySearch, KeepsOnlyTheBestLimit) {
  FuzzyRanker r("bobik", 2);
  r.offer("bobika", {"bobika", 1, {}});
  r.offer("bobyk", {"bobyk", 100, {}});
  r.offer("bobik", {"bobik", 1, {}});
  r.offer("bbik", {"bbik", 1000, {}});
  EXPECT_EQ(logins_of(r.take()), (std::vector<std::string>{"bobik", "bobika"}));
}

TEST(FuzzySearch, ScansTheStoreInPagesAndSaysWhenItStopped) {
  auto db = tzr::storage::open_database("sqlite::memory:", {.pool_size = 1});
  ASSERT_TRUE(db);
  ASSERT_TRUE(tzr::storage::migrate(**db, migrations()));
  for (int i = 0; i < 4500; ++i) {
    const std::string login = "player" + std::to_string(i);
    auto r = (*db)->query("INSERT INTO battle_players (login_key, login, battles, last_ts) VALUES (?, ?, ?, NULL)",
                          std::vector<tzr::storage::Value>{login, login, std::int64_t{i}});
    ASSERT_TRUE(r);
  }
  auto all = fuzzy_search_players(**db, "PLAYER4499", 3, 10'000);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->scanned, 4500);
  EXPECT_FALSE(all->truncated);
  ASSERT_FALSE(all->matches.empty());
  EXPECT_EQ(all->matches[0].player.login, "player4499");
  EXPECT_EQ(all->matches[0].distance, 0u);
  auto cut = fuzzy_search_players(**db, "player4499", 3, 2000);
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->scanned, 2000);
  EXPECT_TRUE(cut->truncated);
  for (const auto& m : cut->matches) EXPECT_LT(m.player.login, "player4499");  // key order: the rest unseen
}
