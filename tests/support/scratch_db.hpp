#pragma once
// A throwaway database for one test: a file under a TempDir for SQLite, or a freshly created
// database on the server named by TZR_TEST_POSTGRES_URL / TZR_TEST_MYSQL_URL, dropped at the end.
#include "storage/database.hpp"
#include "support/temp_dir.hpp"

#include <memory>
#include <string>

namespace tzr::test {

class ScratchDatabase {
 public:
  // backend: "sqlite", "postgres" or "mysql"; server_url: the admin URL (ignored for sqlite).
  ScratchDatabase(const std::string& backend, const TempDir& dir, const std::string& server_url = {});
  ~ScratchDatabase();
  const std::string& url() const { return url_; }
  // A connection of the test's own, to look at what the program wrote.
  storage::Database& db();

 private:
  std::unique_ptr<storage::Database> admin_;
  std::unique_ptr<storage::Database> db_;
  std::string name_;
  std::string url_;
};

// The env var holding the admin URL of a server backend ("" for sqlite).
std::string server_env_name(const std::string& backend);

}  // namespace tzr::test
