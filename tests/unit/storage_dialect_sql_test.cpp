// The portable → MySQL rewrites of storage/dialect_sql (the MySQL server itself runs the result in
// the integration tests: every platform migration applies there).
#include "storage/dialect_sql.hpp"

#include <gtest/gtest.h>

using namespace tzr::storage;

TEST(MysqlDdl, KeyedTextBecomesVarcharAndOtherTextStays) {
  const std::string out = mysql_ddl(
      "CREATE TABLE t (a TEXT PRIMARY KEY, b TEXT NOT NULL, c TEXT, d TEXT NOT NULL UNIQUE, e BIGINT);"
      "CREATE INDEX t_c ON t(c, e);");
  EXPECT_EQ(out,
            "CREATE TABLE t (a VARCHAR(255) PRIMARY KEY, b TEXT NOT NULL, c VARCHAR(255), d VARCHAR(255) NOT NULL UNIQUE, e BIGINT)"
            " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n"
            "CREATE INDEX t_c ON t(c, e);\n");
}

TEST(MysqlDdl, TableConstraintsAndIndexesOfOtherTablesCountPerTable) {
  const std::string out = mysql_ddl(
      "CREATE TABLE p (k TEXT NOT NULL, n TEXT NOT NULL, x TEXT, PRIMARY KEY (k, n));"
      "CREATE TABLE q (x TEXT, y TEXT DEFAULT 'a,b', UNIQUE (y));"
      "CREATE UNIQUE INDEX p_x ON p (x)");
  EXPECT_NE(out.find("CREATE TABLE p (k VARCHAR(255) NOT NULL, n VARCHAR(255) NOT NULL, x VARCHAR(255), PRIMARY KEY (k, n))"),
            std::string::npos)
      << out;
  // q.x is not keyed (p.x is); the quoted comma does not split the column.
  EXPECT_NE(out.find("CREATE TABLE q (x TEXT, y VARCHAR(255) DEFAULT 'a,b', UNIQUE (y))"), std::string::npos) << out;
}

TEST(MysqlDdl, AutoincrementKeysAndOtherStatements) {
  const std::string out = mysql_ddl(
      "CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, at BIGINT NOT NULL);"
      "ALTER TABLE log ADD COLUMN who VARCHAR(64) NULL;  INSERT INTO log (at) VALUES (1);");
  EXPECT_EQ(out,
            "CREATE TABLE log (id BIGINT AUTO_INCREMENT PRIMARY KEY, at BIGINT NOT NULL)"
            " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n"
            "ALTER TABLE log ADD COLUMN who VARCHAR(64) NULL;\n"
            "INSERT INTO log (at) VALUES (1);\n");
}

TEST(Upserts, PortableFormOnSqliteAndPostgresValuesOnMysql) {
  const std::string set = "n = t.n + excluded.n, last = excluded.last_ts";
  EXPECT_EQ(upsert_tail(Dialect::sqlite, "k", set), " ON CONFLICT (k) DO UPDATE SET n = t.n + excluded.n, last = excluded.last_ts");
  EXPECT_EQ(upsert_tail(Dialect::postgres, "a, b", "v = excluded.v"), " ON CONFLICT (a, b) DO UPDATE SET v = excluded.v");
  EXPECT_EQ(upsert_tail(Dialect::mysql, "k", set), " ON DUPLICATE KEY UPDATE n = t.n + VALUES(n), last = VALUES(last_ts)");
  EXPECT_EQ(ignore_duplicates_tail(Dialect::postgres, "k", "k"), " ON CONFLICT (k) DO NOTHING");
  EXPECT_EQ(ignore_duplicates_tail(Dialect::mysql, "k, j", "k"), " ON DUPLICATE KEY UPDATE k = k");
}
