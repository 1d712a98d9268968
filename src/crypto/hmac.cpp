#include "crypto/hmac.hpp"

#include "core/json.hpp"
#include "crypto/canonical_json.hpp"
#include "crypto/hash.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fmt/format.h>

#include <array>
#include <limits>
#include <stdexcept>

namespace tzr::crypto {
namespace {

constexpr std::array<std::string_view, 5> kJobFields = {"id", "job_type", "payload", "ts", "nonce"};

Error invalid_signature() {
  return Error::make(ErrorKind::unauthorized, "invalid_signature", "Invalid HMAC signature");
}

Status require_secret(std::string_view secret) {
  if (secret.empty()) return Error::make(ErrorKind::internal, "secret_missing", "the HMAC secret is not configured");
  return {};
}

// The presented sig must be the exact lower-case hex string; anything else (a number, upper case,
// non-ASCII) is just a wrong signature, never an exception as in the reference. Both secrets of
// the ring are always tried, so the time taken does not tell which one matched (or how closely).
Result<KeySlot> compare_sig(const boost::json::object& message, std::string_view canonical, const SecretRing& secrets) {
  const auto* sig = message.if_contains("sig");
  if (!sig || !sig->is_string()) return invalid_signature();
  const std::string_view presented = sig->get_string();
  const bool current = constant_time_equal(presented, hmac_sha256_hex(secrets.current, canonical));
  bool previous = false;
  if (secrets.previous && !secrets.previous->empty())
    previous = constant_time_equal(presented, hmac_sha256_hex(*secrets.previous, canonical));
  if (current) return KeySlot::current;
  if (previous) return KeySlot::previous;
  return invalid_signature();
}

// The canonical signed form of a message object (without its "sig").
Result<std::string> signed_form(const boost::json::object& message) {
  boost::json::object body = message;
  body.erase("sig");
  return canonical_json(body);
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  static const unsigned char empty = 0;  // HMAC() wants a non-null pointer even for an empty key
  const void* key_data = key.empty() ? &empty : static_cast<const void*>(key.data());
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (!HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()), data, message.size(), out, &len))
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  static constexpr char hex[] = "0123456789abcdef";
  const std::string raw = hmac_sha256(key, message);
  std::string out;
  out.reserve(raw.size() * 2);
  for (char c : raw) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 0xF]);
  }
  return out;
}

Result<std::string> sign_message(const boost::json::object& message, std::string_view secret) {
  if (auto s = require_secret(secret); !s) return s.error();
  auto canonical = signed_form(message);
  if (!canonical) return canonical.error();
  return hmac_sha256_hex(secret, *canonical);
}

Result<KeySlot> verify_message(const boost::json::object& message, const SecretRing& secrets) {
  if (auto s = require_secret(secrets.current); !s) return s.error();
  auto canonical = signed_form(message);
  if (!canonical) return canonical.error();
  return compare_sig(message, *canonical, secrets);
}

Result<std::string> sign_message_text(std::string_view json_text, std::string_view secret) {
  if (auto s = require_secret(secret); !s) return s.error();
  auto canonical = canonical_json_text(json_text, {.signed_form = true});
  if (!canonical) return canonical.error();
  return hmac_sha256_hex(secret, *canonical);
}

Result<KeySlot> verify_message_text(std::string_view json_text, const SecretRing& secrets) {
  if (auto s = require_secret(secrets.current); !s) return s.error();
  auto canonical = canonical_json_text(json_text, {.signed_form = true});
  if (!canonical) return canonical.error();
  // Only "sig" is read from the value, so Boost's own parser (which would round an integer beyond
  // 64 bits) is good enough here: the signature itself is computed from the text.
  auto parsed = json::parse(json_text, {.max_depth = 64});
  if (!parsed || !parsed->is_object()) return invalid_signature();
  return compare_sig(parsed->as_object(), *canonical, secrets);
}

Result<boost::json::object> job_signed_fields(const boost::json::object& job) {
  boost::json::object out;
  out["type"] = "job";
  for (std::string_view field : kJobFields) {
    const auto* v = job.if_contains(field);
    if (!v) return Error::bad_request(fmt::format("job lacks the signed field '{}'", field), "malformed_job");
    out[field] = *v;
  }
  return out;
}

Result<std::string> sign_job(const boost::json::object& job, std::string_view secret) {
  auto fields = job_signed_fields(job);
  if (!fields) return fields.error();
  return sign_message(*fields, secret);
}

Result<KeySlot> verify_job(const boost::json::object& job, const SecretRing& secrets) {
  // §2.2: a job without "sig" is malformed (a sig of the wrong type is just a wrong signature).
  if (!job.contains("sig")) return Error::bad_request("job lacks the field 'sig'", "malformed_job");
  auto fields = job_signed_fields(job);
  if (!fields) return fields.error();
  if (auto s = require_secret(secrets.current); !s) return s.error();
  auto canonical = canonical_json(*fields);
  if (!canonical) return canonical.error();
  return compare_sig(job, *canonical, secrets);
}

Status check_freshness(std::int64_t ts, std::int64_t now, const FreshnessPolicy& policy) {
  // ts comes off the wire: saturate rather than overflow.
  std::int64_t age = 0;
  if (__builtin_sub_overflow(now, ts, &age) || age == std::numeric_limits<std::int64_t>::min())
    age = ts < now ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min() + 1;
  if (age > policy.ttl_seconds) {
    return Error::make(ErrorKind::unauthorized, "job_expired",
                       fmt::format("Job expired (age={}s, ttl={}s)", age, policy.ttl_seconds));
  }
  if (age < -policy.max_skew_seconds) {
    return Error::make(ErrorKind::unauthorized, "job_expired",
                       fmt::format("Job timestamp is in the future (skew={}s, max={}s)", -age,
                                   policy.max_skew_seconds));
  }
  return {};
}

void NonceWindow::forget_expired(std::int64_t now) {
  while (!order_.empty() && order_.front().first <= now) {
    auto it = expiry_.find(order_.front().second);
    // A nonce admitted again after expiring has a later expiry: that entry is not the stale one.
    if (it != expiry_.end() && it->second == order_.front().first) expiry_.erase(it);
    order_.pop_front();
  }
}

Status NonceWindow::admit(std::string_view nonce, std::int64_t now) {
  forget_expired(now);
  std::string key(nonce);
  if (auto it = expiry_.find(key); it != expiry_.end() && it->second > now)
    return Error::make(ErrorKind::conflict, "replayed_nonce", "message nonce already used");
  if (expiry_.size() >= capacity_)
    return Error::unavailable("nonce_window_full", "too many messages in the replay window");
  const std::int64_t until = now + policy_.ttl_seconds + policy_.max_skew_seconds;
  expiry_[key] = until;
  order_.emplace_back(until, std::move(key));
  return {};
}

}  // namespace tzr::crypto
