#pragma once
// Password encryption between the site and the agent (site-bridge.md §4): AES-256-GCM, 96-bit
// nonce, full 128-bit tag, no associated data, and the reference's non-standard blob layout
//   base64( nonce(12) || tag(16) || ciphertext(n) )      — the tag BEFORE the ciphertext.
// The key is standard base64 of exactly 32 bytes, read as leniently as Python's
// base64.b64decode: characters outside the alphabet (spaces, newlines, '-', '_') are skipped, a
// pad sequence ends the input, a length that cannot be padded is an error.
#include "core/error.hpp"
#include "crypto/key_ring.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace tzr::crypto::aes_gcm {

inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kNonceSize = 12;
inline constexpr std::size_t kTagSize = 16;
// Passwords are short; anything much larger is not a password blob and is refused unread.
inline constexpr std::size_t kMaxBlobChars = 64 * 1024;

using Nonce = std::array<unsigned char, kNonceSize>;

// The 256-bit key. Copies are allowed (a config reload makes a new one); every copy is wiped
// when destroyed.
class Key {
 public:
  // Error "invalid_aes_key" (internal: it is configuration) when the text is not ASCII, is not
  // base64 that Python would accept, or does not decode to exactly 32 bytes. The message never
  // repeats the key.
  static Result<Key> from_base64(std::string_view text);
  static Key from_bytes(const std::array<unsigned char, kKeySize>& bytes);

  Key(const Key&) = default;
  Key& operator=(const Key&) = default;
  ~Key();
  const unsigned char* data() const { return bytes_.data(); }

 private:
  Key() = default;
  std::array<unsigned char, kKeySize> bytes_{};
};

// A fresh random nonce from the OS CSPRNG; a nonce must never repeat under one key.
Nonce random_nonce();

// The base64 blob for plaintext (UTF-8 text: "invalid_plaintext" otherwise, since the receiver
// could not decode it). The nonce is a parameter so that golden tests are reproducible; real
// callers use the overload that draws a random one.
Result<std::string> encrypt(std::string_view plaintext, const Key& key, const Nonce& nonce);
Result<std::string> encrypt(std::string_view plaintext, const Key& key);

// The plaintext of a blob. Every failure has the message "Password decryption failed" (the spec's
// FIX: no detail that could serve as an oracle) and one of two codes:
//   "aes_blob_malformed" (bad_request): not base64, longer than kMaxBlobChars, or shorter than
//     nonce + tag (28 bytes) — refused before the cipher runs;
//   "decrypt_failed" (unprocessable): authentication failed (tampering, wrong key, the common
//     ct||tag layout) or the plaintext is not UTF-8.
Result<std::string> decrypt(std::string_view blob, const Key& key);
// The same with the ring's current key, else its previous one (a blob made before a rotation);
// `used`, when given, is set to the key that opened it. A malformed blob is refused before any
// key is tried.
Result<std::string> decrypt(std::string_view blob, const KeyRing<Key>& keys, KeySlot* used = nullptr);

// Standard base64 with '=' padding.
std::string base64_encode(std::string_view bytes);
// Python's base64.b64decode(text) (validate=False). Error "invalid_base64" (bad_request).
Result<std::string> base64_decode_lenient(std::string_view text);

}  // namespace tzr::crypto::aes_gcm
