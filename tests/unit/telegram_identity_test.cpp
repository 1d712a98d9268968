// Telegram identity proofs (registration.md §8.3): Login Widget payloads and Mini App initData,
// signed in the test as Telegram signs them, then verified, forged, aged and mismatched.
#include "support/fake_bot_api.hpp"
#include "telegram/group_gate.hpp"
#include "telegram/identity.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <cctype>

namespace {

using namespace tzr::telegram;
using tzr::ErrorKind;
using tzr::test::signed_init_data;
using tzr::test::signed_widget;

const std::string kToken = "123456789:AAE-test_bot_token-SECRET";
constexpr std::int64_t kNow = 1'700'000'000;

boost::json::object widget_fields(std::int64_t id = 42, std::int64_t auth_date = kNow - 10) {
  return {{"id", id}, {"first_name", "Анна"}, {"username", "anna_k"}, {"photo_url", "https://t.me/i/userpic/320/a.jpg"},
          {"auth_date", auth_date}};
}

std::vector<std::pair<std::string, std::string>> init_pairs(std::int64_t id = 42, std::int64_t auth_date = kNow - 10) {
  return {{"query_id", "AAHdF6IQAAAAAN0XohDhrOrc"},
          {"user", R"({"id":)" + std::to_string(id) + R"(,"first_name":"Ann Lee","username":"ann","language_code":"en"})"},
          {"auth_date", std::to_string(auth_date)}};
}

void expect_invalid(const tzr::Result<std::int64_t>& r, const std::string& hint = {}) {
  ASSERT_FALSE(r) << "accepted id " << *r;
  EXPECT_EQ(r.error().code, "telegram_auth_invalid");
  EXPECT_EQ(r.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(r.error().message.find(kToken), std::string::npos);
  if (!hint.empty()) {
    EXPECT_NE(r.error().message.find(hint), std::string::npos) << r.error().message;
  }
}

// initData ends with its hash: change the hash's last digit.
std::string flip_last_digit(std::string s) {
  s.back() = s.back() == '0' ? '1' : '0';
  return s;
}

TEST(TelegramWidget, ValidPayloadGivesItsId) {
  auto r = verify_login_widget(signed_widget(kToken, widget_fields()), kToken, kNow);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, 42);
}

TEST(TelegramWidget, StringValuedFieldsAsFromARedirect) {
  boost::json::object f{{"id", "777"}, {"first_name", "Bob"}, {"auth_date", std::to_string(kNow)}};
  auto r = verify_login_widget(signed_widget(kToken, f), kToken, kNow);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, 777);
}

TEST(TelegramWidget, ForgedOrAlteredPayloadsAreRefused) {
  std::string good = signed_widget(kToken, widget_fields());
  // A wrong hash digit.
  auto obj = boost::json::parse(good).as_object();
  std::string hash(obj["hash"].as_string());
  hash[0] = hash[0] == 'a' ? 'b' : 'a';
  obj["hash"] = hash;
  expect_invalid(verify_login_widget(boost::json::serialize(obj), kToken, kNow), "hash does not match");
  // Another id slipped in after signing.
  obj = boost::json::parse(good).as_object();
  obj["id"] = 43;
  expect_invalid(verify_login_widget(boost::json::serialize(obj), kToken, kNow), "hash does not match");
  // Signed by another bot.
  expect_invalid(verify_login_widget(signed_widget("987:other", widget_fields()), kToken, kNow), "hash does not match");
  // A field added after signing.
  obj = boost::json::parse(good).as_object();
  obj["last_name"] = "X";
  expect_invalid(verify_login_widget(boost::json::serialize(obj), kToken, kNow));
}

TEST(TelegramWidget, MissingOrMalformedHashIsRefused) {
  auto obj = boost::json::parse(signed_widget(kToken, widget_fields())).as_object();
  obj.erase("hash");
  expect_invalid(verify_login_widget(boost::json::serialize(obj), kToken, kNow), "hash is missing");
  obj["hash"] = "abc";
  expect_invalid(verify_login_widget(boost::json::serialize(obj), kToken, kNow), "64 hex");
}

