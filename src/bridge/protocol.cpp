#include "bridge/protocol.hpp"

#include "crypto/canonical_json.hpp"
#include "crypto/hash.hpp"

#include <array>

namespace tzr::bridge {
namespace {

CheckedFrame ignore(std::string reason) {
  CheckedFrame f;
  f.verdict = CheckedFrame::Verdict::ignore;
  f.reason = std::move(reason);
  return f;
}

CheckedFrame reject(std::string id, std::string code, std::string text) {
  CheckedFrame f;
  f.verdict = CheckedFrame::Verdict::reject;
  f.id = std::move(id);
  f.failure = {std::move(code), std::move(text), {}, {}};
  return f;
}

std::string str(const boost::json::value& v) { return std::string(v.as_string()); }

}  // namespace

bool outcome_is_final(const JobOutcome& o) {
  if (o.ok) return true;
  const auto& c = o.failure.code;
  return !(c == "local_timeout" || c == "local_unavailable" || c == "internal_error" || c == "agent_busy" ||
           c == "agent_draining" || c.starts_with("http_5") || c == "game_server_unavailable" ||
           c == "game_server_error" || c == "father_unreachable" || c == "service_unavailable" || c == "db_unavailable" ||
           c == "rate_limited" || c == "request_in_progress");
}

bool known_job_type(std::string_view t) { return t == kRegister || t == kServerStatus || t == kResetPassword; }

CheckedFrame check_job_frame(std::string_view text, const FrameRules& rules, crypto::NonceWindow& nonces) {
  auto parsed = crypto::parse_python_json(text, kMaxFrameDepth);
  if (!parsed) return ignore("invalid JSON");
  if (!parsed->is_object()) return ignore("not a JSON object");
  const auto& frame = parsed->as_object();
  const auto* type = frame.if_contains("type");
  if (!type || !type->is_string() || type->as_string() != "job") return ignore("unknown message type");
  const auto* id_value = frame.if_contains("id");
  if (!id_value || !id_value->is_string()) return ignore("job without a string id");
  std::string id = str(*id_value);
  if (id.empty() || id.size() > kMaxJobIdChars) return ignore("job id empty or longer than 128 characters");

  const auto* job_type = frame.if_contains("job_type");
  const auto* payload = frame.if_contains("payload");
  const auto* ts = frame.if_contains("ts");
  const auto* nonce = frame.if_contains("nonce");
  const auto* sig = frame.if_contains("sig");
  if (!job_type || !job_type->is_string() || !payload || !payload->is_object() || !ts || !ts->is_int64() || !nonce ||
      !nonce->is_string() || nonce->as_string().empty() || nonce->as_string().size() > 128 || !sig)
    return reject(std::move(id), "malformed_job", "Malformed job");

  // The reference dispatches first: an unknown type is answered without looking at ts or sig.
  // Harmless while nothing runs for it; every known type passes all the checks below.
  const std::string type_name = str(*job_type);
  if (!known_job_type(type_name)) return reject(std::move(id), "unknown_job_type", "Unknown job_type: " + type_name);

  if (auto fresh = crypto::check_freshness(ts->as_int64(), rules.now, rules.freshness); !fresh)
    return reject(std::move(id), fresh.error().code, fresh.error().message);
  auto verified = crypto::verify_job(frame, rules.hmac_secret);
  if (!verified) return reject(std::move(id), "invalid_signature", "Invalid HMAC signature");
  // Replays matter where a job changes something; a replayed status read is harmless, and not
  // remembering those nonces keeps the window small at thousands of status jobs a second.
  if (type_name != kServerStatus) {
    if (auto admitted = nonces.admit(nonce->as_string(), rules.now); !admitted)
      return reject(std::move(id), admitted.error().code,
                    admitted.error().code == "replayed_nonce" ? "Replayed nonce" : "Agent busy: too many recent jobs");
  }

  CheckedFrame f;
  f.verdict = CheckedFrame::Verdict::accept;
  f.id = id;
  f.job = SiteJob{std::move(id), type_name, payload->as_object(), ts->as_int64(), str(*nonce)};
  f.key = *verified;
  return f;
}

std::optional<JobFailure> missing_field(const boost::json::object& payload, std::initializer_list<std::string_view> required) {
  for (auto name : required) {
    const auto* v = payload.if_contains(name);
    if (!v) return JobFailure{"missing_field", "Missing field: '" + std::string(name) + "'", {}, {}};
  }
  return std::nullopt;
}

std::string make_result_frame(std::string_view id, const JobOutcome& outcome, std::string_view hmac_secret, std::int64_t ts,
                              std::string_view nonce) {
  boost::json::object msg{{"type", "result"},
                          {"id", id},
                          {"ok", outcome.ok},
                          {"result", outcome.ok ? outcome.result : boost::json::value(nullptr)},
                          {"error", outcome.ok ? boost::json::value(nullptr) : boost::json::value(outcome.failure.text)},
                          {"ts", ts},
                          {"nonce", nonce}};
  if (!outcome.ok) {
    if (!outcome.failure.code.empty()) msg["code"] = outcome.failure.code;
    if (outcome.failure.fields) msg["fields"] = *outcome.failure.fields;
    if (!outcome.failure.message.empty()) msg["message"] = outcome.failure.message;
  }
  // Values we build are always signable (strings are UTF-8, numbers finite): .value() cannot throw
  // unless a local service sent a non-finite number, which boost::json cannot parse anyway.
  msg["sig"] = crypto::sign_message(msg, hmac_secret).value();
  return crypto::canonical_json(msg).value();
}

std::string make_job_frame(const SiteJob& job, std::string_view hmac_secret) {
  boost::json::object msg{{"type", "job"},        {"id", job.id}, {"job_type", job.job_type}, {"payload", job.payload},
                          {"ts", job.ts},         {"nonce", job.nonce}};
  msg["sig"] = crypto::sign_job(msg, hmac_secret).value();
  return crypto::canonical_json(msg).value();
}

Result<SiteResult> check_result_frame(std::string_view text, const FrameRules& rules, crypto::NonceWindow* nonces) {
  auto malformed = [](std::string what) { return Error::bad_request("result frame: " + what, "malformed_result"); };
  auto parsed = crypto::parse_python_json(text, kMaxFrameDepth);
  if (!parsed) return malformed("invalid JSON");
  if (!parsed->is_object()) return malformed("not an object");
  const auto& m = parsed->as_object();
  const auto* type = m.if_contains("type");
  if (!type || !type->is_string() || type->as_string() != "result") return malformed("not a result");
  const auto* id = m.if_contains("id");
  const auto* ok = m.if_contains("ok");
  const auto* ts = m.if_contains("ts");
  const auto* nonce = m.if_contains("nonce");
  if (!id || !id->is_string() || !ok || !ok->is_bool() || !ts || !ts->is_int64() || !nonce || !nonce->is_string() ||
      !m.contains("result") || !m.contains("error"))
    return malformed("missing or ill-typed members");
  auto verified = crypto::verify_message(m, rules.hmac_secret);
  if (!verified) return Error::make(ErrorKind::unauthorized, "invalid_signature", "Invalid HMAC signature");
  if (auto fresh = crypto::check_freshness(ts->as_int64(), rules.now, rules.freshness); !fresh) return fresh.error();
  if (nonces)
    if (auto admitted = nonces->admit(nonce->as_string(), rules.now); !admitted) return admitted.error();

  SiteResult r;
  r.id = str(*id);
  r.key = *verified;
  r.outcome.ok = ok->as_bool();
  if (r.outcome.ok) {
    r.outcome.result = m.at("result");
  } else {
    const auto& error = m.at("error");
    r.outcome.failure.text = error.is_string() ? str(error) : std::string();
    if (const auto* code = m.if_contains("code"); code && code->is_string()) r.outcome.failure.code = str(*code);
    if (const auto* fields = m.if_contains("fields"); fields && fields->is_object()) r.outcome.failure.fields = fields->as_object();
    if (const auto* msg = m.if_contains("message"); msg && msg->is_string()) r.outcome.failure.message = std::string(msg->as_string());
  }
  return r;
}

std::string uuid4() {
  std::string b = crypto::random_bytes(16);
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0f) | 0x40);
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    const auto c = static_cast<unsigned char>(b[i]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0f]);
  }
  return out;
}

}  // namespace tzr::bridge
