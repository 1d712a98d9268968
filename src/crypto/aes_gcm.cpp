#include "crypto/aes_gcm.hpp"

#include "core/utf8.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace tzr::crypto::aes_gcm {
namespace {

constexpr std::string_view kFailed = "Password decryption failed";
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

Error malformed() { return Error::make(ErrorKind::bad_request, "aes_blob_malformed", std::string(kFailed)); }
Error failed() { return Error::make(ErrorKind::unprocessable, "decrypt_failed", std::string(kFailed)); }

int sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Wipes a string that held plaintext or key material before it is freed.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

}  // namespace

Key::~Key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

Key Key::from_bytes(const std::array<unsigned char, kKeySize>& bytes) {
  Key k;
  k.bytes_ = bytes;
  return k;
}

Result<Key> Key::from_base64(std::string_view text) {
  auto decoded = base64_decode_lenient(text);
  if (decoded) {
    Wipe wipe{*decoded};
    if (decoded->size() == kKeySize) {
      Key k;
      std::copy(decoded->begin(), decoded->end(), k.bytes_.begin());
      return k;
    }
  }
  return Error::make(ErrorKind::internal, "invalid_aes_key",
                     "the AES-GCM key must be standard base64 of exactly 32 bytes (openssl rand -base64 32)");
}

Nonce random_nonce() {
  Nonce n{};
  if (RAND_bytes(n.data(), static_cast<int>(n.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  return n;
}

Result<std::string> encrypt(std::string_view plaintext, const Key& key, const Nonce& nonce) {
  if (!utf8::valid(plaintext)) return Error::bad_request("the plaintext must be UTF-8 text", "invalid_plaintext");
  if (plaintext.size() > kMaxBlobChars) return Error::bad_request("the plaintext is too long", "invalid_plaintext");
  std::string blob(kNonceSize + kTagSize + plaintext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(blob.data());
  std::copy(nonce.begin(), nonce.end(), out);
  auto ctx = new_ctx();
  int len = 0;
  int tail = 0;
  // 12 bytes is GCM's default IV length, so no EVP_CTRL_GCM_SET_IVLEN is needed.
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out + kNonceSize + kTagSize, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + kNonceSize + kTagSize + len, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), out + kNonceSize) != 1)
    return Error::internal("AES-GCM encryption failed");
  return base64_encode(blob);
}

Result<std::string> encrypt(std::string_view plaintext, const Key& key) {
  return encrypt(plaintext, key, random_nonce());
}

Result<std::string> decrypt(std::string_view blob, const Key& key) {
  if (blob.size() > kMaxBlobChars) return malformed();
  auto raw = base64_decode_lenient(blob);
  if (!raw || raw->size() < kNonceSize + kTagSize) return malformed();
  const auto* in = bytes(*raw);
  const std::size_t n = raw->size() - kNonceSize - kTagSize;
  std::string plain(n, '\0');
  Wipe wipe_on_failure{plain};
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  unsigned char tag[kTagSize];
  std::copy(in + kNonceSize, in + kNonceSize + kTagSize, tag);
  auto ctx = new_ctx();
  int len = 0;
  int tail = 0;
  // Update releases plaintext before the tag is checked in Final; it is wiped if the check fails.
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &len, in + kNonceSize + kTagSize, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + len, &tail) != 1)
    return failed();
  if (!utf8::valid(plain)) return failed();
  std::string result = plain;  // the wiped copy is the local one
  return result;
}

Result<std::string> decrypt(std::string_view blob, const KeyRing<Key>& keys, KeySlot* used) {
  auto plain = decrypt(blob, keys.current);
  KeySlot slot = KeySlot::current;
  if (!plain && plain.error().code == "decrypt_failed" && keys.previous) {
    plain = decrypt(blob, *keys.previous);
    slot = KeySlot::previous;
  }
  if (plain && used) *used = slot;
  return plain;
}

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const auto v = static_cast<unsigned>(bytes(data)[i]) << 16 | static_cast<unsigned>(bytes(data)[i + 1]) << 8 |
                   bytes(data)[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(v >> shift) & 0x3F]);
  }
  if (const std::size_t rest = data.size() - i; rest > 0) {
    auto v = static_cast<unsigned>(bytes(data)[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned>(bytes(data)[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 0x3F]);
    out.push_back(kAlphabet[(v >> 12) & 0x3F]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 0x3F] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode_lenient(std::string_view text) {
  // Python refuses a str holding any non-ASCII character before it decodes anything.
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80)
      return Error::bad_request("base64 text must be ASCII", "invalid_base64");
  }
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  int quad = 0;  // sextets held of the current group of four
  int pads = 0;  // '=' seen since the last data character, once two sextets are held
  unsigned acc = 0;
  for (char ch : text) {
    if (ch == '=') {
      // A complete pad sequence ends the data; '=' too early in a group is skipped.
      if (quad >= 2 && quad + ++pads >= 4) return out;
      continue;
    }
    const int v = sextet(static_cast<unsigned char>(ch));
    if (v < 0) continue;  // outside the alphabet: skipped, as Python does
    pads = 0;
    acc = (acc << 6) | static_cast<unsigned>(v);
    if (quad == 1) out.push_back(static_cast<char>((acc >> 4) & 0xFF));
    if (quad == 2) out.push_back(static_cast<char>((acc >> 2) & 0xFF));
    if (quad == 3) out.push_back(static_cast<char>(acc & 0xFF));
    quad = (quad + 1) % 4;
    if (quad == 0) acc = 0;
  }
  if (quad == 1) return Error::bad_request("base64 data length is one more than a multiple of 4", "invalid_base64");
  if (quad != 0) return Error::bad_request("base64 padding is incorrect", "invalid_base64");
  return out;
}

}  // namespace tzr::crypto::aes_gcm
