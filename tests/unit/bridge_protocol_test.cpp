// The site bridge's protocol rules without I/O: job frame checks (replay, skew, malformed),
// result frames against the §13 vectors, the hub's result checks, normalisation of local
// answers, the error mapping, backoff and the idempotency ledger.
#include "bridge/agent.hpp"
#include "bridge/hub.hpp"
#include "bridge/job_ledger.hpp"
#include "bridge/job_runner.hpp"
#include "bridge/protocol.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/canonical_json.hpp"
#include "crypto/hmac.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace tzr;
using namespace tzr::bridge;

namespace {

constexpr const char* kSecret = "test_hmac_secret";
constexpr std::int64_t kNow = 1734370010;
constexpr const char* kV1 =
    R"({"type":"job","id":"11111111-2222-3333-4444-555555555555","job_type":"register",)"
    R"("payload":{"login":"Player1","password_encrypted":"AAECAwQFBgcICQoLJMpRRqH0yIJoeQMk9dztXzNnpW/01/EvuHc=",)"
    R"("gender":1,"telegram_id":123456789,"username":"player1_tg"},"ts":1734370000,)"
    R"("nonce":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","sig":"0b29303bcf7119e7f49cb56a3227feda44daf7638cd4d73686e8fdf48b2755ac"})";

FrameRules rules(std::int64_t now = kNow) { return {kSecret, {}, now}; }

SiteJob register_job(std::int64_t ts, std::string nonce) {
  return {"job-1", "register",
          boost::json::object{{"login", "Player1"},
                              {"password_encrypted", "AAECAwQFBgcICQoLJMpRRqH0yIJoeQMk9dztXzNnpW/01/EvuHc="},
                              {"gender", 1},
                              {"telegram_id", 5}},
          ts, std::move(nonce)};
}

net::HttpResponse json_response(int status, std::string body) {
  auto r = net::HttpResponse::text(status, std::move(body), "application/json");
  return r;
}

}  // namespace

