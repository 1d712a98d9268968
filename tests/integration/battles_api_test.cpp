// The battles service as a client sees it: ingest → GET /battle/{id} gives the same data, raw bytes
// back (plain or the stored gzip), keyset pages that cover everything once, filters, search,
// upload with authentication and an honest outcome.
#include "battles/gzip.hpp"
#include "battles/model_json.hpp"
#include "battles/parser.hpp"
#include "support/backends.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_http.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace tzr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

const std::string kToken = "battles-test-admin-token";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run(std::vector<std::string> args, std::map<std::string, std::string> env) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, std::move(env));
  p.read_all(120s);
  return p.wait(120s).value_or(-1);
}

// A served corpus: synthesised, ingested with the CLI, then `serve` on the same database.
// Each test runs on SQLite, PostgreSQL and MariaDB (one store, the same answers).
class BattlesApi : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string server;
    if (GetParam() != "sqlite") {
      TZR_REQUIRE_SERVER_URL(url, server_env_name(GetParam()).c_str());
      server = url;
    }
    scratch_ = std::make_unique<ScratchDatabase>(GetParam(), dir_, server);
    env_ = {{"TZR_STORAGE__URL", scratch_->url()}, {"TZR_SERVER__VAR_DIR", dir_.str() + "/var"},
            {"TZR_ADMIN__TOKEN", kToken}, {"TZR_LOG__LEVEL", "warn"}, {"TZR_GAME_DB__URL", "sqlite://" + dir_.str() + "/game.db"}};
    ASSERT_EQ(run({"battles", "synth", "--players", "15", "--days", "2", "--seed", "5", "--out", dir_.str() + "/corpus"}, env_), 0);
    ASSERT_EQ(run({"ingest", "--quiet", dir_.str() + "/corpus"}, env_), 0);
    for (const auto& e : fs::recursive_directory_iterator(dir_.str() + "/corpus"))
      if (e.is_regular_file()) files_.push_back(e.path());
    host_ = std::make_unique<TzrHost>(std::vector<std::string>{"serve"}, env_, std::vector<std::string>{"battles"});
    port_ = host_->port("battles");
  }
  std::map<std::string, std::string> auth() const { return {{"Authorization", "Bearer " + kToken}}; }

  TempDir dir_;
  std::unique_ptr<ScratchDatabase> scratch_;
  std::map<std::string, std::string> env_;
  std::vector<fs::path> files_;
  std::unique_ptr<TzrHost> host_;
  int port_ = 0;
};

}  // namespace

TEST_P(BattlesApi, IngestThenGetBattleGivesTheSameData) {
  ASSERT_GT(files_.size(), 50u);
  for (std::size_t i = 0; i < files_.size(); i += files_.size() / 8) {
    const std::string bytes = read_file(files_[i]);
    tzr::battles::ParseOptions po;
    po.keep_events = false;
    json::object expected = tzr::battles::model_json(tzr::battles::parse_battle_log(bytes, po), false);
    const auto id = expected.at("battle").at("id").as_int64();
    auto res = http(port_, "GET", "/battle/" + std::to_string(id));
    ASSERT_EQ(res.status, 200) << res.body;
    json::object data = res.json().at("data").as_object();
    data.at("source").as_object().erase("storage_key");
    expected.at("source").as_object().erase("storage_key");
    EXPECT_EQ(json::value(data), json::value(expected)) << files_[i];

    auto raw = http(port_, "GET", "/battle/" + std::to_string(id) + "/raw");
    ASSERT_EQ(raw.status, 200);
    EXPECT_EQ(raw.body, bytes);
    EXPECT_EQ(raw.header("etag"), "\"" + std::string(expected.at("source").at("sha256").as_string()) + "\"");
    EXPECT_EQ(raw.header("content-encoding"), "");
    auto gz = http(port_, "GET", "/battle/" + std::to_string(id) + "/raw", "", {{"Accept-Encoding", "gzip, deflate"}});
    ASSERT_EQ(gz.status, 200);
    EXPECT_EQ(gz.header("content-encoding"), "gzip");
    EXPECT_EQ(tzr::battles::gunzip(gz.body, 1 << 24).value(), bytes);
    auto again = http(port_, "GET", "/battle/" + std::to_string(id) + "/raw", "", {{"If-None-Match", raw.header("etag")}});
    EXPECT_EQ(again.status, 304);
    auto events = http(port_, "GET", "/battle/" + std::to_string(id) + "/events");
    ASSERT_EQ(events.status, 200);
    EXPECT_FALSE(events.json().at("events").as_array().empty());
  }
  auto missing = http(port_, "GET", "/battle/1");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json().at("error"), "battle_not_found");
  EXPECT_TRUE(missing.json().as_object().contains("request_id"));
}

