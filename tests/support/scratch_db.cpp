#include "support/scratch_db.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <atomic>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace tzr::test {

std::string server_env_name(const std::string& backend) {
  if (backend == "postgres") return "TZR_TEST_POSTGRES_URL";
  if (backend == "mysql") return "TZR_TEST_MYSQL_URL";
  return {};
}

ScratchDatabase::ScratchDatabase(const std::string& backend, const TempDir& dir, const std::string& server_url) {
  static std::atomic<int> counter{0};
  if (backend == "sqlite") {
    url_ = "sqlite://" + (dir / ("scratch" + std::to_string(counter++) + ".db")).string();
    return;
  }
  auto admin = storage::open_database(server_url, {.pool_size = 1});
  if (!admin) throw std::runtime_error("cannot open " + storage::redact_url(server_url) + ": " + admin.error().message);
  admin_ = std::move(*admin);
  std::random_device rd;
  name_ = "tzrt_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
  auto created = admin_->query(backend == "mysql" ? "CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                                                  : "CREATE DATABASE " + name_);
  if (!created) throw std::runtime_error("CREATE DATABASE failed: " + created.error().message);
  boost::urls::url u = boost::urls::parse_uri(server_url).value();
  u.set_path("/" + name_);
  url_ = std::string(u.buffer());
}

storage::Database& ScratchDatabase::db() {
  if (!db_) {
    auto db = storage::open_database(url_, {.pool_size = 2});
    if (!db) throw std::runtime_error("cannot open the scratch database: " + db.error().message);
    db_ = std::move(*db);
  }
  return *db_;
}

ScratchDatabase::~ScratchDatabase() {
  db_.reset();
  if (admin_) {
    auto drop = admin_->dialect() == storage::Dialect::postgres ? "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"
                                                                : "DROP DATABASE IF EXISTS " + name_;
    (void)admin_->query(drop);
  }
}

}  // namespace tzr::test