TEST(BridgeJobFrame, AcceptsV1AndRefusesItsReplay) {
  crypto::NonceWindow nonces;
  auto first = check_job_frame(kV1, rules(), nonces);
  ASSERT_EQ(first.verdict, CheckedFrame::Verdict::accept) << first.failure.text;
  EXPECT_EQ(first.job.id, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(first.job.payload.at("login"), "Player1");
  auto again = check_job_frame(kV1, rules(kNow + 1), nonces);
  ASSERT_EQ(again.verdict, CheckedFrame::Verdict::reject);
  EXPECT_EQ(again.failure.code, "replayed_nonce");
  EXPECT_EQ(again.id, first.job.id);
}

TEST(BridgeJobFrame, ForgedFramesDoNotFillTheNonceWindow) {
  crypto::NonceWindow nonces;
  std::string forged = kV1;
  forged.replace(forged.find("0b29303b"), 8, "0b29303c");
  EXPECT_EQ(check_job_frame(forged, rules(), nonces).failure.code, "invalid_signature");
  EXPECT_EQ(nonces.size(), 0u);
  EXPECT_EQ(check_job_frame(kV1, rules(), nonces).verdict, CheckedFrame::Verdict::accept);
}

TEST(BridgeJobFrame, FutureTimestampBeyondSkewIsRefused) {
  crypto::NonceWindow nonces;
  auto job = register_job(kNow + 31, "n-1");
  auto refused = check_job_frame(make_job_frame(job, kSecret), rules(), nonces);
  EXPECT_EQ(refused.verdict, CheckedFrame::Verdict::reject);
  EXPECT_EQ(refused.failure.code, "job_expired");
  job = register_job(kNow + 30, "n-2");
  EXPECT_EQ(check_job_frame(make_job_frame(job, kSecret), rules(), nonces).verdict, CheckedFrame::Verdict::accept);
}

TEST(BridgeJobFrame, MalformedFramesWithAnIdAreAnsweredOthersDropped) {
  crypto::NonceWindow nonces;
  auto malformed = check_job_frame(R"({"type":"job","id":"j9","job_type":"register","payload":{}})", rules(), nonces);
  EXPECT_EQ(malformed.verdict, CheckedFrame::Verdict::reject);
  EXPECT_EQ(malformed.id, "j9");
  EXPECT_EQ(malformed.failure.text, "Malformed job");
  EXPECT_EQ(check_job_frame(R"({"type":"job","id":"j9","job_type":"register","payload":[],"ts":1,"nonce":"n","sig":"x"})",
                            rules(), nonces)
                .failure.code,
            "malformed_job");
  for (const char* dropped : {"not json", "[1,2]", R"({"type":"ping"})", R"({"type":"job","id":7})", R"({"type":"job"})",
                              R"({"type":"job","id":"x","ts":NaN})"})
    EXPECT_EQ(check_job_frame(dropped, rules(), nonces).verdict, CheckedFrame::Verdict::ignore) << dropped;
  EXPECT_EQ(check_job_frame(R"({"type":"job","id":")" + std::string(129, 'a') + R"("})", rules(), nonces).verdict,
            CheckedFrame::Verdict::ignore);
}

TEST(BridgeJobFrame, ResetPasswordIsAKnownSignedType) {
  crypto::NonceWindow nonces;
  SiteJob job{"r-1", "reset_password", boost::json::object{{"telegram_id", 5}}, kNow, "n-r"};
  EXPECT_EQ(check_job_frame(make_job_frame(job, kSecret), rules(), nonces).verdict, CheckedFrame::Verdict::accept);
  job.nonce = "n-r2";
  std::string frame = make_job_frame(job, kSecret);
  frame.replace(frame.find("\"telegram_id\":5"), 15, "\"telegram_id\":6");
  EXPECT_EQ(check_job_frame(frame, rules(), nonces).failure.code, "invalid_signature");
}

TEST(BridgeResultFrame, MatchesTheReferenceVectors) {
  const std::string id1 = "11111111-2222-3333-4444-555555555555";
  auto sig_of = [](const std::string& frame) {
    return std::string(boost::json::parse(frame).as_object().at("sig").as_string());
  };
  // V5: a failure without our extra code is exactly the reference's result.
  EXPECT_EQ(sig_of(make_result_frame(id1, JobOutcome::failed("", "HTTP 409"), kSecret, 1734370002,
                                     "cccccccc-dddd-eeee-ffff-000000000000")),
            "110c6fc135df4e8d80ba32dd2db4d69bd8535e4561e30d31e4a34abbb1b8d62b");
  // V6
  EXPECT_EQ(sig_of(make_result_frame(id1, JobOutcome::success(boost::json::object{{"ok", true}, {"user_id", nullptr}, {"error", nullptr}}),
                                     kSecret, 1734370002, "cccccccc-dddd-eeee-ffff-000000000000")),
            "414a74365a1d9059165ce97e63112f7c9f985e96a8c861d52ad2f8eadf3eff0e");
  // V7: floats keep ".0"
  boost::json::object status{{"server_status", 1},
                             {"rates", boost::json::object{{"exp", 2.0}, {"pvp", 1.0}, {"pve", 1.0}, {"color_mob", 1.0}, {"skill", 1.5}}},
                             {"generated_at", "2024-12-16T17:26:41.123456+00:00"},
                             {"revision", 1734370001}};
  const std::string v7 = make_result_frame("22222222-3333-4444-5555-666666666666", JobOutcome::success(status), kSecret,
                                           1734370001, "dddddddd-eeee-ffff-0000-111111111111");
  EXPECT_EQ(sig_of(v7), "ef7c7fce1dc15e88e15f95eb8a098eb091286d614a4fa0883d09f9ba9e28d137");
  EXPECT_NE(v7.find("\"exp\":2.0"), std::string::npos);
}

TEST(BridgeResultFrame, CodeFieldsAndMessageAreSignedAndRoundTrip) {
  JobOutcome failed = JobOutcome::failed("validation_error", "Ошибка валидации входных данных (login: короткий)");
  failed.failure.fields = boost::json::object{{"login", "короткий"}};
  failed.failure.message = "Ошибка валидации входных данных";
  const std::string frame = make_result_frame("j1", failed, kSecret, kNow, "n1");
  EXPECT_TRUE(crypto::verify_message_text(frame, kSecret));  // what a reference site's generic check does
  crypto::NonceWindow nonces;
  auto r = check_result_frame(frame, rules(), &nonces);
  ASSERT_TRUE(r) << r.error().code;
  EXPECT_EQ(r->id, "j1");
  EXPECT_FALSE(r->outcome.ok);
  EXPECT_EQ(r->outcome.failure.code, "validation_error");
  EXPECT_EQ(r->outcome.failure.text, failed.failure.text);
  EXPECT_EQ(r->outcome.failure.message, failed.failure.message);
  EXPECT_EQ(*r->outcome.failure.fields, *failed.failure.fields);
  EXPECT_EQ(check_result_frame(frame, rules(), &nonces).error().code, "replayed_nonce");

  std::string tampered = make_result_frame("j2", failed, kSecret, kNow, "n2");
  tampered.replace(tampered.find("validation_error"), 16, "login_taken_xxxx");
  EXPECT_EQ(check_result_frame(tampered, rules(), &nonces).error().code, "invalid_signature");
  EXPECT_EQ(check_result_frame(make_result_frame("j3", failed, kSecret, kNow - 100, "n3"), rules(), &nonces).error().code,
            "job_expired");
  EXPECT_EQ(check_result_frame(R"({"type":"job"})", rules(), &nonces).error().code, "malformed_result");
}

TEST(BridgeLocalAnswers, RegisterOutcomeKeepsReferenceTextsAndAddsCodes) {
  auto ok = register_outcome(json_response(200, R"({"ok":true,"message":"Регистрация успешна!"})"));
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.result, (boost::json::object{{"ok", true}, {"user_id", nullptr}, {"error", nullptr}}));

  auto taken = register_outcome(json_response(409, R"({"ok":false,"error":"login_taken","message":"занят","request_id":"x"})"));
  EXPECT_EQ(taken.failure.text, "HTTP 409");  // what a reference site matches
  EXPECT_EQ(taken.failure.code, "login_taken");
  EXPECT_EQ(taken.failure.message, "занят");
  EXPECT_FALSE(outcome_is_final(JobOutcome::failed("local_timeout", "Timeout after 8.0s")));
  EXPECT_TRUE(outcome_is_final(taken));

  auto invalid = register_outcome(json_response(
      400, R"({"ok":false,"error":"validation_error","message":"Ошибка валидации входных данных","fields":{"login":"Ошибка: Логин должен быть от 3 до 16 символов"}})"));
  EXPECT_EQ(invalid.failure.text, "Ошибка валидации входных данных (login: Ошибка: Логин должен быть от 3 до 16 символов)");
  EXPECT_EQ(invalid.failure.code, "validation_error");

  auto father = register_outcome(json_response(403, R"({"detail":"limit_exceeded"})"));
  EXPECT_EQ(father.failure.text, "HTTP 403");
  EXPECT_EQ(father.failure.code, "limit_exceeded");
  EXPECT_EQ(register_outcome(net::HttpResponse::text(502, "<html>")).failure.code, "local_unavailable");
}

