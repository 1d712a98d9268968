// Secret rotation on the bridge: every check that takes a key ring accepts the current key, the
// previous one when it is set, and nothing else — job and result HMACs, password blobs, agent
// tokens. And the previous key's use is counted per end and key.
#include "bridge/job_runner.hpp"
#include "bridge/previous_key.hpp"
#include "bridge/protocol.hpp"
#include "core/metrics.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/canonical_json.hpp"
#include "crypto/hmac.hpp"
#include "crypto/jwt.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace tzr;
using namespace tzr::bridge;
using crypto::KeySlot;

namespace {

constexpr std::int64_t kNow = 1734370010;
const std::string kOld = "old-hmac-secret-0123456789";
const std::string kNew = "new-hmac-secret-9876543210";
const std::string kOther = "third-secret-in-neither-slot";

// During a rotation (current = new, previous = old) and after it (previous unset).
const crypto::SecretRing kRotating{kNew, kOld};
const crypto::SecretRing kRotated{kNew, std::nullopt};

crypto::aes_gcm::Key key_of(unsigned char fill) {
  std::array<unsigned char, crypto::aes_gcm::kKeySize> bytes{};
  bytes.fill(fill);
  return crypto::aes_gcm::Key::from_bytes(bytes);
}

SiteJob register_job(std::string nonce, std::string blob = "") {
  return {"job-" + nonce, std::string(kRegister),
          boost::json::object{{"login", "Player1"}, {"password_encrypted", blob}, {"gender", 1}, {"telegram_id", 5}}, kNow,
          std::move(nonce)};
}

boost::json::object job_object(const std::string& frame) { return boost::json::parse(frame).as_object(); }

}  // namespace

TEST(BridgeRotationHmac, JobFramesVerifyWithCurrentOrPreviousOnly) {
  crypto::NonceWindow nonces;
  const FrameRules rules{kRotating, {}, kNow};
  auto by_new = check_job_frame(make_job_frame(register_job("n1"), kNew), rules, nonces);
  ASSERT_EQ(by_new.verdict, CheckedFrame::Verdict::accept) << by_new.failure.code;
  EXPECT_EQ(by_new.key, KeySlot::current);
  auto by_old = check_job_frame(make_job_frame(register_job("n2"), kOld), rules, nonces);
  ASSERT_EQ(by_old.verdict, CheckedFrame::Verdict::accept) << by_old.failure.code;
  EXPECT_EQ(by_old.key, KeySlot::previous);
  auto by_other = check_job_frame(make_job_frame(register_job("n3"), kOther), rules, nonces);
  EXPECT_EQ(by_other.verdict, CheckedFrame::Verdict::reject);
  EXPECT_EQ(by_other.failure.code, "invalid_signature");
  // Once previous is removed, the old secret is refused like any other.
  auto after = check_job_frame(make_job_frame(register_job("n4"), kOld), FrameRules{kRotated, {}, kNow}, nonces);
  EXPECT_EQ(after.failure.code, "invalid_signature");
  // A replay signed with the old secret is still a replay.
  EXPECT_EQ(check_job_frame(make_job_frame(register_job("n2"), kOld), rules, nonces).failure.code, "replayed_nonce");
}

TEST(BridgeRotationHmac, ResultFramesVerifyWithCurrentOrPreviousOnly) {
  const FrameRules rules{kRotating, {}, kNow};
  const auto ok = JobOutcome::success(boost::json::object{{"ok", true}});
  auto by_new = check_result_frame(make_result_frame("j1", ok, kNew, kNow, "r1"), rules, nullptr);
  ASSERT_TRUE(by_new) << by_new.error().code;
  EXPECT_EQ(by_new->key, KeySlot::current);
  auto by_old = check_result_frame(make_result_frame("j2", ok, kOld, kNow, "r2"), rules, nullptr);
  ASSERT_TRUE(by_old) << by_old.error().code;
  EXPECT_EQ(by_old->key, KeySlot::previous);
  EXPECT_EQ(by_old->id, "j2");
  EXPECT_EQ(check_result_frame(make_result_frame("j3", ok, kOther, kNow, "r3"), rules, nullptr).error().code, "invalid_signature");
  EXPECT_EQ(check_result_frame(make_result_frame("j4", ok, kOld, kNow, "r4"), FrameRules{kRotated, {}, kNow}, nullptr).error().code,
            "invalid_signature");
}

