// libFuzzer target for the site-bridge crypto layer: arbitrary bytes as they could arrive from a
// hostile site or a broken agent — a password blob, a bearer token, a job frame. Nothing may
// crash, and whatever is accepted must keep its promises:
//   - a blob that decrypts gives UTF-8 and re-encrypts to the same bytes under its own nonce;
//   - a token is accepted only with the right signature, and then its claims are checked;
//   - canonical JSON is a fixed point, both parse paths agree, and what is signed verifies.
#include "core/utf8.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/canonical_json.hpp"
#include "crypto/hmac.hpp"
#include "crypto/jwt.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

using namespace tzr;
using namespace tzr::crypto;

namespace {

constexpr std::string_view kSecret = "fuzz_secret";
constexpr std::int64_t kNow = 1734370500;

void check_decrypt(std::string_view input) {
  static const auto key = aes_gcm::Key::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").value();
  auto plain = aes_gcm::decrypt(input, key);
  if (!plain) {
    if (plain.error().message != "Password decryption failed") __builtin_trap();
    return;
  }
  if (!utf8::valid(*plain)) __builtin_trap();
  const std::string raw = aes_gcm::base64_decode_lenient(input).value();
  aes_gcm::Nonce nonce{};
  std::memcpy(nonce.data(), raw.data(), nonce.size());
  if (aes_gcm::encrypt(*plain, key, nonce).value() != aes_gcm::base64_encode(raw)) __builtin_trap();
}

void check_jwt(std::string_view input) {
  const jwt::Expectations expect{.audience = "ws/pull"};
  // As received: the fuzzer cannot know the secret, so it reaches header parsing and the
  // signature check, never the claims.
  (void)jwt::verify(input, kSecret, kNow, expect);
  // Signed here, so that header and claims parsing past the signature are explored too.
  if (input.size() < jwt::kMaxTokenSize && input.find('.') != std::string_view::npos) {
    const std::string signed_input = std::string(input) + "." + jwt::base64url_encode(hmac_sha256(kSecret, input));
    (void)jwt::verify(signed_input, kSecret, kNow, expect);
  }
}

void check_canonical(std::string_view input) {
  auto text = canonical_json_text(input);
  if (text && canonical_json_text(*text).value() != *text) __builtin_trap();
  auto value = parse_python_json(input);
  if (value) {
    auto from_value = canonical_json(*value);
    // The two paths accept the same texts (the value path also refuses integers beyond 64 bits).
    if (text && (!from_value || *from_value != *text)) __builtin_trap();
    if (!text && from_value) __builtin_trap();
  }
  // What is signed verifies, through both entry points.
  auto sig = sign_message_text(input, kSecret);
  if (sig && value && value->is_object()) {
    auto message = value->as_object();
    message["sig"] = *sig;
    if (!verify_message(message, kSecret)) __builtin_trap();
    message["sig"] = std::string(64, '0');
    if (verify_message(message, kSecret) && *sig != std::string(64, '0')) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_decrypt(input);
  check_jwt(input);
  check_canonical(input);
  return 0;
}