TEST(BridgeLocalAnswers, StatusIsNormalisedFromConstants) {
  auto out = status_outcome(
      json_response(200, R"({"ServerStatus":{"value":1.0,"description":"on"},"RateExp":{"value":2.0},"RateSkill":{"value":1.5}})"),
      1734370001, "2024-12-16T17:26:41.123456+00:00");
  ASSERT_TRUE(out.ok);
  const auto& r = out.result.as_object();
  EXPECT_TRUE(r.at("server_status").is_int64());
  EXPECT_EQ(r.at("server_status").as_int64(), 1);
  EXPECT_EQ(r.at("rates").at("exp").as_double(), 2.0);
  EXPECT_EQ(r.at("rates").at("pvp").as_double(), 1.0);
  EXPECT_EQ(r.at("rates").at("skill").as_double(), 1.5);
  // Another source's shape passes through as received (API_1's float server_status).
  auto passthrough = status_outcome(json_response(200, R"({"server_status":1.0,"rates":{"exp":null}})"), 7, "t");
  EXPECT_TRUE(passthrough.result.at("server_status").is_double());
  EXPECT_TRUE(passthrough.result.at("rates").at("exp").is_null());
  EXPECT_EQ(status_outcome(json_response(500, "{}"), 1, "t").failure.text, "Local API error: Status API returned 500");
}