TEST(BridgeRotationHmac, MessageTextAndObjectChecksTellTheSlot) {
  const std::string frame = make_job_frame(register_job("t1"), kOld);  // what `bridge verify` reads
  EXPECT_EQ(crypto::verify_message_text(frame, kRotating).value(), KeySlot::previous);
  EXPECT_EQ(crypto::verify_message_text(make_job_frame(register_job("t2"), kNew), kRotating).value(), KeySlot::current);
  EXPECT_EQ(crypto::verify_message_text(frame, crypto::SecretRing{kNew, kOther}).error().code, "invalid_signature");
  EXPECT_EQ(crypto::verify_message(job_object(frame), kRotating).value(), KeySlot::previous);
  EXPECT_EQ(crypto::verify_job(job_object(frame), kRotating).value(), KeySlot::previous);
  EXPECT_EQ(crypto::verify_job(job_object(frame), kRotated).error().code, "invalid_signature");
  // A signature with both keys swapped still verifies: which slot holds the old key is the
  // operator's choice, not a property of the frame.
  EXPECT_EQ(crypto::verify_job(job_object(frame), crypto::SecretRing{kOld, kNew}).value(), KeySlot::current);
}

TEST(BridgeRotationHmac, AnEmptyPreviousSecretVerifiesNothing) {
  // HMAC under an empty key is computable by anyone: a ring with previous = "" must not take it.
  auto job = job_object(make_job_frame(register_job("e1"), kNew));
  const boost::json::object signed_part = crypto::job_signed_fields(job).value();
  job["sig"] = crypto::hmac_sha256_hex("", crypto::canonical_json(signed_part).value());
  EXPECT_EQ(crypto::verify_job(job, crypto::SecretRing{kNew, std::string()}).error().code, "invalid_signature");
  EXPECT_EQ(crypto::verify_job(job, crypto::SecretRing{std::string(), std::nullopt}).error().code, "secret_missing");
}

TEST(BridgeRotationAes, BlobsDecryptWithCurrentOrPreviousOnly) {
  const auto old_key = key_of(0x11), new_key = key_of(0x22), other_key = key_of(0x33);
  const AesKeys rotating{new_key, old_key};
  const std::string by_old = crypto::aes_gcm::encrypt("pass old", old_key).value();
  const std::string by_new = crypto::aes_gcm::encrypt("pass new", new_key).value();
  const std::string by_other = crypto::aes_gcm::encrypt("pass other", other_key).value();

  KeySlot used = KeySlot::previous;
  EXPECT_EQ(crypto::aes_gcm::decrypt(by_new, rotating, &used).value(), "pass new");
  EXPECT_EQ(used, KeySlot::current);
  EXPECT_EQ(crypto::aes_gcm::decrypt(by_old, rotating, &used).value(), "pass old");
  EXPECT_EQ(used, KeySlot::previous);
  EXPECT_EQ(crypto::aes_gcm::decrypt(by_other, rotating).error().code, "decrypt_failed");
  EXPECT_EQ(crypto::aes_gcm::decrypt(by_old, AesKeys{new_key, std::nullopt}).error().code, "decrypt_failed");
  EXPECT_EQ(crypto::aes_gcm::decrypt("!!", rotating).error().code, "aes_blob_malformed");

  // The agent's register and reset calls carry the plaintext whichever key opened it.
  KeySlot call_used = KeySlot::current;
  auto call = register_call(register_job("a1", by_old), rotating, &call_used);
  ASSERT_TRUE(std::holds_alternative<boost::json::object>(call));
  EXPECT_EQ(std::get<boost::json::object>(call).at("password"), "pass old");
  EXPECT_EQ(call_used, KeySlot::previous);
  EXPECT_EQ(std::get<JobFailure>(register_call(register_job("a2", by_other), rotating)).code, "decrypt_failed");
  SiteJob reset{"r1", std::string(kResetPassword), boost::json::object{{"telegram_id", 5}, {"password_encrypted", by_old}}, kNow, "r"};
  auto reset_body = reset_call(reset, rotating);
  ASSERT_TRUE(std::holds_alternative<boost::json::object>(reset_body));
  EXPECT_EQ(std::get<boost::json::object>(reset_body).at("password"), "pass old");
  EXPECT_EQ(std::get<JobFailure>(reset_call(reset, AesKeys{new_key, std::nullopt})).code, "decrypt_failed");
}

