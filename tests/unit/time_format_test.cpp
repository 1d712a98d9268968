#include "core/time_format.hpp"

#include <gtest/gtest.h>

#include <ctime>

TEST(IsoUtc, KnownInstants) {
  EXPECT_EQ(tzr::iso_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(tzr::iso_utc(1758371294), "2025-09-20T12:28:14Z");
  EXPECT_EQ(tzr::iso_utc(951782400), "2000-02-29T00:00:00Z");  // leap day of a century leap year
  EXPECT_EQ(tzr::iso_utc(-1), "1969-12-31T23:59:59Z");
}

TEST(IsoUtc, AgreesWithGmtimeOverTheRangeItCovers) {
  for (std::int64_t t = -2'208'988'800; t < 4'102'444'800; t += 86'399 * 37 + 13) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&tt, &tm), nullptr);
    char want[32];
    std::strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ASSERT_EQ(tzr::iso_utc(t), want) << t;
  }
}

TEST(IsoUtc, ExtremeValuesDoNotBreakIt) {
  // Outside data (a shop's put day, a log header) may carry any int64; the text stays well formed.
  EXPECT_FALSE(tzr::iso_utc(INT64_MAX).empty());
  EXPECT_FALSE(tzr::iso_utc(INT64_MIN).empty());
  EXPECT_EQ(tzr::iso_utc(INT64_MAX).back(), 'Z');
}
