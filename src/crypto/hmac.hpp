#pragma once
// Bridge message authentication (site-bridge.md §3): HMAC-SHA256 keyed with the UTF-8 bytes of the
// shared secret as written (a hex-looking secret is NOT hex-decoded), over the Python-canonical
// JSON of the message without its top-level "sig", printed as 64 lower-case hex digits. Plus the
// freshness and replay checks of §3.4, with the clock passed in (`now`, Unix seconds).
#include "core/error.hpp"
#include "crypto/key_ring.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tzr::crypto {

// Raw 32-byte HMAC-SHA256 and its lower-case hex form.
std::string hmac_sha256(std::string_view key, std::string_view message);
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Error codes shared by the functions below:
//   "invalid_signature" (unauthorized, message "Invalid HMAC signature" — the reference agent's
//     text): the sig is absent, not a string, not the expected lower-case hex, or simply wrong;
//   "secret_missing" (internal): an empty secret, which would make every signature forgeable;
//   "malformed_job" (bad_request): a job lacks one of the signed fields or "sig";
//   plus canonical_json's "invalid_json" for a value that Python could not have signed.
// Signing takes one secret (the current one). Verifying takes a ring and tells which key matched;
// when a previous secret is set both signatures are computed and compared in constant time,
// whatever the first comparison gave.

// Any message (job or result): every top-level member except "sig" is signed.
Result<std::string> sign_message(const boost::json::object& message, std::string_view secret);
Result<KeySlot> verify_message(const boost::json::object& message, const SecretRing& secrets);
// The same from the wire text, keeping integers of any size (the `bridge sign`/`verify` CLI).
Result<std::string> sign_message_text(std::string_view json_text, std::string_view secret);
Result<KeySlot> verify_message_text(std::string_view json_text, const SecretRing& secrets);

// A job is signed over exactly {type:"job", id, job_type, payload, ts, nonce} (§2.5 step 3): the
// agent rebuilds that object, so other top-level members are neither signed nor checked, and
// "type" is the literal "job" whatever the frame says (frames are dispatched on it first).
Result<boost::json::object> job_signed_fields(const boost::json::object& job);
Result<std::string> sign_job(const boost::json::object& job, std::string_view secret);
Result<KeySlot> verify_job(const boost::json::object& job, const SecretRing& secrets);

// §2.5/§3.4: the reference accepts ts up to ttl seconds in the past (age == ttl passes) and any
// future ts; the FIX also refuses ts more than max_skew seconds ahead of now.
struct FreshnessPolicy {
  std::int64_t ttl_seconds = 45;       // JOB_TTL
  std::int64_t max_skew_seconds = 30;  // JOB_MAX_SKEW
};

// Error code "job_expired" (unauthorized). Too old: "Job expired (age=<n>s, ttl=<n>s)", the
// reference text; too far ahead: "Job timestamp is in the future (skew=<n>s, max=<n>s)".
Status check_freshness(std::int64_t ts, std::int64_t now, const FreshnessPolicy& policy = {});

// Remembers message nonces for ttl + max_skew seconds, the longest a message passes
// check_freshness, so a captured message cannot be replayed inside its window. In-process only;
// several instances share nonces through Redis instead. Not thread-safe: one per connection or
// behind the caller's lock.
class NonceWindow {
 public:
  explicit NonceWindow(FreshnessPolicy policy = {}, std::size_t capacity = 100'000)
      : policy_(policy), capacity_(capacity) {}

  // Error "replayed_nonce" (conflict) if the nonce was admitted and has not yet expired;
  // "nonce_window_full" (unavailable) when capacity live nonces are held: refusing fails closed,
  // where evicting a live nonce would reopen a replay.
  Status admit(std::string_view nonce, std::int64_t now);
  std::size_t size() const { return expiry_.size(); }

 private:
  void forget_expired(std::int64_t now);

  FreshnessPolicy policy_;
  std::size_t capacity_;
  std::unordered_map<std::string, std::int64_t> expiry_;
  std::deque<std::pair<std::int64_t, std::string>> order_;  // admission order = expiry order
};

}  // namespace tzr::crypto