TEST(BridgeRotationJwt, TokensVerifyWithCurrentOrPreviousOnly) {
  const crypto::jwt::Expectations expect{.audience = std::string("ws/pull")};
  const boost::json::object claims{{"sub", "agent-1"}, {"aud", "ws/pull"}, {"iat", kNow}, {"exp", kNow + 600}};
  KeySlot used = KeySlot::previous;
  auto by_new = crypto::jwt::verify(crypto::jwt::make(claims, kNew), kRotating, kNow, expect, &used);
  ASSERT_TRUE(by_new) << by_new.error().code;
  EXPECT_EQ(used, KeySlot::current);
  auto by_old = crypto::jwt::verify(crypto::jwt::make(claims, kOld), kRotating, kNow, expect, &used);
  ASSERT_TRUE(by_old) << by_old.error().code;
  EXPECT_EQ(by_old->at("sub"), "agent-1");
  EXPECT_EQ(used, KeySlot::previous);
  EXPECT_EQ(crypto::jwt::verify(crypto::jwt::make(claims, kOther), kRotating, kNow, expect).error().code, "jwt_bad_signature");
  EXPECT_EQ(crypto::jwt::verify(crypto::jwt::make(claims, kOld), kRotated, kNow, expect).error().code, "jwt_bad_signature");
  EXPECT_EQ(crypto::jwt::verify(crypto::jwt::make(claims, kOld), crypto::SecretRing{kNew, std::string()}, kNow, expect).error().code,
            "jwt_bad_signature");
  // A token signed under an empty key (anyone can make one) is not taken by an empty previous.
  const std::string input = crypto::jwt::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            crypto::jwt::base64url_encode(boost::json::serialize(claims));
  const std::string empty_key_token = input + "." + crypto::jwt::base64url_encode(crypto::hmac_sha256("", input));
  EXPECT_EQ(crypto::jwt::verify(empty_key_token, crypto::SecretRing{kNew, std::string()}, kNow, expect).error().code,
            "jwt_bad_signature");
  // The previous secret only vouches for the signature: the claims are checked as ever.
  EXPECT_EQ(crypto::jwt::verify(crypto::jwt::make(claims, kOld), kRotating, kNow + 600, expect).error().code, "jwt_expired");
}

TEST(BridgeRotationMetrics, PreviousKeyUseIsCountedPerEndAndKey) {
  Metrics metrics;
  PreviousKeyUse agent(metrics, "agent");
  PreviousKeyUse hub(metrics, "hub");  // one process may run both ends: one family
  agent.record("hmac", "job j1");
  agent.record("hmac", "job j2");
  hub.record("jwt", "token of agent a1");
  const std::string text = metrics.render();
  EXPECT_NE(text.find(R"(tzr_bridge_previous_key_total{end="agent",key="hmac"} 2)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(tzr_bridge_previous_key_total{end="hub",key="jwt"} 1)"), std::string::npos) << text;
}
