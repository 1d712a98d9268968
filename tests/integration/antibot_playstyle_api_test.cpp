// The playstyle API on the battles port, black box: the synthetic corpus of antibot_api_test
// (battles synth, ingested with the CLI) and `serve` on the same SQLite store. Before training
// both reads answer 503 model_not_trained; training is an admin job; a player's features match
// what SQL computes from the store; the cluster stats add up; the same seed gives the same answer;
// a failed training keeps the installed model; the CLI writes the same kind of model.
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

using namespace tzr::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::string kToken = "playstyle-api-test-admin-token";
constexpr std::int64_t kUntil = 1759276800 + 5 * 86400;

int run(std::vector<std::string> args, std::map<std::string, std::string> env) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, std::move(env));
  p.read_all(180s);
  return p.wait(180s).value_or(-1);
}

json::value wait_job(int port, const std::string& id, const std::map<std::string, std::string>& auth) {
  json::value status;
  for (int i = 0; i < 600; ++i) {
    status = http(port, "GET", "/api/admin/ml/jobs/" + id, "", auth).json();
    if (status.at("status") == "done" || status.at("status") == "failed") break;
    std::this_thread::sleep_for(100ms);
  }
  return status;
}

double num(const json::value& v) { return v.to_number<double>(); }

}  // namespace

