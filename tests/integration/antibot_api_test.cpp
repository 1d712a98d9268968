// The anti-bot and player analytics API on the battles port, black box: a synthetic corpus
// (battles synth, whose bots play ~20 h a day and four times as much) ingested with the CLI,
// `serve` on the same SQLite store. Without a model the candidates answer model_not_trained;
// an authenticated training job installs one; candidates rank the synthetic bots first; the
// heatmap adds up and moves with the zone; verdicts need the token and land in the audit log.
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

using namespace tzr::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::string kToken = "antibot-api-test-admin-token";

int run(std::vector<std::string> args, std::map<std::string, std::string> env) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, std::move(env));
  p.read_all(180s);
  return p.wait(180s).value_or(-1);
}

}  // namespace

TEST(AntibotApi, CandidatesHeatmapTrainingAndVerdicts) {
  TempDir dir;
  ScratchDatabase scratch("sqlite", dir);
  const std::map<std::string, std::string> env{{"TZR_STORAGE__URL", scratch.url()}, {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
                                               {"TZR_ADMIN__TOKEN", kToken}, {"TZR_LOG__LEVEL", "warn"},
                                               {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"}};
  ASSERT_EQ(run({"battles", "synth", "--players", "80", "--days", "4", "--seed", "3", "--out", dir.str() + "/logs"}, env), 0);
  ASSERT_EQ(run({"ingest", "--quiet", dir.str() + "/logs"}, env), 0);
  const std::string until = std::to_string(1759276800 + 5 * 86400);
  const std::string window = "days=7&until=" + until;

  // Ground truth from the store: the generator's bots play 20 h a day (humans at most 6, up to 17 distinct hours over 4 days).
  auto rows = scratch.db().query(
      "SELECT p.login, COUNT(DISTINCT (b.ts / 3600) % 24), COUNT(*) FROM battle_participants p"
      " JOIN battles b ON b.battle_id = p.battle_id WHERE b.ts IS NOT NULL GROUP BY p.login_key, p.login");
  ASSERT_TRUE(rows);
  std::map<std::string, bool> is_bot;
  std::map<std::string, std::int64_t> battles;
  for (const auto& r : rows->rows) {
    is_bot[r.text(0)] = r.integer(1) >= 19;
    battles[r.text(0)] = r.integer(2);
  }
  ASSERT_GE(std::count_if(is_bot.begin(), is_bot.end(), [](const auto& x) { return x.second; }), 1);

  TzrHost host(std::vector<std::string>{"serve"}, env, std::vector<std::string>{"battles"});
  const int port = host.port("battles");
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + kToken}};

  // No model yet: a distinct error, in the one envelope.
  auto none = http(port, "GET", "/analytics/antibot/candidates?" + window);
  ASSERT_EQ(none.status, 409) << none.body;
  EXPECT_EQ(none.json().at("error"), "model_not_trained");

  // Training is admin only and asynchronous.
  EXPECT_EQ(http(port, "POST", "/api/admin/ml/train-botdetector?" + window).status, 401);
  auto job = http(port, "POST", "/api/admin/ml/train-botdetector?" + window, "", auth);
  ASSERT_EQ(job.status, 202) << job.body;
  const std::string id(job.json().at("job_id").as_string());
  EXPECT_EQ(http(port, "GET", "/api/admin/ml/jobs/" + id).status, 401);
  json::value status;
  for (int i = 0; i < 600; ++i) {
    status = http(port, "GET", "/api/admin/ml/jobs/" + id, "", auth).json();
    if (status.at("status") == "done" || status.at("status") == "failed") break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(status.at("status"), "done") << json::serialize(status);
  EXPECT_EQ(status.at("result").at("installed"), true);
  EXPECT_EQ(http(port, "GET", "/api/admin/ml/jobs/nope", "", auth).status, 404);

  // Candidates: the envelope, legacy fields, bots above humans.
  auto cand = http(port, "GET", "/analytics/antibot/candidates?limit=200&" + window);
  ASSERT_EQ(cand.status, 200) << cand.body;
  const json::object body = cand.json().as_object();
  for (const char* k : {"period_days", "model_version", "threshold", "generated_at", "items"}) EXPECT_TRUE(body.contains(k)) << k;
  EXPECT_EQ(body.at("period_days"), 7);
  const auto& items = body.at("items").as_array();
  ASSERT_GT(items.size(), 10u);
  std::vector<double> bot_scores, human_scores;
  double last = 2;
  for (const auto& it : items) {
    const auto& o = it.as_object();
    for (const char* k : {"login", "is_bot", "score", "method", "reasons", "reasons_structured", "metrics", "ml_detection"})
      EXPECT_TRUE(o.contains(k)) << k;
    EXPECT_TRUE(o.at("ml_detection").as_object().contains("confidence"));
    EXPECT_TRUE(o.at("ml_detection").as_object().contains("method"));
    const double score = o.at("score").as_double();
    EXPECT_GE(score, 0);
    EXPECT_LE(score, 1);
    EXPECT_LE(score, last);
    last = score;
    (is_bot.at(std::string(o.at("login").as_string())) ? bot_scores : human_scores).push_back(score);
  }
  ASSERT_FALSE(bot_scores.empty());
  ASSERT_FALSE(human_scores.empty());
  EXPECT_TRUE(is_bot.at(std::string(items[0].at("login").as_string()))) << "the top candidate is a synthetic bot";
  std::sort(human_scores.begin(), human_scores.end());
  for (double b : bot_scores) EXPECT_GT(b, human_scores[human_scores.size() / 2]);
  auto page = http(port, "GET", "/analytics/antibot/candidates?limit=2&" + window).json();
  EXPECT_EQ(page.at("items").as_array().size(), 2u);
  EXPECT_EQ(page.at("next_cursor"), "2");
  EXPECT_EQ(http(port, "GET", "/analytics/antibot/candidates?limit=0&" + window).status, 400);
  EXPECT_EQ(http(port, "GET", "/analytics/antibot/candidates?days=30&until=" + until).json().at("error"), "window_mismatch");

  // One player; an unknown one is a 404 in the envelope.
  const std::string bot(items[0].at("login").as_string());
  auto one = http(port, "GET", "/analytics/antibot/player/" + bot + "?" + window);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json().at("login").as_string(), bot);
  auto unknown = http(port, "GET", "/analytics/antibot/player/NoSuchPlayer?" + window);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json().at("error"), "player_not_found");

  // Heatmap: sums to the battle count; Moscow is UTC+3 (ISO weekdays, Monday = 1).
  auto utc = http(port, "GET", "/api/analytics/player/" + bot + "?tz=UTC&" + window);
  ASSERT_EQ(utc.status, 200) << utc.body;
  auto msk = http(port, "GET", "/api/analytics/player/" + bot + "?" + window);  // default zone: Europe/Moscow
  ASSERT_EQ(msk.status, 200) << msk.body;
  EXPECT_EQ(msk.json().at("tz"), "Europe/Moscow");
  std::vector<std::int64_t> u(168), m(168);
  std::int64_t sum = 0;
  const json::value utc_body = utc.json(), msk_body = msk.json();  // range-for over a temporary would dangle
  for (const auto& c : utc_body.at("heatmap").as_array()) {
    const auto d = c.at("weekday").as_int64(), h = c.at("hour").as_int64();
    ASSERT_GE(d, 1);
    ASSERT_LE(d, 7);
    u[static_cast<std::size_t>((d - 1) * 24 + h)] = c.at("battles").as_int64();
    sum += c.at("battles").as_int64();
  }
  for (const auto& c : msk_body.at("heatmap").as_array())
    m[static_cast<std::size_t>((c.at("weekday").as_int64() - 1) * 24 + c.at("hour").as_int64())] = c.at("battles").as_int64();
  EXPECT_EQ(sum, utc.json().at("battles_count").as_int64());
  EXPECT_EQ(sum, battles.at(bot));
  for (std::size_t i = 0; i < 168; ++i) EXPECT_EQ(m[(i + 3) % 168], u[i]) << i;
  EXPECT_EQ(http(port, "GET", "/api/analytics/player/" + bot + "?tz=Mars/Olympus&" + window).status, 400);
  EXPECT_EQ(http(port, "GET", "/api/analytics/player/" + bot + "?tz=Europe&" + window).status, 400);  // a directory
  EXPECT_EQ(http(port, "GET", "/api/analytics/player/NoSuchPlayer?" + window).status, 404);

  // Verdicts: moderator only; then listed in the audit log.
  const std::string verdict = R"({"verdict":"banned","note":"farms 20 h a day"})";
  EXPECT_EQ(http(port, "POST", "/analytics/antibot/player/" + bot + "/verdict", verdict).status, 401);
  EXPECT_EQ(http(port, "GET", "/analytics/antibot/audit").status, 401);
  EXPECT_EQ(http(port, "POST", "/analytics/antibot/player/" + bot + "/verdict", R"({"verdict":"maybe"})", auth).status, 400);
  EXPECT_EQ(http(port, "POST", "/analytics/antibot/player/NoSuchPlayer/verdict", verdict, auth).status, 404);
  auto rec = http(port, "POST", "/analytics/antibot/player/" + bot + "/verdict", verdict, auth);
  ASSERT_EQ(rec.status, 201) << rec.body;
  auto audit = http(port, "GET", "/analytics/antibot/audit", "", auth);
  ASSERT_EQ(audit.status, 200) << audit.body;
  const json::value audit_body = audit.json();
  const auto& rows_out = audit_body.at("items").as_array();
  ASSERT_EQ(rows_out.size(), 1u);
  EXPECT_EQ(rows_out[0].at("login").as_string(), bot);
  EXPECT_EQ(rows_out[0].at("verdict"), "banned");
  EXPECT_EQ(rows_out[0].at("note"), "farms 20 h a day");
}
