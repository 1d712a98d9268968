#include "app/bridge_command.hpp"

#include "app/features.hpp"
#include "core/log.hpp"
#include "crypto/aes_gcm.hpp"
#include "crypto/hmac.hpp"

#include <cstdio>
#include <iostream>
#include <iterator>

namespace tzr::app {
namespace {

std::string read_stdin() { return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()); }

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '\n')) ++start;
  return s.substr(start);
}

// The configured secret, or the development one in var/ (generated on first use).
Result<std::string> bridge_secret(const Config& c, std::string_view key, const std::string& dev_file, SecretKind kind) {
  if (!c.string(key).empty()) return c.string(key);
  return development_secret(c, dev_file, kind);
}

// `<key>_previous` when set: verify and decrypt accept it during a rotation.
std::optional<std::string> previous_of(const Config& c, std::string_view key) {
  auto text = c.string(std::string(key) + "_previous");
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

int cmd_bridge(const GlobalOptions& global, const std::string& action) {
  auto config = load_config(global);
  if (!config) return fail(config.error());
  // Log lines go to stderr: stdout carries only the result, for pipes.
  log::init(config->string("log.level"), log::format_from_string(config->string("log.format")));
  const std::string input = read_stdin();

  if (action == "sign" || action == "verify") {
    auto secret = bridge_secret(*config, "bridge.hmac_secret", "bridge_hmac.secret", SecretKind::hex);
    if (!secret) return fail(secret.error());
    if (action == "sign") {
      auto sig = crypto::sign_message_text(input, *secret);
      if (!sig) return fail(sig.error());
      std::printf("%s\n", sig->c_str());
      return 0;
    }
    auto ok = crypto::verify_message_text(input, crypto::SecretRing{*secret, previous_of(*config, "bridge.hmac_secret")});
    if (!ok) {
      std::printf("invalid: %s\n", ok.error().message.c_str());
      return 1;
    }
    std::printf("valid\n");
    return 0;
  }

  auto key_text = bridge_secret(*config, "bridge.aes_key", "bridge_aes.key", SecretKind::base64_key);
  if (!key_text) return fail(key_text.error());
  auto key = crypto::aes_gcm::Key::from_base64(*key_text);
  if (!key) return fail(Error::bad_request("bridge.aes_key must be the base64 of exactly 32 bytes", "config_error"));
  if (action == "encrypt") {
    // One trailing newline is what `echo` adds, not part of the password.
    std::string text = input;
    if (!text.empty() && text.back() == '\n') text.pop_back();
    auto blob = crypto::aes_gcm::encrypt(text, *key);
    if (!blob) return fail(blob.error());
    std::printf("%s\n", blob->c_str());
    return 0;
  }
  crypto::KeyRing<crypto::aes_gcm::Key> keys{*key, std::nullopt};
  if (auto previous_text = previous_of(*config, "bridge.aes_key")) {
    auto previous = crypto::aes_gcm::Key::from_base64(*previous_text);
    if (!previous) return fail(Error::bad_request("bridge.aes_key_previous must be the base64 of exactly 32 bytes", "config_error"));
    keys.previous = *previous;
  }
  auto plain = crypto::aes_gcm::decrypt(trim(input), keys);
  if (!plain) return fail(plain.error());
  std::fwrite(plain->data(), 1, plain->size(), stdout);
  std::printf("\n");
  return 0;
}

}  // namespace tzr::app