TEST(AntibotPlaystyleApi, TrainClassifyAndClusterStats) {
  TempDir dir;
  ScratchDatabase scratch("sqlite", dir);
  const std::map<std::string, std::string> env{{"TZR_STORAGE__URL", scratch.url()}, {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
                                               {"TZR_ADMIN__TOKEN", kToken}, {"TZR_LOG__LEVEL", "warn"},
                                               {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"}};
  ASSERT_EQ(run({"battles", "synth", "--players", "80", "--days", "4", "--seed", "3", "--out", dir.str() + "/logs"}, env), 0);
  ASSERT_EQ(run({"ingest", "--quiet", dir.str() + "/logs"}, env), 0);
  const std::string window = "days=30&until=" + std::to_string(kUntil);
  const std::int64_t from = kUntil - 30 * 86400;

  // Ground truth from the store, per player: battles, PvP battles (humans on two sides), survived,
  // kills, distinct days, and the damage dealt in PvP battles.
  auto rows = scratch.db().query(
      "SELECT p.login, COUNT(*), SUM(b.has_pvp), SUM(p.survived), SUM(p.kills_monsters + p.kills_players),"
      " COUNT(DISTINCT b.ts / 86400), SUM(CASE WHEN b.has_pvp = 1 THEN p.damage_monsters + p.damage_players ELSE 0 END)"
      " FROM battle_participants p JOIN battles b ON b.battle_id = p.battle_id"
      " WHERE b.ts IS NOT NULL AND b.ts >= " + std::to_string(from) + " AND b.ts < " + std::to_string(kUntil) +
      " GROUP BY p.login_key, p.login ORDER BY COUNT(*) DESC, p.login_key");
  ASSERT_TRUE(rows);
  ASSERT_GE(rows->rows.size(), 20u);
  std::int64_t eligible = 0;
  std::string few;  // a player with fewer than 5 battles, if the corpus has one
  for (const auto& r : rows->rows) {
    eligible += r.integer(1) >= 10;
    if (r.integer(1) < 5 && few.empty()) few = r.text(0);
  }
  ASSERT_GE(eligible, 8);

  // The CLI writes a versioned model of the same shape.
  const std::string cli_model = dir.str() + "/cli-playstyle.json";
  ASSERT_EQ(run({"antibot", "train-playstyle", "--quiet", "--days", "30", "--until", std::to_string(kUntil), "--out", cli_model},
                env),
            0);
  {
    std::ifstream in(cli_model);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto m = json::parse(text).as_object();
    EXPECT_EQ(m.at("kind"), "playstyle");
    EXPECT_EQ(m.at("window_days"), 30);
    EXPECT_EQ(m.at("n").to_number<std::int64_t>(), eligible);
    EXPECT_EQ(m.at("clusters").as_array().size(), 8u);
    EXPECT_TRUE(m.at("feature_schema").is_string());
  }
  EXPECT_FALSE(std::filesystem::exists(dir.str() + "/var/playstyle-model.json"));  // --out was given

  TzrHost host(std::vector<std::string>{"serve"}, env, std::vector<std::string>{"battles"});
  const int port = host.port("battles");
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + kToken}};
  const std::string top = rows->rows[0].text(0);

  // Not trained: 503 with a clear message, in the one envelope.
  auto none = http(port, "GET", "/analytics/playstyle/" + top + "?" + window);
  ASSERT_EQ(none.status, 503) << none.body;
  EXPECT_EQ(none.json().at("error"), "model_not_trained");
  EXPECT_NE(std::string(none.json().at("message").as_string()).find("train-playstyle"), std::string::npos);
  EXPECT_EQ(http(port, "GET", "/analytics/playstyle/clusters/stats").status, 503);

  // Training: admin only, validated, asynchronous.
  EXPECT_EQ(http(port, "POST", "/api/admin/ml/train-playstyle?" + window).status, 401);
  EXPECT_EQ(http(port, "POST", "/api/admin/ml/train-playstyle?days=7", "", auth).status, 400);
  EXPECT_EQ(http(port, "POST", "/api/admin/ml/train-playstyle?k=1&" + window, "", auth).status, 400);
  auto job = http(port, "POST", "/api/admin/ml/train-playstyle?" + window, "", auth);
  ASSERT_EQ(job.status, 202) << job.body;
  const std::string id(job.json().at("job_id").as_string());
  EXPECT_EQ(id.rfind("playstyle-", 0), 0u) << id;
  EXPECT_EQ(http(port, "GET", "/api/admin/ml/jobs/" + id).status, 401);
  auto status = wait_job(port, id, auth);
  ASSERT_EQ(status.at("status"), "done") << json::serialize(status);
  const auto& result = status.at("result");
  EXPECT_EQ(result.at("installed"), true);
  EXPECT_EQ(result.at("players_trained").to_number<std::int64_t>(), eligible);
  std::int64_t distributed = 0;
  for (const auto& c : result.at("cluster_distribution").as_array()) distributed += c.at("player_count").to_number<std::int64_t>();
  EXPECT_EQ(distributed, eligible);
  EXPECT_TRUE(std::filesystem::exists(dir.str() + "/var/playstyle-model.json"));

  // Cluster stats: 8 clusters by size, adding up; shared labels summed, not overwritten.
  auto stats_res = http(port, "GET", "/analytics/playstyle/clusters/stats");
  ASSERT_EQ(stats_res.status, 200) << stats_res.body;
  const json::value stats = stats_res.json();
  EXPECT_EQ(stats.at("total_clusters"), 8);
  const auto& clusters = stats.at("clusters").as_array();
  ASSERT_EQ(clusters.size(), 8u);
  std::map<std::int64_t, json::object> by_id;
  std::int64_t last = 1 << 30, total = 0;
  for (const auto& c : clusters) {
    const auto n = c.at("player_count").to_number<std::int64_t>();
    EXPECT_LE(n, last);
    last = n;
    total += n;
    by_id[c.at("cluster_id").to_number<std::int64_t>()] = c.as_object();
    for (const char* k : {"playstyle", "display_name", "display_name_en", "description", "avg_features"})
      EXPECT_TRUE(c.as_object().contains(k)) << k;
  }
  EXPECT_EQ(total, eligible);
  EXPECT_EQ(by_id.size(), 8u);
  std::int64_t by_style = 0;
  for (const auto& s : stats.at("by_playstyle").as_array()) by_style += s.at("player_count").to_number<std::int64_t>();
  EXPECT_EQ(by_style, eligible);

  // A player's playstyle: features as SQL computes them, the cluster as the stats list it.
  auto one = http(port, "GET", "/analytics/playstyle/" + top + "?" + window);
  ASSERT_EQ(one.status, 200) << one.body;
  const json::value body = one.json();
  const auto& r0 = rows->rows[0];
  const double n = static_cast<double>(r0.integer(1)), pvp = static_cast<double>(r0.integer(2));
  const auto& f = body.at("player_features");
  EXPECT_EQ(body.at("login").as_string(), top);
  EXPECT_EQ(body.at("period_days"), 30);
  EXPECT_DOUBLE_EQ(num(f.at("total_battles")), n);
  EXPECT_DOUBLE_EQ(num(f.at("pvp_ratio")), pvp / n);
  EXPECT_DOUBLE_EQ(num(f.at("survival_rate")), static_cast<double>(r0.integer(3)) / n);
  EXPECT_DOUBLE_EQ(num(f.at("kpm")), static_cast<double>(r0.integer(4)) / n);
  EXPECT_DOUBLE_EQ(num(f.at("active_days")), static_cast<double>(r0.integer(5)));
  EXPECT_DOUBLE_EQ(num(f.at("activity_ratio")), static_cast<double>(r0.integer(5)) / 30);
  EXPECT_DOUBLE_EQ(num(f.at("avg_pvp_damage")), pvp > 0 ? static_cast<double>(r0.integer(6)) / pvp : 0.0);
  const auto cluster = body.at("cluster_id").to_number<std::int64_t>();
  ASSERT_TRUE(by_id.count(cluster));
  EXPECT_EQ(body.at("playstyle"), by_id[cluster].at("playstyle"));
  EXPECT_EQ(body.at("cluster_size"), by_id[cluster].at("player_count"));
  EXPECT_GE(num(body.at("confidence")), 0);
  EXPECT_LE(num(body.at("confidence")), 1);
  const auto& similar = body.at("similar_players").as_array();
  EXPECT_LE(similar.size(), 5u);
  for (const auto& s : similar) EXPECT_NE(s.as_string(), top);
  const auto& bot = body.at("bot_detection");
  EXPECT_EQ(num(bot.at("bot_score")), num(bot.at("indicators_count")) / 4);
  std::set<std::string> codes;
  for (const auto& c : bot.at("reasons").as_array()) EXPECT_TRUE(codes.insert(std::string(c.as_string())).second);

  // Unknown players, too few battles and bad windows.
  auto unknown = http(port, "GET", "/analytics/playstyle/NoSuchPlayer?" + window);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json().at("error"), "player_not_found");
  if (!few.empty()) {
    auto little = http(port, "GET", "/analytics/playstyle/" + few + "?" + window);
    EXPECT_EQ(little.status, 404) << little.body;
    EXPECT_EQ(little.json().at("error"), "not_enough_battles");
  }
  EXPECT_EQ(http(port, "GET", "/analytics/playstyle/" + top + "?days=6&until=" + std::to_string(kUntil)).status, 400);
  EXPECT_EQ(http(port, "GET", "/analytics/playstyle/" + top + "?days=366").status, 400);

  // The same seed on the same data: the same model, the same answer.
  auto again = wait_job(port, std::string(http(port, "POST", "/api/admin/ml/train-playstyle?" + window, "", auth)
                                              .json().at("job_id").as_string()),
                        auth);
  ASSERT_EQ(again.at("status"), "done") << json::serialize(again);
  EXPECT_EQ(again.at("result").at("installed"), true);
  auto same = http(port, "GET", "/analytics/playstyle/" + top + "?" + window).json();
  EXPECT_EQ(same.at("cluster_id"), body.at("cluster_id"));
  EXPECT_EQ(same.at("confidence"), body.at("confidence"));
  EXPECT_EQ(same.at("similar_players"), body.at("similar_players"));

  // A training that cannot succeed (no battles in its window) fails and keeps the installed model.
  auto empty = wait_job(port, std::string(http(port, "POST", "/api/admin/ml/train-playstyle?days=30&until=1000000", "", auth)
                                              .json().at("job_id").as_string()),
                        auth);
  EXPECT_EQ(empty.at("status"), "failed");
  EXPECT_EQ(empty.at("result").at("error"), "not_enough_data");
  EXPECT_EQ(http(port, "GET", "/analytics/playstyle/" + top + "?" + window).json().at("cluster_id"), body.at("cluster_id"));
}