TEST_P(BattlesApi, KeysetPagesCoverEveryBattleOnceNewestFirst) {
  std::set<std::int64_t> seen;
  std::string after;
  std::int64_t last_ts = INT64_MAX;
  for (int page = 0; page < 1000; ++page) {
    auto res = http(port_, "GET", "/battles?limit=37" + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(res.status, 200) << res.body;
    auto body = res.json();
    for (const auto& b : body.at("battles").as_array()) {
      EXPECT_TRUE(seen.insert(b.at("battle_id").as_int64()).second);
      EXPECT_LE(b.at("ts_unix").as_int64(), last_ts);
      last_ts = b.at("ts_unix").as_int64();
    }
    if (body.at("next").is_null()) break;
    after = std::string(body.at("next").as_string());
  }
  EXPECT_EQ(seen.size(), files_.size());
  auto bad = http(port_, "GET", "/battles?limit=0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().at("error"), "invalid_parameter");
  EXPECT_EQ(http(port_, "GET", "/battles?after=x").status, 400);
}

TEST_P(BattlesApi, FiltersAndPlayerSearch) {
  auto pvp = http(port_, "GET", "/battles?kind=pvp&limit=100").json();
  ASSERT_FALSE(pvp.at("battles").as_array().empty());
  for (const auto& b : pvp.at("battles").as_array()) EXPECT_TRUE(b.at("has_pvp").as_bool());
  auto box = http(port_, "GET", "/battles?x_min=0&x_max=20&y_min=-20&y_max=0&limit=500").json();
  for (const auto& b : box.at("battles").as_array()) {
    EXPECT_GE(b.at("loc").at("x").as_int64(), 0);
    EXPECT_LE(b.at("loc").at("y").as_int64(), 0);
  }
  auto rats = http(port_, "GET", "/battles?monster=rat&limit=5").json();
  for (const auto& b : rats.at("battles").as_array()) {
    auto d = http(port_, "GET", "/battle/" + std::to_string(b.at("battle_id").as_int64())).json();
    bool has_rat = false;
    for (const auto& m : d.at("data").at("monsters").as_array())
      has_rat |= m.at("kind") == "rat" || m.at("kind") == "rat_spec";
    EXPECT_TRUE(has_rat);
  }
  // A player with an ASCII login (no URL encoding needed), from any battle.
  std::string someone;
  const auto all = http(port_, "GET", "/battles?limit=50").json();
  for (const auto& b : all.at("battles").as_array()) {
    const auto d = http(port_, "GET", "/battle/" + std::to_string(b.at("battle_id").as_int64())).json();
    for (const auto& p : d.at("data").at("participants").as_array()) {
      const std::string l(p.at("login").as_string());
      if (someone.empty() && static_cast<unsigned char>(l[0]) < 0x80) someone = l;
    }
  }
  ASSERT_FALSE(someone.empty());
  std::string prefix = someone.substr(0, 3);
  for (auto& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto found = http(port_, "GET", "/players/search?q=" + prefix + "&limit=100").json();
  ASSERT_FALSE(found.at("players").as_array().empty());
  bool listed = false;
  for (const auto& p : found.at("players").as_array()) listed |= p.at("login").as_string() == someone;
  EXPECT_TRUE(listed) << someone;
  const std::string login = someone;
  auto exact = http(port_, "GET", "/players/search?mode=exact&q=" + login).json();
  ASSERT_EQ(exact.at("players").as_array().size(), 1u);
  auto mine = http(port_, "GET", "/players/" + login + "/battles?limit=500").json();
  EXPECT_EQ(static_cast<std::int64_t>(mine.at("battles").as_array().size()), exact.at("players").as_array()[0].at("battles").as_int64());
  auto status = http(port_, "GET", "/battles/ingest/status").json();
  EXPECT_EQ(status.at("battles").as_int64(), static_cast<std::int64_t>(files_.size()));
}

TEST_P(BattlesApi, UploadNeedsTheTokenAndAnswersTheParseOutcome) {
  const std::string small = read_file(std::string(TZR_SHARED_DIR) + "/fixtures/battles/synthetic_small.tzb");
  EXPECT_EQ(http(port_, "POST", "/battles/upload?name=3999001.tzb", small).status, 401);
  // Gzip upload (battles.md §8 item 5): the same battle, and /raw gives the original bytes.
  auto up = http(port_, "POST", "/battles/upload?name=..%2F..%2F3999001.tzb.gz", tzr::battles::gzip(small), auth());
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(up.json().at("battle_id").as_int64(), 3999001);
  EXPECT_EQ(up.json().at("file"), "3999001.tzb.gz");
  EXPECT_EQ(http(port_, "GET", "/battle/3999001/raw").body, small);
  auto again = http(port_, "POST", "/battles/upload?name=3999001.tzb", small, auth());
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("status"), "duplicate");
  EXPECT_EQ(again.json().at("battle_id").as_int64(), 3999001);
  // Multipart, as browsers and the reference send it.
  const std::string boundary = "----tzrboundary";
  const std::string mock = read_file(std::string(TZR_SHARED_DIR) + "/fixtures/battles/mock_generator_style.tzb");
  const std::string multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"mock.tzb\"\r\n"
                                "Content-Type: application/octet-stream\r\n\r\n" + mock + "\r\n--" + boundary + "--\r\n";
  auto bad = http(port_, "POST", "/battles/upload", multipart,
                  {{"Authorization", "Bearer " + kToken}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.json().at("ok"), false);
  EXPECT_EQ(bad.json().at("error"), "not_a_battle_log");
  EXPECT_EQ(http(port_, "POST", "/battles/upload?name=x.xml", small, auth()).status, 400);
  auto status = http(port_, "GET", "/battles/ingest/status").json();
  EXPECT_GE(status.at("ingest_log").at("failed").as_int64(), 1);
  // Admin routes are authenticated; sync is not configured here.
  EXPECT_EQ(http(port_, "POST", "/admin/battles/reprocess").status, 401);
  EXPECT_EQ(http(port_, "GET", "/admin/battles/sync", "", auth()).status, 404);
  auto re = http(port_, "POST", "/admin/battles/reprocess?below_version=1000&limit=10", "", auth());
  EXPECT_EQ(re.status, 200);
  EXPECT_EQ(re.json().at("reparsed").as_int64(), 10);
}

INSTANTIATE_TEST_SUITE_P(Backends, BattlesApi, ::testing::Values("sqlite", "postgres", "mysql"),
                         [](const auto& p) { return p.param; });
