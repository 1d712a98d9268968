#include "storage/placeholders.hpp"

#include <gtest/gtest.h>

namespace tzr::storage::detail {
namespace {

std::string numbered(std::string_view sql) { return number_placeholders(sql).sql; }

TEST(NumberPlaceholders, NumbersEachPlaceholderInOrder) {
  const NumberedSql r = number_placeholders("INSERT INTO t (a, b, c) VALUES (?, ?, ?)");
  EXPECT_EQ(r.sql, "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)");
  EXPECT_EQ(r.placeholders, 3u);
}

TEST(NumberPlaceholders, LeavesSqlWithoutPlaceholdersAlone) {
  const NumberedSql r = number_placeholders("SELECT 1");
  EXPECT_EQ(r.sql, "SELECT 1");
  EXPECT_EQ(r.placeholders, 0u);
  EXPECT_EQ(number_placeholders("").placeholders, 0u);
}

TEST(NumberPlaceholders, PlaceholdersNextToOperatorsAndCasts) {
  EXPECT_EQ(numbered("WHERE a=?AND b>=?::int OR c IN (?,?)"), "WHERE a=$1AND b>=$2::int OR c IN ($3,$4)");
  EXPECT_EQ(numbered("??"), "$1$2");
}

TEST(NumberPlaceholders, SkipsSingleQuotedStrings) {
  EXPECT_EQ(numbered("SELECT '?', ?"), "SELECT '?', $1");
  EXPECT_EQ(numbered("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
  EXPECT_EQ(numbered("SELECT '', ?"), "SELECT '', $1");
  // A standard string ends at the quote after a backslash: backslashes are not escapes.
  EXPECT_EQ(numbered("SELECT 'a\\', ?"), "SELECT 'a\\', $1");
}

TEST(NumberPlaceholders, EscapeStringsTakeBackslashEscapes) {
  EXPECT_EQ(numbered("SELECT E'\\'?', ?"), "SELECT E'\\'?', $1");
  EXPECT_EQ(numbered("SELECT e'\\\\', ?"), "SELECT e'\\\\', $1");
  // "type'…'" is not an E-string: the E ends an identifier.
  EXPECT_EQ(numbered("SELECT somE'\\', ?"), "SELECT somE'\\', $1");
}

TEST(NumberPlaceholders, SkipsDoubleQuotedIdentifiers) {
  EXPECT_EQ(numbered("SELECT \"what?\" FROM t WHERE x = ?"), "SELECT \"what?\" FROM t WHERE x = $1");
  EXPECT_EQ(numbered("SELECT \"a\"\"?\" , ?"), "SELECT \"a\"\"?\" , $1");
}

TEST(NumberPlaceholders, SkipsLineComments) {
  EXPECT_EQ(numbered("SELECT ? -- why? because\n, ?"), "SELECT $1 -- why? because\n, $2");
  EXPECT_EQ(numbered("SELECT ? -- trailing?"), "SELECT $1 -- trailing?");
  EXPECT_EQ(numbered("SELECT 5-?"), "SELECT 5-$1");
}

TEST(NumberPlaceholders, SkipsBlockCommentsIncludingNested) {
  EXPECT_EQ(numbered("SELECT /* ? */ ?"), "SELECT /* ? */ $1");
  EXPECT_EQ(numbered("SELECT /* a /* ? */ ? */ ?"), "SELECT /* a /* ? */ ? */ $1");
  EXPECT_EQ(numbered("SELECT 4/?"), "SELECT 4/$1");
}

TEST(NumberPlaceholders, SkipsDollarQuotedStrings) {
  EXPECT_EQ(numbered("SELECT $$?$$, ?"), "SELECT $$?$$, $1");
  EXPECT_EQ(numbered("SELECT $fn$ a ? $$ b $fn$, ?"), "SELECT $fn$ a ? $$ b $fn$, $1");
  // $1 is a parameter reference, not the start of a dollar quote.
  EXPECT_EQ(numbered("SELECT $1, ?"), "SELECT $1, $1");
  // A $ inside an identifier is part of the identifier.
  EXPECT_EQ(numbered("SELECT a$b$ FROM t WHERE c = ?"), "SELECT a$b$ FROM t WHERE c = $1");
}

TEST(NumberPlaceholders, UnterminatedQuotesSwallowTheRest) {
  // The server will reject such SQL; the rewriter must only not invent parameters inside it.
  EXPECT_EQ(number_placeholders("SELECT 'abc ?").placeholders, 0u);
  EXPECT_EQ(number_placeholders("SELECT \"abc ?").placeholders, 0u);
  EXPECT_EQ(number_placeholders("SELECT /* abc ?").placeholders, 0u);
  EXPECT_EQ(number_placeholders("SELECT $q$ abc ?").placeholders, 0u);
}

TEST(NumberPlaceholders, KeepsNonAsciiText) {
  EXPECT_EQ(numbered("SELECT 'héllo ?', ? -- 世界?"), "SELECT 'héllo ?', $1 -- 世界?");
}

}  // namespace
}  // namespace tzr::storage::detail
