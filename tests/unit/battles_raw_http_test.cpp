// GET /battle/{id}/raw without a server: representation choice, ETags, conditionals, ranges.
#include "battles/raw_http.hpp"

#include <gtest/gtest.h>

using namespace tzr::battles;

TEST(RawHttp, AcceptEncoding) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("gzip;q=1.0, br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("br, gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("x-gzip2, deflate"));
  EXPECT_FALSE(accepts_gzip(std::nullopt));
}

TEST(RawHttp, EtagsDifferPerCodingAndIfNoneMatchComparesWeakly) {
  const std::string plain = raw_etag("ab12", false), gz = raw_etag("ab12", true);
  EXPECT_EQ(plain, "\"ab12\"");
  EXPECT_EQ(gz, "\"ab12-gzip\"");
  EXPECT_TRUE(if_none_match_hits("\"ab12\"", plain));
  EXPECT_TRUE(if_none_match_hits("\"x\", W/\"ab12\"", plain));
  EXPECT_TRUE(if_none_match_hits(" * ", gz));
  EXPECT_FALSE(if_none_match_hits("\"ab12\"", gz));
  EXPECT_FALSE(if_none_match_hits("\"ab1\"", plain));
}

TEST(RawHttp, SingleRanges) {
  auto r = parse_range("bytes=0-9", 100);
  EXPECT_EQ(r.kind, RangeKind::satisfiable);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 9u);
  EXPECT_EQ(r.range.length(), 10u);
  r = parse_range("bytes=90-", 100);
  EXPECT_EQ(r.range.first, 90u);
  EXPECT_EQ(r.range.last, 99u);
  r = parse_range("bytes=95-500", 100);  // the end is clipped
  EXPECT_EQ(r.range.last, 99u);
  r = parse_range("bytes=-5", 100);
  EXPECT_EQ(r.range.first, 95u);
  EXPECT_EQ(r.range.last, 99u);
  r = parse_range("Bytes=-500", 100);  // a suffix longer than the body is the whole body
  EXPECT_EQ(r.kind, RangeKind::satisfiable);
  EXPECT_EQ(r.range.first, 0u);
}

TEST(RawHttp, UnsatisfiableAndIgnoredRanges) {
  EXPECT_EQ(parse_range("bytes=100-", 100).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=100-200", 100).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 100).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-0", 0).kind, RangeKind::unsatisfiable);
  for (const char* ignored : {"bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=", "bytes=--1", "bytes=+1-2",
                              "bytes=99999999999999999999-"})
    EXPECT_EQ(parse_range(ignored, 100).kind, RangeKind::none) << ignored;
}

TEST(RawHttp, IfRangeNeedsTheSameStrongTag) {
  EXPECT_TRUE(if_range_allows(std::nullopt, "\"a\""));
  EXPECT_TRUE(if_range_allows("\"a\"", "\"a\""));
  EXPECT_FALSE(if_range_allows("W/\"a\"", "\"a\""));
  EXPECT_FALSE(if_range_allows("\"b\"", "\"a\""));
  EXPECT_FALSE(if_range_allows("Tue, 01 Oct 2025 10:00:00 GMT", "\"a\""));
}