TEST(TelegramWidget, UpperCaseHashIsTheSameHash) {
  auto obj = boost::json::parse(signed_widget(kToken, widget_fields())).as_object();
  std::string hash(obj["hash"].as_string());
  for (auto& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  obj["hash"] = hash;
  EXPECT_TRUE(verify_login_widget(boost::json::serialize(obj), kToken, kNow));
}

TEST(TelegramWidget, AuthDateWindow) {
  IdentityPolicy policy;  // 86400 s old, 60 s ahead
  EXPECT_TRUE(verify_login_widget(signed_widget(kToken, widget_fields(42, kNow - 86400)), kToken, kNow, policy));
  expect_invalid(verify_login_widget(signed_widget(kToken, widget_fields(42, kNow - 86401)), kToken, kNow, policy),
                 "too old");
  EXPECT_TRUE(verify_login_widget(signed_widget(kToken, widget_fields(42, kNow + 60)), kToken, kNow, policy));
  expect_invalid(verify_login_widget(signed_widget(kToken, widget_fields(42, kNow + 61)), kToken, kNow, policy),
                 "future");
  policy.max_age_s = 300;
  expect_invalid(verify_login_widget(signed_widget(kToken, widget_fields(42, kNow - 301)), kToken, kNow, policy),
                 "too old");
  auto no_date = widget_fields();
  no_date.erase("auth_date");
  expect_invalid(verify_login_widget(signed_widget(kToken, no_date), kToken, kNow), "auth_date is missing");
}

TEST(TelegramWidget, NotAWidgetPayload) {
  expect_invalid(verify_login_widget("not json", kToken, kNow));
  expect_invalid(verify_login_widget("[1,2]", kToken, kNow));
  auto f = widget_fields();
  f["score"] = 1.5;
  expect_invalid(verify_login_widget(signed_widget(kToken, f), kToken, kNow), "score");
  auto no_id = widget_fields();
  no_id.erase("id");
  expect_invalid(verify_login_widget(signed_widget(kToken, no_id), kToken, kNow), "user id");
  expect_invalid(verify_login_widget(signed_widget(kToken, widget_fields(-5)), kToken, kNow), "user id");
  expect_invalid(verify_login_widget(signed_widget(kToken, widget_fields()), "", kNow), "no bot token");
  expect_invalid(verify_login_widget(std::string(20000, ' '), kToken, kNow), "too large");
}

TEST(TelegramWebApp, ValidInitDataGivesTheUserId) {
  std::string data = signed_init_data(kToken, init_pairs(5551234));
  auto r = verify_web_app(data, kToken, kNow);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, 5551234);
}

TEST(TelegramWebApp, PlusIsASpaceInValues) {
  std::string data = signed_init_data(kToken, init_pairs());
  auto at = data.find("%20");  // "Ann Lee" in the user JSON, as a form encoder may write it
  ASSERT_NE(at, std::string::npos);
  data.replace(at, 3, "+");
  EXPECT_TRUE(verify_web_app(data, kToken, kNow));
}

