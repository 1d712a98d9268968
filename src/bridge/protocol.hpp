#pragma once
// The site bridge's wire protocol (site-bridge.md §2–3, §7): job frames from the site, result
// frames from the agent, both HMAC-signed over their Python-canonical JSON. Pure functions: the
// clock, the secret and the nonce memory are passed in, so every rule is unit-tested without I/O.
#include "core/error.hpp"
#include "crypto/hmac.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tzr::bridge {

inline constexpr std::string_view kRegister = "register";
inline constexpr std::string_view kServerStatus = "get_server_status";
inline constexpr std::string_view kResetPassword = "reset_password";  // ours (telegram issue), same rules as register
bool known_job_type(std::string_view job_type);

inline constexpr std::size_t kMaxJobIdChars = 128;
inline constexpr std::size_t kMaxFrameDepth = 32;

// Why a job failed: `text` is the reference agent's wording (§7.4) where a site may match it;
// `code` is the stable machine code (§7.1 FIX), sent in the result's extra "code" member.
struct JobFailure {
  std::string code;
  std::string text;
  std::optional<boost::json::object> fields;  // per-field validation messages, when known
  std::string message;                        // the local service's human text, when there is one
};

struct JobOutcome {
  bool ok = false;
  boost::json::value result;  // the job's result object when ok, else null
  JobFailure failure;         // when !ok

  static JobOutcome success(boost::json::value result) { return {true, std::move(result), {}}; }
  static JobOutcome failed(std::string code, std::string text) { return {false, nullptr, {std::move(code), std::move(text), {}, {}}}; }
};

// Whether a job's outcome is final (kept for idempotency) or transient (a retry of the same job
// id runs again: the local service was down or slow, nothing was decided).
bool outcome_is_final(const JobOutcome& outcome);

struct SiteJob {
  std::string id;
  std::string job_type;
  boost::json::object payload;
  std::int64_t ts = 0;
  std::string nonce;
};

// What the agent does with one received frame.
struct CheckedFrame {
  enum class Verdict {
    ignore,  // no recoverable id (invalid JSON, not a job): log and drop, nothing to answer
    reject,  // answer the id with a signed failure; nothing is executed
    accept,  // authentic and fresh: execute `job`
  };
  Verdict verdict = Verdict::ignore;
  std::string reason;  // ignore: what was wrong (for the log; never the frame itself)
  std::string id;      // reject/accept
  JobFailure failure;  // reject
  SiteJob job;         // accept
  crypto::KeySlot key = crypto::KeySlot::current;  // accept: the HMAC secret that signed it
};

struct FrameRules {
  crypto::SecretRing hmac_secret;  // current, and the previous one during a rotation
  crypto::FreshnessPolicy freshness;
  std::int64_t now = 0;  // Unix seconds
};

// §2.5 in the reference's order — dispatch on job_type, TTL, HMAC — then the FIXes: ts too far
// ahead and nonce replay (the nonce is admitted only once the signature is good, so forged frames
// cannot fill the window; status reads are not remembered). A frame with a string id but missing/ill-typed members is answered
// "Malformed job" (§2.2 FIX).
CheckedFrame check_job_frame(std::string_view text, const FrameRules& rules, crypto::NonceWindow& nonces);

// The register/reset payload member that is missing, as the reference words it:
// "Missing field: 'telegram_id'".
std::optional<JobFailure> missing_field(const boost::json::object& payload, std::initializer_list<std::string_view> required);

// A signed result frame (§2.4), serialised canonically with "sig". A failure carries the extra
// members "code" (and "fields" / "message" when known): they are signed like the rest, and a
// reference site that only reads ok/result/error ignores them.
std::string make_result_frame(std::string_view id, const JobOutcome& outcome, std::string_view hmac_secret, std::int64_t ts,
                              std::string_view nonce);

// A signed job frame (the hub's side). Frames are always signed with the current secret.
std::string make_job_frame(const SiteJob& job, std::string_view hmac_secret);

// A result frame as the hub receives it, verified: signature, freshness and, when a window is
// given, nonce replay. The hub passes none: it takes a result only for a job id it is waiting
// for, once, so a replayed result finds nothing to answer.
struct SiteResult {
  std::string id;
  JobOutcome outcome;
  crypto::KeySlot key = crypto::KeySlot::current;  // the HMAC secret that signed it
};
// Errors: "malformed_result" (bad_request), "invalid_signature", "job_expired", "replayed_nonce".
Result<SiteResult> check_result_frame(std::string_view text, const FrameRules& rules, crypto::NonceWindow* nonces);

// A fresh lower-case hyphenated UUID v4 (nonces and job ids).
std::string uuid4();

}  // namespace tzr::bridge
