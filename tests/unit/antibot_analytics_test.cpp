// The pure parts of the anti-bot HTTP API: zones from the system's TZif files (with historic
// transitions), the 24×7 heatmap in a zone, the verdict body, and the "worse model" rule.
#include "antibot/analytics.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numeric>

using namespace tzr::antibot;

namespace {

constexpr std::int64_t kMonday = 1759708800;  // 2025-10-06 00:00 UTC, a Monday

PlayerBattle at(std::int64_t end_ts) {
  PlayerBattle b;
  b.end_ts = end_ts;
  return b;
}

std::size_t cell(int iso_weekday, int hour) { return static_cast<std::size_t>((iso_weekday - 1) * 24 + hour); }

}  // namespace

TEST(AntibotAnalytics, MoscowFollowsItsHistoricOffsets) {
  auto msk = TimeZone::load("Europe/Moscow");
  ASSERT_TRUE(msk) << msk.error().message;
  EXPECT_EQ(msk->offset_at(kMonday), 3 * 3600);
  EXPECT_EQ(msk->offset_at(1341100800), 4 * 3600);  // 2012-07-01: MSK was UTC+4 from 2011 to 2014
  EXPECT_EQ(msk->offset_at(1262304000), 3 * 3600);  // 2010-01-01: winter time
}

TEST(AntibotAnalytics, BerlinHasSummerTime) {
  auto berlin = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(berlin) << berlin.error().message;
  EXPECT_EQ(berlin->offset_at(1751328000), 2 * 3600);  // 2025-07-01
  EXPECT_EQ(berlin->offset_at(1736899200), 1 * 3600);  // 2025-01-15
}

TEST(AntibotAnalytics, BadZoneNamesAreValidationErrors) {
  for (const char* name : {"", "../../etc/passwd", "/etc/localtime", "Mars/Olympus", "Europe/Moscow;rm", "Europe"}) {
    auto z = TimeZone::load(name);
    ASSERT_FALSE(z) << name;
    EXPECT_EQ(z.error().code, "invalid_timezone") << name;
  }
  EXPECT_EQ(TimeZone::load("UTC")->offset_at(kMonday), 0);
}

TEST(AntibotAnalytics, DamagedZoneFilesAreRefusedNotRead) {
  tzr::test::TempDir dir;
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir.str() + "/" + name, std::ios::binary) << bytes;
  };
  std::string header = "TZif2" + std::string(15, '\0');
  std::string huge = header + std::string(12, '\0') + std::string("\x7f\xff\xff\xff", 4) + std::string(8, '\0');
  std::string negative = header + std::string(12, '\0') + std::string("\xff\xff\xff\xfe", 4) + std::string(8, '\0');
  write("Short", "TZif");
  write("Huge", huge);
  write("Negative", negative);
  write("NotTzif", std::string(64, 'x'));
  for (const char* name : {"Short", "Huge", "Negative", "NotTzif"}) {
    auto z = TimeZone::load(name, dir.str());
    ASSERT_FALSE(z) << name;
    EXPECT_EQ(z.error().code, "invalid_timezone") << name;
  }
}

TEST(AntibotAnalytics, HeatmapUsesIsoWeekdaysInTheZone) {
  auto utc = TimeZone::utc();
  auto msk = TimeZone::load("Europe/Moscow");
  ASSERT_TRUE(msk);
  const std::vector<PlayerBattle> battles{at(kMonday), at(kMonday + 30 * 60), at(kMonday - 3600), at(kMonday + 5 * 86400 + 13 * 3600)};
  const auto u = heatmap(battles, *utc);
  const auto m = heatmap(battles, *msk);
  EXPECT_EQ(u[cell(1, 0)], 2);   // Monday 00:00 and 00:30
  EXPECT_EQ(u[cell(7, 23)], 1);  // Sunday 23:00
  EXPECT_EQ(u[cell(6, 13)], 1);  // Saturday 13:00
  EXPECT_EQ(m[cell(1, 3)], 2);
  EXPECT_EQ(m[cell(1, 2)], 1);  // Sunday 23:00 UTC is Monday 02:00 in Moscow
  EXPECT_EQ(m[cell(6, 16)], 1);
  EXPECT_EQ(std::accumulate(m.begin(), m.end(), std::int64_t{0}), 4);

  const auto rows = heatmap_json(u).as_array();
  ASSERT_EQ(rows.size(), 168u);
  EXPECT_EQ(rows[0].at("weekday"), 1);
  EXPECT_EQ(rows[0].at("hour"), 0);
  EXPECT_EQ(rows[0].at("battles"), 2);
  EXPECT_EQ(rows[167].at("weekday"), 7);
  EXPECT_EQ(rows[167].at("battles"), 1);
}

TEST(AntibotAnalytics, VerdictBodies) {
  auto ok = parse_verdict(R"({"verdict":"watch","note":"night farming"})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->verdict, "watch");
  EXPECT_EQ(ok->note, "night farming");
  EXPECT_TRUE(parse_verdict(R"({"verdict":"cleared"})"));
  EXPECT_EQ(parse_verdict(R"({"verdict":"maybe"})").error().code, "invalid_verdict");
  EXPECT_EQ(parse_verdict(R"({"note":"x"})").error().code, "invalid_verdict");
  EXPECT_EQ(parse_verdict(R"({"verdict":"banned","note":")" + std::string(2001, 'x') + "\"}").error().code, "invalid_note");
  EXPECT_FALSE(parse_verdict("not json"));
}

TEST(AntibotAnalytics, LabelAucAndTheWorseRule) {
  EXPECT_DOUBLE_EQ(label_auc({{0.9, true}, {0.8, true}, {0.2, false}, {0.1, false}}), 1.0);
  EXPECT_DOUBLE_EQ(label_auc({{0.1, true}, {0.9, false}}), 0.0);
  EXPECT_DOUBLE_EQ(label_auc({{0.5, true}, {0.5, false}}), 0.5);
  EXPECT_DOUBLE_EQ(label_auc({{0.9, true}, {0.3, true}, {0.5, false}}), 0.5);
  EXPECT_TRUE(std::isnan(label_auc({{0.9, true}, {0.8, true}})));

  const double nan = std::nan("");
  EXPECT_TRUE(candidate_is_worse(0.7, 0.8, 1000, 1000));
  EXPECT_FALSE(candidate_is_worse(0.8, 0.8, 10, 1000));  // labels decide when there are both classes
  EXPECT_TRUE(candidate_is_worse(nan, nan, 400, 1000));  // no labels: fitted on under half as many players
  EXPECT_FALSE(candidate_is_worse(nan, nan, 500, 1000));
  EXPECT_FALSE(candidate_is_worse(nan, nan, 10, 0));  // nothing installed yet
}
