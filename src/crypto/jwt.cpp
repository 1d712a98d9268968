#include "crypto/jwt.hpp"

#include "core/json.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/hash.hpp"
#include "crypto/hmac.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <stdexcept>

namespace tzr::crypto::jwt {
namespace {

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::size_t kSignatureSize = 32;  // SHA-256

Error reject(std::string code, std::string message) {
  return Error::make(ErrorKind::unauthorized, std::move(code), std::move(message));
}

Error malformed() { return reject("jwt_malformed", "the token is malformed"); }

Result<boost::json::object> decode_object(std::string_view segment) {
  auto raw = base64url_decode(segment);
  if (!raw) return raw.error();
  auto object = json::parse_object(*raw, {.max_depth = 8});
  if (!object) return malformed();
  return object;
}

// A NumericDate claim: nullopt when absent, an error when present but not a number.
Result<std::optional<double>> time_claim(const boost::json::object& claims, std::string_view name) {
  const auto* v = claims.if_contains(name);
  if (!v) return std::optional<double>();
  if (v->is_int64()) return std::optional<double>(static_cast<double>(v->get_int64()));
  if (v->is_uint64()) return std::optional<double>(static_cast<double>(v->get_uint64()));
  if (v->is_double()) return std::optional<double>(v->get_double());
  return malformed();
}

// RFC 7519 §4.1.3: aud is one string or an array of strings.
bool audience_matches(const boost::json::value* aud, std::string_view expected) {
  if (!aud) return false;
  if (aud->is_string()) return aud->get_string() == expected;
  if (!aud->is_array()) return false;
  const auto& list = aud->get_array();
  return std::any_of(list.begin(), list.end(),
                     [&](const auto& a) { return a.is_string() && a.get_string() == expected; });
}

bool string_claim_is(const boost::json::object& claims, std::string_view name, std::string_view expected) {
  const auto* v = claims.if_contains(name);
  return v && v->is_string() && v->get_string() == expected;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string s = aes_gcm::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

Result<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return malformed();
  std::string standard;
  standard.reserve(text.size() + 3);
  for (char c : text) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) standard.push_back(c);
    else if (c == '-') standard.push_back('+');
    else if (c == '_') standard.push_back('/');
    else return malformed();  // padding, whitespace, '+', '/', anything else
  }
  standard.append((4 - standard.size() % 4) % 4, '=');
  auto decoded = aes_gcm::base64_decode_lenient(standard);
  if (!decoded) return malformed();
  return decoded;
}

std::string make(const boost::json::object& claims, std::string_view secret) {
  if (secret.empty()) throw std::invalid_argument("JWT secret is empty");
  std::string input = base64url_encode(kHeader) + "." + base64url_encode(boost::json::serialize(claims));
  const std::string signature = base64url_encode(hmac_sha256(secret, input));
  return input + "." + signature;
}

Result<boost::json::object> verify(std::string_view token, const SecretRing& secrets, std::int64_t now,
                                   const Expectations& expect, KeySlot* used) {
  if (secrets.current.empty()) return Error::make(ErrorKind::internal, "secret_missing", "the JWT secret is not configured");
  if (token.size() > kMaxTokenSize) return malformed();
  const auto first_dot = token.find('.');
  const auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
    return malformed();
  const std::string_view header_b64 = token.substr(0, first_dot);
  const std::string_view claims_b64 = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_b64 = token.substr(second_dot + 1);

  auto header = decode_object(header_b64);
  if (!header) return header.error();
  if (header->contains("crit")) return malformed();  // extensions we would have to understand
  if (const auto* typ = header->if_contains("typ"); typ && !(typ->is_string() && typ->get_string() == "JWT"))
    return malformed();
  if (!string_claim_is(*header, "alg", "HS256")) return reject("jwt_bad_alg", "the token algorithm must be HS256");

  auto signature = base64url_decode(signature_b64);
  const std::string_view signed_part = token.substr(0, second_dot);
  bool current = false;
  bool previous = false;
  if (signature && signature->size() == kSignatureSize) {
    current = constant_time_equal(*signature, hmac_sha256(secrets.current, signed_part));
    if (secrets.previous && !secrets.previous->empty())
      previous = constant_time_equal(*signature, hmac_sha256(*secrets.previous, signed_part));
  }
  if (!current && !previous) return reject("jwt_bad_signature", "the token signature is invalid");

  auto claims = decode_object(claims_b64);
  if (!claims) return claims.error();
  auto exp = time_claim(*claims, "exp");
  auto nbf = time_claim(*claims, "nbf");
  auto iat = time_claim(*claims, "iat");
  if (!exp || !nbf || !iat) return malformed();
  const auto t = static_cast<double>(now);
  const auto leeway = static_cast<double>(expect.leeway_seconds);
  if (!*exp) return reject("jwt_missing_exp", "the token has no expiry");
  if (t >= **exp + leeway) return reject("jwt_expired", "the token has expired");
  if (*nbf && t < **nbf - leeway) return reject("jwt_not_yet_valid", "the token is not valid yet");
  if (*iat && **iat > t + leeway) return reject("jwt_not_yet_valid", "the token was issued in the future");
  if (expect.max_lifetime_seconds && **exp - (*iat ? **iat : t) > static_cast<double>(*expect.max_lifetime_seconds))
    return reject("jwt_lifetime_too_long", "the token lives too long");
  if (expect.audience && !audience_matches(claims->if_contains("aud"), *expect.audience))
    return reject("jwt_bad_aud", "the token is not meant for this service");
  if (expect.issuer && !string_claim_is(*claims, "iss", *expect.issuer))
    return reject("jwt_bad_iss", "the token issuer is not accepted");
  if (expect.subject && !string_claim_is(*claims, "sub", *expect.subject))
    return reject("jwt_bad_sub", "the token subject is not accepted");
  if (used) *used = current ? KeySlot::current : KeySlot::previous;
  return std::move(*claims);
}

}  // namespace tzr::crypto::jwt
