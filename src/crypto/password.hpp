#pragma once
// Operator passwords for the dashboard: PBKDF2-HMAC-SHA256 with a random salt, encoded as
// "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>" (what `tzrhost dashboard
// hash-password` prints and the config holds). Verification is constant time in the hash.
#include <string>
#include <string_view>

namespace tzr::crypto {

inline constexpr int kPasswordIterations = 310'000;  // OWASP's 2023 floor for PBKDF2-SHA256

std::string hash_password(std::string_view password, int iterations = kPasswordIterations);
// False for a wrong password and for anything that is not a well-formed encoding.
bool verify_password(std::string_view password, std::string_view encoded);

}  // namespace tzr::crypto
