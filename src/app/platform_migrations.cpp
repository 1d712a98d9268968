#include "app/platform_migrations.hpp"

#include "antibot/migrations.hpp"
#include "battles/migrations.hpp"
#include "bridge/migrations.hpp"
#include "dashboard/sessions.hpp"
#include "registration/migrations.hpp"
#include "shop/migrations.hpp"
#include "telegram/migrations.hpp"

namespace tzr::app {

std::vector<storage::Migration> platform_migrations() {
  std::vector<storage::Migration> all;
  all.push_back({1, "audit_log",
                 // Who did what, for admin actions; never holds secrets.
                 "CREATE TABLE audit_log ("
                 " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                 " at BIGINT NOT NULL,"
                 " actor TEXT NOT NULL,"
                 " action TEXT NOT NULL,"
                 " detail TEXT NOT NULL DEFAULT '');"
                 "CREATE INDEX audit_log_at ON audit_log(at);",
                 "CREATE TABLE audit_log ("
                 " id BIGSERIAL PRIMARY KEY,"
                 " at BIGINT NOT NULL,"
                 " actor TEXT NOT NULL,"
                 " action TEXT NOT NULL,"
                 " detail TEXT NOT NULL DEFAULT '');"
                 "CREATE INDEX audit_log_at ON audit_log(at);",
                 ""});
  for (auto& m : registration::migrations()) all.push_back(m);
  for (auto& m : telegram::migrations()) all.push_back(m);
  for (auto& m : dashboard::migrations()) all.push_back(m);
  for (auto& m : shop::migrations()) all.push_back(m);
  for (auto& m : bridge::migrations()) all.push_back(m);
  for (auto& m : battles::migrations()) all.push_back(m);
  for (auto& m : antibot::migrations()) all.push_back(m);
  return all;
}

}  // namespace tzr::app
