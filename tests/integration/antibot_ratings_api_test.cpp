// The rating and churn routes on the battles port, black box, on SQLite and PostgreSQL: a
// synthetic corpus (battles synth) ingested with the CLI into the backend, `serve` on it. The
// ladders are recomputed here from the raw rows (the test's own reads, in its own order, handed to
// the pure rating code that the unit tests check by hand) and compared item by item with pages of
// the answers; churn halves, silences and scores are recomputed from the raw rows alone. Then the
// detector's verdicts appear in the churn rows once a model is trained, and the errors (400, 422).
#include "antibot/ratings.hpp"
#include "support/backends.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <thread>

using namespace tzr::test;
using namespace std::chrono_literals;
namespace bj = boost::json;
namespace ab = tzr::antibot;

namespace {

const std::string kToken = "ratings-api-test-admin-token";
constexpr std::int64_t kStart = 1759276800;  // the corpus starts 2025-10-01 and lasts 4 days
constexpr std::int64_t kUntil = kStart + 5 * 86400, kFrom = kUntil - 7 * 86400;

int run(std::vector<std::string> args, std::map<std::string, std::string> env) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, std::move(env));
  p.read_all(180s);
  return p.wait(180s).value_or(-1);
}

double num(const bj::value& v) { return v.to_number<double>(); }

struct Raw {
  std::map<std::int64_t, ab::RatedBattle> pvp, pve;
  std::map<std::string, std::vector<std::int64_t>> ends;  // login_key → battle ends in the window
  std::map<std::string, std::string> login;
};

Raw read_raw(tzr::storage::Database& db) {
  Raw raw;
  std::map<std::int64_t, std::pair<bool, bool>> kind;  // pvp, pve
  auto b = db.query("SELECT battle_id, ts, has_pvp, has_monsters FROM battles WHERE ts IS NOT NULL");
  EXPECT_TRUE(b);
  for (const auto& r : b->rows) {
    if (r.integer(1) < kFrom || r.integer(1) >= kUntil) continue;
    const bool pvp = r.integer(2) != 0, pve = r.integer(3) != 0 && !pvp;
    kind[r.integer(0)] = {pvp, pve};
    if (pvp) raw.pvp[r.integer(0)] = {r.integer(0), r.integer(1), {}, {}};
    if (pve) raw.pve[r.integer(0)] = {r.integer(0), r.integer(1), {}, {}};
  }
  auto p = db.query("SELECT p.battle_id, p.login, p.login_key, p.side, p.survived, b.ts FROM battle_participants p"
                    " JOIN battles b ON b.battle_id = p.battle_id");
  EXPECT_TRUE(p);
  for (const auto& r : p->rows) {
    auto k = kind.find(r.integer(0));
    if (k == kind.end()) continue;
    const ab::RatedPlayer x{r.text(2), r.text(1), r.integer(3), r.integer(4) != 0};
    if (k->second.first) raw.pvp[r.integer(0)].players.push_back(x);
    if (k->second.second) raw.pve[r.integer(0)].players.push_back(x);
    raw.ends[x.login_key].push_back(r.integer(5));
    if (!raw.login.count(x.login_key)) raw.login[x.login_key] = x.login;
  }
  auto m = db.query("SELECT battle_id, kind, side, count FROM battle_monsters");
  EXPECT_TRUE(m);
  for (const auto& r : m->rows)
    if (auto it = raw.pve.find(r.integer(0)); it != raw.pve.end()) it->second.monsters.push_back({r.text(1), r.integer(2), r.integer(3)});
  return raw;
}

std::vector<ab::RatedBattle> values(const std::map<std::int64_t, ab::RatedBattle>& m) {
  std::vector<ab::RatedBattle> out;
  for (const auto& [id, b] : m) out.push_back(b);
  std::reverse(out.begin(), out.end());  // any order: the rating sorts by end time itself
  return out;
}

class RatingsApi : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(RatingsApi, LaddersAndChurnMatchTheStore) {
  std::string server;
  if (GetParam() != "sqlite") {
    TZR_REQUIRE_SERVER_URL(url, "TZR_TEST_POSTGRES_URL");
    server = url;
  }
  TempDir dir;
  ScratchDatabase scratch(GetParam(), dir, server);
  const std::map<std::string, std::string> env{{"TZR_STORAGE__URL", scratch.url()}, {"TZR_SERVER__VAR_DIR", dir.str() + "/var"},
                                               {"TZR_ADMIN__TOKEN", kToken}, {"TZR_LOG__LEVEL", "warn"},
                                               {"TZR_GAME_DB__URL", "sqlite://" + dir.str() + "/game.db"}};
  ASSERT_EQ(run({"battles", "synth", "--players", "60", "--days", "4", "--seed", "11", "--out", dir.str() + "/logs"}, env), 0);
  ASSERT_EQ(run({"ingest", "--quiet", dir.str() + "/logs"}, env), 0);
  const Raw raw = read_raw(scratch.db());
  ASSERT_GT(raw.pvp.size(), 20u);
  ASSERT_GT(raw.pve.size(), 100u);
  const std::string window = "days=7&until=" + std::to_string(kUntil);