TEST(BridgeLocalAnswers, CallFailuresUseTheReferenceWording) {
  const auto timeout = Error::make(ErrorKind::gateway_timeout, "http_timeout", "timed out");
  EXPECT_EQ(local_call_failure(timeout, std::chrono::milliseconds(8000), false).failure.text, "Timeout after 8.0s");
  EXPECT_EQ(local_call_failure(timeout, std::chrono::milliseconds(2500), true).failure.text,
            "Local API error: Timeout after 2.5s");
  const auto refused = Error::make(ErrorKind::bad_gateway, "http_connect_failed", "cannot connect to http://127.0.0.1:1");
  auto out = local_call_failure(refused, std::chrono::milliseconds(8000), false);
  EXPECT_EQ(out.failure.text, "Connection error: cannot connect to http://127.0.0.1:1");
  EXPECT_EQ(out.failure.code, "local_unavailable");
}

TEST(BridgeLocalAnswers, PythonIsoformat) {
  using namespace std::chrono;
  const system_clock::time_point t{seconds(1734369999) + microseconds(123456)};
  EXPECT_EQ(python_isoformat_utc(t), "2024-12-16T17:26:39.123456+00:00");
  EXPECT_EQ(python_isoformat_utc(system_clock::time_point{seconds(1734369999)}), "2024-12-16T17:26:39+00:00");
}

TEST(BridgeCalls, RegisterCallCarriesTheProofAndRefusesBadBlobs) {
  const auto key = crypto::aes_gcm::Key::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").value();
  auto job = register_job(kNow, "n");
  job.payload["telegram_auth"] = boost::json::object{{"id", 5}, {"hash", "abc"}};
  auto call = register_call(job, key);
  ASSERT_TRUE(std::holds_alternative<boost::json::object>(call));
  const auto& body = std::get<boost::json::object>(call);
  EXPECT_EQ(body.at("password"), "test123456");
  EXPECT_EQ(body.at("request_id"), "job-1");
  EXPECT_TRUE(body.at("username").is_null());
  EXPECT_EQ(body.at("telegram_auth").at("id"), 5);
  job.payload["password_encrypted"] = 42;
  EXPECT_EQ(std::get<JobFailure>(register_call(job, key)).text, "Password decryption failed");
  job.payload.erase("password_encrypted");
  EXPECT_EQ(std::get<JobFailure>(register_call(job, key)).text, "Missing field: 'password_encrypted'");
  SiteJob reset{"r", "reset_password", boost::json::object{{"telegram_id", 5}}, kNow, "n"};
  EXPECT_EQ(std::get<JobFailure>(reset_call(reset, key)).code, "missing_field");
}

TEST(BridgeHubMapping, CodesBecomeThePublicCatalogue) {
  auto status_of = [](std::string code, std::string text = "x") {
    return static_cast<int>(proxy_error(JobFailure{std::move(code), std::move(text), {}, {}}).kind);
  };
  EXPECT_EQ(status_of("login_taken"), static_cast<int>(ErrorKind::conflict));
  EXPECT_EQ(status_of("limit_exceeded"), static_cast<int>(ErrorKind::forbidden));
  EXPECT_EQ(status_of("not_in_telegram_group"), static_cast<int>(ErrorKind::forbidden));
  EXPECT_EQ(status_of("local_timeout"), static_cast<int>(ErrorKind::gateway_timeout));
  EXPECT_EQ(status_of("invalid_signature"), static_cast<int>(ErrorKind::bad_gateway));
  EXPECT_EQ(status_of("http_429"), static_cast<int>(ErrorKind::too_many_requests));
  // A reference agent sends no code: the status is read from its "HTTP 409".
  Error e = proxy_error(JobFailure{"", "HTTP 409", {}, {}});
  EXPECT_EQ(e.kind, ErrorKind::conflict);
  EXPECT_EQ(e.code, "agent_error");
  JobFailure v{"validation_error", "t", boost::json::object{{"login", "short"}}, "Ошибка"};
  Error ve = proxy_error(v);
  EXPECT_EQ(ve.kind, ErrorKind::validation);
  EXPECT_EQ(ve.message, "Ошибка");
  ASSERT_EQ(ve.fields.size(), 1u);
  EXPECT_EQ(ve.fields[0].field, "login");
}

