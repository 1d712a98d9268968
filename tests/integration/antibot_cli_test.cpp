// tzrhost antibot synth / eval as an operator runs them: the population file and its labels, the
// metrics table, --check's exit code, usage errors.
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

using namespace tzr::test;
using namespace std::chrono_literals;

namespace {
struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  std::vector<std::string> argv{tzrhost_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv);
  auto out = p.read_all(120s);
  auto code = p.wait(120s);
  return {code.value_or(-1), out, p.stderr_text()};
}
}  // namespace

TEST(AntibotCli, SynthWritesPlayersWithLabelsAndBattles) {
  TempDir dir;
  const auto out = dir.path() / "population.jsonl";
  const auto labels = dir.path() / "labels.jsonl";
  auto r = run({"antibot", "synth", "--players", "40", "--days", "2", "--seed", "7", "--out", out.string(), "--labels",
                labels.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("40 players"), std::string::npos);

  std::ifstream in(out);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const auto manifest = boost::json::parse(line).as_object();
  EXPECT_EQ(manifest.at("type").as_string(), "manifest");
  EXPECT_EQ(manifest.at("seed").to_number<int>(), 7);
  std::map<std::string, int> kinds;
  int players = 0, bots = 0;
  while (std::getline(in, line)) {
    const auto p = boost::json::parse(line).as_object();
    ++players;
    bots += p.at("is_bot").as_bool();
    ++kinds[std::string(p.at("archetype").as_string())];
    for (const auto& b : p.at("battles").as_array()) {
      const auto& row = b.as_array();
      ASSERT_EQ(row.size(), 10u);
      EXPECT_LE(row[1].to_number<std::int64_t>(), row[2].to_number<std::int64_t>());
      EXPECT_GE(row[2].to_number<std::int64_t>(), manifest.at("window_start").to_number<std::int64_t>());
      EXPECT_LT(row[2].to_number<std::int64_t>(), manifest.at("window_end").to_number<std::int64_t>());
    }
  }
  EXPECT_EQ(players, 40);
  EXPECT_EQ(bots, 4);
  EXPECT_GT(kinds["H1"], 0);

  std::ifstream label_file(labels);
  int label_lines = 0;
  while (std::getline(label_file, line)) {
    const auto l = boost::json::parse(line).as_object();
    EXPECT_FALSE(l.contains("battles"));
    EXPECT_TRUE(l.contains("difficulty"));
    ++label_lines;
  }
  EXPECT_EQ(label_lines, 40);

  // Same seed, same file.
  const auto again = dir.path() / "again.jsonl";
  ASSERT_EQ(run({"antibot", "synth", "--players", "40", "--days", "2", "--seed", "7", "--out", again.string()}).code, 0);
  std::ifstream a(out), b(again);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}), std::string(std::istreambuf_iterator<char>(b), {}));
}

TEST(AntibotCli, EvalPrintsTheTableAndChecksTheBars) {
  auto r = run({"antibot", "eval", "--players", "200", "--days", "7", "--seeds", "1", "--check"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  for (const char* want : {"precision", "recall", "PR-AUC", "B3", "H5", "bars: all met"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want;
  EXPECT_NE(r.err.find("battles generated"), std::string::npos);  // progress on stderr

  EXPECT_EQ(run({"antibot", "eval", "--seeds", "0"}).code, 2);
  EXPECT_EQ(run({"antibot", "synth", "--players", "40"}).code, 2);  // --out is required
}