  TzrHost host(std::vector<std::string>{"serve"}, env, std::vector<std::string>{"battles"});
  const int port = host.port("battles");
  auto get = [port](const std::string& target) {
    auto r = http(port, "GET", target);
    EXPECT_EQ(r.status, 200) << target << " " << r.body;
    return r.status == 200 ? r.json() : bj::value(bj::object{});
  };

  // ---- the ladders: two pages each, every field of every item ----
  for (const bool pve : {false, true}) {
    auto ladder = pve ? ab::rate_pve(values(raw.pve)) : ab::rate_pvp(values(raw.pvp));
    std::erase_if(ladder.players, [](const ab::PlayerRating& p) { return p.battles < 3; });
    ASSERT_GT(ladder.players.size(), 10u);
    const std::string path = pve ? "/analytics/pve/elo" : "/analytics/pvp/elo";
    for (int offset : {0, 5}) {
      auto r = get(path + "?min_battles=3&limit=5&offset=" + std::to_string(offset) + "&" + window);
      EXPECT_EQ(r.at("kind"), pve ? "pve" : "pvp");
      EXPECT_EQ(r.at("period_days"), 7);
      EXPECT_EQ(r.at("total").as_int64(), static_cast<std::int64_t>(ladder.players.size()));
      EXPECT_EQ(r.at("battles_rated").as_int64(), ladder.battles_rated);
      EXPECT_EQ(r.at("next_offset").as_int64(), offset + 5);
      const auto& items = r.at("items").as_array();
      ASSERT_EQ(items.size(), 5u);
      for (std::size_t i = 0; i < 5; ++i) {
        const auto& want = ladder.players[static_cast<std::size_t>(offset) + i];
        const auto& got = items[i];
        EXPECT_EQ(got.at("rank").as_int64(), offset + static_cast<std::int64_t>(i) + 1);
        EXPECT_EQ(got.at("login").as_string(), want.login);
        EXPECT_NEAR(num(got.at("elo")), want.elo, 0.051);
        EXPECT_EQ(got.at("wins").as_int64(), want.wins);
        EXPECT_EQ(got.at("losses").as_int64(), want.losses);
        EXPECT_EQ(got.at("total_battles").as_int64(), want.battles);
        EXPECT_NEAR(num(got.at("win_rate")), static_cast<double>(want.wins) / static_cast<double>(want.battles), 1e-12);
        EXPECT_EQ(got.at("history").as_array().size(), std::min<std::size_t>(20, static_cast<std::size_t>(want.battles)));
        EXPECT_NEAR(num(got.at("history").as_array().back()), want.elo, 0.051);
        if (pve) {
          EXPECT_EQ(got.at("draws").as_int64(), 0);  // survival is a win or a loss
        }
        EXPECT_EQ(want.wins + want.losses + want.draws, want.battles);
      }
    }
    if (pve) {
      auto r = get(path + "?" + window);
      const auto& kinds = r.at("monsters").as_array();
      ASSERT_EQ(kinds.size(), ladder.monsters.size());
      EXPECT_EQ(kinds[0].at("kind").as_string(), ladder.monsters[0].kind);
      EXPECT_NEAR(num(kinds[0].at("elo")), ladder.monsters[0].elo, 0.051);
    }
  }
  // Outside the corpus: an honest empty ladder.
  auto empty = get("/analytics/pvp/elo?days=7&until=" + std::to_string(kStart));
  EXPECT_EQ(empty.at("total").as_int64(), 0);
  EXPECT_TRUE(empty.at("items").as_array().empty());
  EXPECT_EQ(empty.at("battles_rated").as_int64(), 0);

