#include "crypto/password.hpp"

#include "crypto/aes_gcm.hpp"
#include "crypto/hash.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <vector>

namespace tzr::crypto {
namespace {

std::string pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  std::string out(32, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), static_cast<int>(out.size()),
                    reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t at = 0;;) {
    const auto next = s.find(sep, at);
    parts.push_back(s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) return parts;
    at = next + 1;
  }
}

}  // namespace

std::string hash_password(std::string_view password, int iterations) {
  const std::string salt = random_bytes(16);
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + aes_gcm::base64_encode(salt) + "$" +
         aes_gcm::base64_encode(pbkdf2(password, salt, iterations));
}

bool verify_password(std::string_view password, std::string_view encoded) {
  const auto parts = split(encoded, '$');
  if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
  int iterations = 0;
  const auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc{} || end != parts[1].data() + parts[1].size() || iterations < 1000 || iterations > 10'000'000) return false;
  auto salt = aes_gcm::base64_decode_lenient(parts[2]);
  auto expected = aes_gcm::base64_decode_lenient(parts[3]);
  if (!salt || !expected || salt->empty() || expected->size() != 32) return false;
  return constant_time_equal(pbkdf2(password, *salt, iterations), *expected);
}

}  // namespace tzr::crypto