TEST(BridgeBackoff, DoublesToTheCapWithAdditiveJitter) {
  using ms = std::chrono::milliseconds;
  Backoff none(ms(3000), ms(30000), [] { return 0.0; });
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 6; ++i) waits.push_back(none.next().count());
  EXPECT_EQ(waits, (std::vector<std::int64_t>{3000, 6000, 12000, 24000, 30000, 30000}));
  none.reset();
  EXPECT_EQ(none.next().count(), 3000);
  Backoff full(ms(3000), ms(30000), [] { return 0.999999; });
  EXPECT_EQ(full.next().count(), 3899);   // +30 %
  EXPECT_EQ(full.next().count(), 7799);
  EXPECT_EQ(full.next().count(), 15599);
  EXPECT_EQ(full.next().count(), 30000);  // 24 s + 30 % is capped
}

TEST(BridgeLedger, RunsOnceWaitsForTheFirstAndForgetsTransients) {
  boost::asio::io_context io;
  JobLedger ledger(io.get_executor(), {.ttl_seconds = 600, .capacity = 2});
  JobOutcome seen;
  EXPECT_EQ(ledger.claim("a", 100, &seen), JobLedger::Claim::run);
  EXPECT_EQ(ledger.claim("a", 100, &seen), JobLedger::Claim::wait);
  std::optional<JobOutcome> waited;
  boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> { waited = co_await ledger.wait("a"); }, boost::asio::detached);
  io.poll();
  EXPECT_FALSE(waited);
  ledger.finish("a", JobOutcome::success(boost::json::object{{"ok", true}}), true, 101);
  io.poll();
  ASSERT_TRUE(waited);
  EXPECT_TRUE(waited->ok);
  EXPECT_EQ(ledger.claim("a", 102, &seen), JobLedger::Claim::done);
  EXPECT_TRUE(seen.ok);

  ASSERT_EQ(ledger.claim("b", 102, nullptr), JobLedger::Claim::run);
  ledger.finish("b", JobOutcome::failed("local_timeout", "Timeout after 8.0s"), false, 103);
  EXPECT_EQ(ledger.claim("b", 103, nullptr), JobLedger::Claim::run);  // transient: runs again
  ledger.abandon("b");

  EXPECT_EQ(ledger.claim("a", 701, &seen), JobLedger::Claim::run);  // past the TTL
  ledger.abandon("a");
  for (const char* id : {"c", "d", "e"}) {
    ASSERT_EQ(ledger.claim(id, 800, nullptr), JobLedger::Claim::run);
    ledger.finish(id, JobOutcome::success(nullptr), true, 800);
  }
  EXPECT_EQ(ledger.claim("c", 800, nullptr), JobLedger::Claim::run);  // capacity 2: the oldest went first
  EXPECT_EQ(ledger.claim("e", 800, nullptr), JobLedger::Claim::done);
}

TEST(BridgeLedger, OutcomeJsonRoundTrip) {
  JobOutcome f = JobOutcome::failed("validation_error", "text");
  f.failure.fields = boost::json::object{{"login", "short"}};
  f.failure.message = "m";
  auto back = outcome_from_json(outcome_to_json(f));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->failure.code, "validation_error");
  EXPECT_EQ(back->failure.message, "m");
  EXPECT_EQ(*back->failure.fields, *f.failure.fields);
  auto ok = outcome_from_json(outcome_to_json(JobOutcome::success(boost::json::object{{"rate", 2.0}})));
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->result.at("rate").is_double());
  EXPECT_FALSE(outcome_from_json("nope"));
}

TEST(BridgeJobFrame, StatusReadsAreNotRememberedButStillSigned) {
  crypto::NonceWindow nonces;
  const std::string frame = make_job_frame(SiteJob{"s", "get_server_status", {}, kNow, "n-s"}, kSecret);
  EXPECT_EQ(check_job_frame(frame, rules(), nonces).verdict, CheckedFrame::Verdict::accept);
  EXPECT_EQ(check_job_frame(frame, rules(), nonces).verdict, CheckedFrame::Verdict::accept);
  EXPECT_EQ(nonces.size(), 0u);
  std::string forged = frame;
  forged.replace(forged.find("\"ts\":"), 5, "\"ts\": ");
  forged.replace(forged.find("\"sig\":\"") + 7, 1, "0");
  EXPECT_EQ(check_job_frame(forged, rules(), nonces).failure.code, "invalid_signature");
}
