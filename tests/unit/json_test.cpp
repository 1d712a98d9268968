#include "core/json.hpp"

#include <gtest/gtest.h>

using namespace tzr;

TEST(Json, ParsesObjects) {
  auto o = json::parse_object(R"({"login":"alice","gender":1,"big":18446744073709551615,"ok":true})");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(json::get_string(*o, "login"), "alice");
  EXPECT_EQ(json::get_int(*o, "gender"), 1);
  EXPECT_EQ(json::get_int(*o, "big"), std::nullopt);  // beyond int64
  EXPECT_EQ(json::get_int(*o, "login"), std::nullopt);
  EXPECT_EQ(json::get_bool(*o, "ok"), true);
  EXPECT_EQ(json::get_string(*o, "missing"), std::nullopt);
}

TEST(Json, ErrorNamesTheBytePosition) {
  auto v = json::parse(R"({"a": 1,, "b": 2})");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "invalid_json");
  EXPECT_EQ(v.error().kind, ErrorKind::bad_request);
  EXPECT_NE(v.error().message.find("at byte 8"), std::string::npos) << v.error().message;
}

TEST(Json, RejectsTruncatedAndTrailingInput) {
  EXPECT_FALSE(json::parse(R"({"a": 1)"));
  EXPECT_FALSE(json::parse(R"({"a": 1} x)"));
  EXPECT_FALSE(json::parse(""));
}

TEST(Json, DepthIsBounded) {
  std::string deep(40, '[');
  deep += std::string(40, ']');
  auto v = json::parse(deep, {.max_depth = 32});
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("deeper than 32"), std::string::npos);
  EXPECT_TRUE(json::parse(deep, {.max_depth = 64}));
}

TEST(Json, ObjectRequired) {
  auto v = json::parse_object("[1,2]");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "json_object_required");
}

TEST(Json, SerializeWritesDoublesAsPeopleReadThem) {
  boost::json::value v = boost::json::object{{"a", 1.0}, {"b", 2.5}, {"c", 1e16}, {"d", 3}, {"e", boost::json::array{0.1, -0.0}}, {"s", "x\"y"}};
  EXPECT_EQ(tzr::json::serialize(v), R"({"a":1.0,"b":2.5,"c":1e+16,"d":3,"e":[0.1,-0.0],"s":"x\"y"})");
  EXPECT_EQ(tzr::json::parse(tzr::json::serialize(v)).value(), v);
}
