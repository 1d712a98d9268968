#pragma once
// A game simulator plus `tzrhost serve` wired to it, with the game DB on SQLite or MariaDB:
// the environment of the registration black-box tests.
#include "support/backends.hpp"
#include "support/game_sim_process.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

namespace tzr::test {

inline constexpr const char* kAdminToken = "test-admin-token";

class RegistrationEnv : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string server_url;
    if (auto env = server_env_name(GetParam()); !env.empty()) {
      TZR_REQUIRE_SERVER_URL(url, env.c_str());
      server_url = url;
    }
    game_db = std::make_unique<ScratchDatabase>(GetParam(), dir, server_url);
    sim = std::make_unique<GameSimProcess>();
    game_port = sim->game_port();
  }

  // Starts tzrhost; extra env overrides the defaults below.
  void start(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{
        {"TZR_STORAGE__URL", "sqlite://" + dir.str() + "/platform.db"},
        {"TZR_GAME_DB__URL", game_db->url()},
        {"TZR_GAME_DB__SEED_CONSTANTS", "true"},
        {"TZR_GAME__PORT", std::to_string(game_port)},
        {"TZR_GAME__TIMEOUT_MS", "1500"},
        {"TZR_GAME__CONNECT_ATTEMPTS", "2"},
        {"TZR_ADMIN__TOKEN", kAdminToken},
        {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
        {"TZR_LOG__LEVEL", "warn"},
        {"TZR_LOG__ACCESS", "false"},
    };
    for (auto& [k, v] : extra) env[k] = v;
    host = std::make_unique<TzrHost>(std::vector<std::string>{"serve"}, env,
                                     std::vector<std::string>{"gateway", "orchestrator", "registration", "status"});
  }

  TestResponse direct(const std::string& body, std::map<std::string, std::string> headers = {}) {
    headers.try_emplace("Authorization", std::string("Bearer ") + kAdminToken);
    return http(host->port("orchestrator"), "POST", "/internal/register", body, headers);
  }
  TestResponse facade(const std::string& body, std::map<std::string, std::string> headers = {}) {
    return http(host->port("registration"), "POST", "/register", body, headers);
  }

  std::int64_t rows(const std::string& where = "1=1") {
    auto r = game_db->db().query("SELECT COUNT(*) FROM tgplayers WHERE " + where);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? r->rows.at(0).integer(0) : -1;
  }
  void insert_row(std::int64_t telegram_id, const std::string& login) {
    // Through the program's own schema (SQLite keeps a folded key beside the login).
    std::vector<storage::Value> p{storage::Value{telegram_id}, storage::Value{login}};
    std::string sql = GetParam() == "sqlite"
                          ? "INSERT INTO tgplayers (telegram_id, login, login_key) VALUES (?, ?, lower(?))"
                          : "INSERT INTO tgplayers (telegram_id, login) VALUES (?, ?)";
    if (GetParam() == "sqlite") p.push_back(storage::Value{login});
    auto r = game_db->db().query(sql, p);
    ASSERT_TRUE(r) << r.error().message;
  }
  std::size_t adduser_count() {
    std::size_t n = 0;
    auto received = sim->received();
    for (const auto& m : received.as_array())
      if (m.at("tag") == "ADDUSER") ++n;
    return n;
  }

  TempDir dir;
  std::unique_ptr<ScratchDatabase> game_db;
  std::unique_ptr<GameSimProcess> sim;
  std::uint16_t game_port = 0;
  std::unique_ptr<TzrHost> host;
};

inline std::string body(const std::string& login, std::int64_t telegram_id, const std::string& extra = {}) {
  return R"({"login":")" + login + R"(","password":"mypass123","gender":1,"telegram_id":)" + std::to_string(telegram_id) +
         extra + "}";
}

}  // namespace tzr::test
