#pragma once
// The agent's bearer token on the WebSocket Upgrade (site-bridge.md §2.1 FIX, §13 V10): a compact
// JWT signed with HS256 and nothing else. Header {"alg":"HS256","typ":"JWT"}; claims sub = agent
// id, aud = "ws/pull", iat, exp (required), optional nbf/iss/jti. Segments are base64url without
// padding. The algorithm is pinned, not read from the token: "none", HS512, RS256… are refused
// before any signature work, so a token cannot choose how it is checked.
#include "core/error.hpp"
#include "crypto/key_ring.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tzr::crypto::jwt {

// Tokens longer than this are refused unread (an Upgrade header has no business being larger).
inline constexpr std::size_t kMaxTokenSize = 8 * 1024;

struct Expectations {
  std::optional<std::string> audience{};  // "ws/pull" on the bridge; nullopt = aud not checked
  std::optional<std::string> issuer{};  // checked when set
  std::optional<std::string> subject{}; // checked when set (e.g. a pinned agent id)
  std::int64_t leeway_seconds = 0;      // clock skew allowed on exp, nbf and iat
  // When set, exp - iat (or exp - now without iat) may not exceed it; §2.1 suggests 15 min.
  std::optional<std::int64_t> max_lifetime_seconds{};
};

// header.payload.signature with the claims serialised compactly in their insertion order.
// Throws std::invalid_argument on an empty secret (a programming error: config validates it).
std::string make(const boost::json::object& claims, std::string_view secret);

// The token's claims when it is valid at `now` (Unix seconds). Errors are unauthorized, with
// these stable codes, checked in this order:
//   jwt_malformed       not three base64url segments, header or claims not a JSON object,
//                       a "crit" header, typ other than JWT, a non-numeric time claim, too long
//   jwt_bad_alg         alg is not exactly "HS256" (including "none")
//   jwt_bad_signature   the HMAC does not match (constant-time compare)
//   jwt_missing_exp     no exp claim
//   jwt_expired         now >= exp + leeway (RFC 7519: valid only before exp)
//   jwt_not_yet_valid   now < nbf - leeway, or iat > now + leeway
//   jwt_lifetime_too_long, jwt_bad_aud, jwt_bad_iss, jwt_bad_sub
// Messages are fixed texts: never the token, the claims or the secret.
// The signature may be made with the ring's current or previous secret (both are compared, in
// constant time); `used`, when given, is set to the one that matched.
Result<boost::json::object> verify(std::string_view token, const SecretRing& secrets, std::int64_t now,
                                   const Expectations& expect, KeySlot* used = nullptr);

std::string base64url_encode(std::string_view bytes);
// Strict: only the URL-safe alphabet, no padding, no whitespace. Error "jwt_malformed".
Result<std::string> base64url_decode(std::string_view text);

}  // namespace tzr::crypto::jwt