TEST(TelegramWebApp, ForgedStaleAndIncompleteInitDataAreRefused) {
  std::string good = signed_init_data(kToken, init_pairs());
  expect_invalid(verify_web_app(flip_last_digit(good), kToken, kNow), "hash does not match");
  // The widget's key (SHA-256 of the token) is not the Mini App's key.
  expect_invalid(verify_web_app(signed_init_data("987:other", init_pairs()), kToken, kNow), "hash does not match");
  std::string tampered = good;
  tampered.replace(tampered.find("query_id=") + 9, 1, "B");
  expect_invalid(verify_web_app(tampered, kToken, kNow), "hash does not match");
  expect_invalid(verify_web_app(signed_init_data(kToken, init_pairs(42, kNow - 90000)), kToken, kNow), "too old");
  expect_invalid(verify_web_app(signed_init_data(kToken, init_pairs(42, kNow + 3600)), kToken, kNow), "future");
  expect_invalid(verify_web_app(good.substr(0, good.find("&hash=")), kToken, kNow), "hash is missing");
  expect_invalid(verify_web_app(good + "&hash=" + std::string(64, 'a'), kToken, kNow), "twice");
  expect_invalid(verify_web_app("user=%7&auth_date=1&hash=" + std::string(64, 'a'), kToken, kNow), "escape");
  auto no_user = init_pairs();
  no_user.erase(no_user.begin() + 1);
  expect_invalid(verify_web_app(signed_init_data(kToken, no_user), kToken, kNow), "no user");
  auto bad_user = init_pairs();
  bad_user[1].second = "not json";
  expect_invalid(verify_web_app(signed_init_data(kToken, bad_user), kToken, kNow), "user");
}

TEST(TelegramFormDecode, Escapes) {
  std::string out;
  ASSERT_TRUE(form_decode("a%20b+c%7B%7d", out));
  EXPECT_EQ(out, "a b c{}");
  EXPECT_FALSE(form_decode("%", out));
  EXPECT_FALSE(form_decode("%4", out));
  EXPECT_FALSE(form_decode("%zz", out));
}

// The gate's identity rules, with no group configured (so no Bot API call is made).
class TelegramGateIdentity : public ::testing::Test {
 protected:
  tzr::Status admit(GateOptions options, std::int64_t id, std::optional<tzr::registration::TelegramProof> proof) {
    options.bot_token = kToken;
    BotApiOptions api;
    api.api_base = "http://127.0.0.1:1";  // never called
    api.token = kToken;
    GroupGate gate(BotApi(tzr::net::HttpClient(ioc_.get_executor()), api), options, metrics_, [] { return kNow; });
    auto done = boost::asio::co_spawn(ioc_, gate.admit(id, proof), boost::asio::use_future);
    ioc_.restart();
    ioc_.run();
    return done.get();
  }
  boost::asio::io_context ioc_;
  tzr::Metrics metrics_;
};

TEST_F(TelegramGateIdentity, ProofMustBeForTheRegisteringId) {
  tzr::registration::TelegramProof widget{"login_widget", signed_widget(kToken, widget_fields(42))};
  EXPECT_TRUE(admit({}, 42, widget));
  auto other = admit({}, 43, widget);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, "telegram_auth_invalid");
  EXPECT_EQ(other.error().kind, ErrorKind::forbidden);

  tzr::registration::TelegramProof app{"web_app", signed_init_data(kToken, init_pairs(42))};
  EXPECT_TRUE(admit({}, 42, app));
  EXPECT_EQ(admit({}, 7, app).error().code, "telegram_auth_invalid");
  EXPECT_EQ(admit({}, 42, tzr::registration::TelegramProof{"carrier_pigeon", "x"}).error().code, "telegram_auth_invalid");
}

TEST_F(TelegramGateIdentity, RequiredProof) {
  EXPECT_TRUE(admit({}, 42, std::nullopt));  // not required by default
  GateOptions required;
  required.auth_required = true;
  auto missing = admit(required, 42, std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "telegram_auth_required");
  EXPECT_EQ(missing.error().kind, ErrorKind::forbidden);
  EXPECT_TRUE(admit(required, 42, tzr::registration::TelegramProof{"login_widget", signed_widget(kToken, widget_fields(42))}));
  // A present proof is checked even when none is required.
  auto forged = admit({}, 42, tzr::registration::TelegramProof{"login_widget", R"({"id":42,"auth_date":1,"hash":"00"})"});
  EXPECT_EQ(forged.error().code, "telegram_auth_invalid");
}

}  // namespace