  // ---- churn: halves split at until − 3.5 days, silence over 3.5 days ----
  struct Want {
    std::string login;
    std::int64_t first = 0, second = 0, last = 0;
    double score = 0;
  };
  std::vector<std::pair<std::string, Want>> churn;
  std::int64_t high = 0, medium = 0, low = 0;
  for (const auto& [key, ends] : raw.ends) {
    if (ends.size() < 5) continue;
    Want w{raw.login.at(key)};
    for (auto t : ends) {
      ++(t < kUntil - 7 * 43200 ? w.first : w.second);
      w.last = std::max(w.last, t);
    }
    const double drop = w.first ? std::clamp(1.0 - static_cast<double>(w.second) / static_cast<double>(w.first), 0.0, 1.0) : 0.0;
    w.score = std::max(drop, std::min(1.0, static_cast<double>(kUntil - w.last) / 86400.0 / 3.5));
    (w.score >= 0.7 ? high : w.score >= 0.4 ? medium : low) += 1;
    churn.push_back({key, w});
  }
  std::sort(churn.begin(), churn.end(), [](const auto& a, const auto& b) {
    return a.second.score != b.second.score ? a.second.score > b.second.score : a.first < b.first;
  });
  ASSERT_GT(churn.size(), 10u);
  auto c = get("/analytics/predictions/churn?limit=200&" + window);
  EXPECT_EQ(c.at("players").as_int64(), static_cast<std::int64_t>(churn.size()));
  EXPECT_EQ(c.at("counts").at("high").as_int64(), high);
  EXPECT_EQ(c.at("counts").at("medium").as_int64(), medium);
  EXPECT_EQ(c.at("counts").at("low").as_int64(), low);
  std::int64_t binned = 0;
  for (const auto& bin : c.at("histogram").as_array()) binned += bin.at("players").as_int64();
  EXPECT_EQ(binned, static_cast<std::int64_t>(churn.size()));
  EXPECT_EQ(c.at("detector").at("status"), "model_not_trained");
  const auto& rows = c.at("items").as_array();
  ASSERT_EQ(rows.size(), churn.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& want = churn[i].second;
    EXPECT_EQ(rows[i].at("login").as_string(), want.login);
    EXPECT_EQ(rows[i].at("battles_first_half").as_int64(), want.first);
    EXPECT_EQ(rows[i].at("battles_second_half").as_int64(), want.second);
    EXPECT_NEAR(num(rows[i].at("churn_score")), want.score, 1e-12);
    EXPECT_NEAR(num(rows[i].at("days_since_last_battle")), static_cast<double>(kUntil - want.last) / 86400.0, 1e-12);
    EXPECT_EQ(rows[i].at("risk"), want.score >= 0.7 ? "high" : want.score >= 0.4 ? "medium" : "low");
    EXPECT_TRUE(rows[i].at("is_bot").is_null());
  }
  auto only_low = get("/analytics/predictions/churn?risk=low&sort=activity&" + window);
  EXPECT_EQ(only_low.at("total").as_int64(), low);
  for (const auto& x : only_low.at("items").as_array()) EXPECT_EQ(x.at("risk"), "low");

  // ---- with a trained detector the rows carry its verdict (the same as the player route's) ----
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + kToken}};
  auto job = http(port, "POST", "/api/admin/ml/train-botdetector?" + window, "", auth);
  ASSERT_EQ(job.status, 202) << job.body;
  const std::string id(job.json().at("job_id").as_string());
  bj::value status;
  for (int i = 0; i < 600; ++i) {
    status = http(port, "GET", "/api/admin/ml/jobs/" + id, "", auth).json();
    if (status.at("status") == "done" || status.at("status") == "failed") break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(status.at("status"), "done") << bj::serialize(status);
  auto judged = get("/analytics/predictions/churn?sort=activity&limit=5&" + window);
  EXPECT_EQ(judged.at("detector").at("status"), "ok");
  const auto& top = judged.at("items").as_array().at(0);
  ASSERT_TRUE(top.at("is_bot").is_bool()) << bj::serialize(top);  // the most active player has ≥ 10 battles
  auto verdict = get("/analytics/antibot/player/" + std::string(top.at("login").as_string()) + "?" + window);
  EXPECT_EQ(top.at("is_bot"), verdict.at("is_bot"));
  EXPECT_NEAR(num(top.at("detection").at("score")), num(verdict.at("score")), 1e-12);
  auto other = get("/analytics/predictions/churn?days=14&until=" + std::to_string(kUntil));
  EXPECT_EQ(other.at("detector").at("status"), "window_mismatch");
  EXPECT_TRUE(other.at("items").as_array().at(0).at("is_bot").is_null());

  // ---- errors, in the one envelope ----
  for (const std::string bad : {"/analytics/pvp/elo?limit=201", "/analytics/pve/elo?days=0", "/analytics/pvp/elo?min_battles=0",
                                "/analytics/predictions/churn?days=1", "/analytics/predictions/churn?offset=-1"}) {
    auto r = http(port, "GET", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json().at("error"), "invalid_parameter") << bad;
  }
  auto sort = http(port, "GET", "/analytics/predictions/churn?sort=score");
  EXPECT_EQ(sort.status, 422);
  EXPECT_EQ(sort.json().at("error"), "unknown_sort");
  auto risk = http(port, "GET", "/analytics/predictions/churn?risk=extreme");
  EXPECT_EQ(risk.status, 422);
  EXPECT_EQ(risk.json().at("error"), "unknown_risk");
}

INSTANTIATE_TEST_SUITE_P(Backends, RatingsApi, ::testing::Values("sqlite", "postgres"));
