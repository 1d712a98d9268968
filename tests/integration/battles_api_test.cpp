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
    // Only the battles service: the shop store, started by a plain `serve`, is not ported to MySQL.
    host_ = std::make_unique<TzrHost>(std::vector<std::string>{"serve", "--only", "battles"}, env_, std::vector<std::string>{"battles"});
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
  // One typo (a letter replaced), and the Cyrillic "а"/"о" typed for Latin letters: still found, first.
  ASSERT_GE(login.size(), 3u);
  std::string typo = login;
  typo[typo.size() / 2] = typo[typo.size() / 2] == 'q' ? 'z' : 'q';
  auto fuzzy = http(port_, "GET", "/players/search?mode=fuzzy&q=" + typo).json();
  ASSERT_FALSE(fuzzy.at("players").as_array().empty()) << typo;
  EXPECT_EQ(std::string(fuzzy.at("players").as_array()[0].at("login").as_string()), login) << typo;
  EXPECT_EQ(fuzzy.at("players").as_array()[0].at("distance").as_int64(), login == typo ? 0 : 1);
  EXPECT_EQ(fuzzy.at("truncated"), false);
  EXPECT_GT(fuzzy.at("scanned").as_int64(), 0);
  EXPECT_EQ(http(port_, "GET", "/players/search?mode=near&q=" + login).status, 400);
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

TEST_P(BattlesApi, RawRangesConditionalsReferenceDataAndMetrics) {
  const std::string small = read_file(std::string(TZR_SHARED_DIR) + "/fixtures/battles/synthetic_small.tzb");
  ASSERT_EQ(http(port_, "POST", "/battles/upload?name=3999001.tzb", small, auth()).status, 201);
  const std::string raw = "/battle/3999001/raw";
  const std::string size = std::to_string(small.size());

  // Ranges of the identity bytes (even when gzip is accepted), 416 past the end, ignored lists.
  auto part = http(port_, "GET", raw, "", {{"Range", "bytes=0-6"}, {"Accept-Encoding", "gzip"}});
  ASSERT_EQ(part.status, 206) << part.body;
  EXPECT_EQ(part.body, small.substr(0, 7));
  EXPECT_EQ(part.header("content-range"), "bytes 0-6/" + size);
  EXPECT_EQ(part.header("content-encoding"), "");
  auto tail = http(port_, "GET", raw, "", {{"Range", "bytes=-10"}});
  ASSERT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, small.substr(small.size() - 10));
  auto past = http(port_, "GET", raw, "", {{"Range", "bytes=" + size + "-"}});
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(past.header("content-range"), "bytes */" + size);
  auto many = http(port_, "GET", raw, "", {{"Range", "bytes=0-1,4-5"}});
  EXPECT_EQ(many.status, 200);
  EXPECT_EQ(many.body, small);
  EXPECT_EQ(many.header("accept-ranges"), "bytes");

  // Validators: one strong ETag per coding; If-Range with another tag gives the whole body.
  auto plain = http(port_, "GET", raw);
  auto gz = http(port_, "GET", raw, "", {{"Accept-Encoding", "gzip"}});
  EXPECT_NE(plain.header("etag"), gz.header("etag"));
  EXPECT_EQ(gz.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(http(port_, "GET", raw, "", {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz.header("etag")}}).status, 304);
  EXPECT_EQ(http(port_, "GET", raw, "", {{"If-None-Match", "\"other\", W/" + plain.header("etag")}}).status, 304);
  EXPECT_EQ(http(port_, "GET", raw, "", {{"If-None-Match", gz.header("etag")}}).status, 200);
  EXPECT_EQ(http(port_, "GET", raw, "", {{"Range", "bytes=0-1"}, {"If-Range", plain.header("etag")}}).status, 206);
  EXPECT_EQ(http(port_, "GET", raw, "", {{"Range", "bytes=0-1"}, {"If-Range", "\"stale\""}}).status, 200);

  // Reference data: the fixture's map (battles.md §8: m_4C64EC1C7912A293), its loot, monster kinds.
  auto map = http(port_, "GET", "/maps/m_4C64EC1C7912A293");
  ASSERT_EQ(map.status, 200) << map.body;
  EXPECT_EQ(map.json().at("first_battle_id").as_int64(), 3999001);
  EXPECT_FALSE(map.json().at("rows").as_array().empty());
  EXPECT_EQ(map.json().at("height").as_int64(), static_cast<std::int64_t>(map.json().at("rows").as_array().size()));
  EXPECT_EQ(http(port_, "GET", "/maps/m_0000000000000000").json().at("error"), "map_not_found");
  auto maps = http(port_, "GET", "/maps?limit=1000").json();
  EXPECT_FALSE(maps.at("maps").as_array().empty());
  EXPECT_EQ(http(port_, "GET", "/maps?limit=0").status, 400);
  auto items = http(port_, "GET", "/items").json();
  std::set<std::string> names;
  for (const auto& i : items.at("items").as_array()) names.insert(std::string(i.at("name").as_string()));
  for (const char* n : {"Metals", "Rat Fang", "Antidote"}) EXPECT_TRUE(names.contains(n)) << n;
  auto kinds = http(port_, "GET", "/monsters").json();
  EXPECT_EQ(kinds.at("monsters").as_array().size(), 37u);
  auto rat = http(port_, "GET", "/monsters/rat").json();
  EXPECT_EQ(rat.at("name_ru"), "Крыса");
  EXPECT_GE(rat.at("seen").at("battles").as_int64(), 1);
  EXPECT_EQ(http(port_, "GET", "/monsters/dragon").status, 404);

  // Observability: the upload above and a failed one are counted; readiness covers the raw store.
  const std::string mock = read_file(std::string(TZR_SHARED_DIR) + "/fixtures/battles/mock_generator_style.tzb");
  EXPECT_EQ(http(port_, "POST", "/battles/upload?name=mock.tzb", mock, auth()).status, 422);
  const std::string metrics = http(port_, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("tzr_battles_ingest_total{status=\"stored\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tzr_battles_parse_errors_total{class=\"not_a_battle_log\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("tzr_battles_raw_compression_ratio"), std::string::npos);
  auto ready = http(port_, "GET", "/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_NE(ready.body.find("raw_store"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, BattlesApi, ::testing::Values("sqlite", "postgres", "mysql"),
                         [](const auto& p) { return p.param; });
