#include "telegram/identity.hpp"

#include "core/json.hpp"
#include "crypto/hash.hpp"
#include "crypto/hmac.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tzr::telegram {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// A payload is a few hundred bytes; anything far larger is not from Telegram.
constexpr std::size_t kMaxProofBytes = 16 * 1024;

Error invalid(std::string why) {
  return Error::make(ErrorKind::forbidden, "telegram_auth_invalid", "Telegram authorization is invalid: " + std::move(why));
}

std::optional<std::int64_t> decimal(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The raw 32 bytes of SHA-256 (the crypto layer hands out hex).
std::string sha256_raw(std::string_view data) {
  std::string hex = crypto::sha256_hex(data), raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    raw += static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1]));
  return raw;
}

// The signed text: every field except hash, sorted by key, "key=value" lines joined by '\n'.
// Takes the pairs and checks the hash; the pairs keep the remaining fields for the caller.
Status check_signature(Pairs& pairs, std::string_view secret_key) {
  std::string given;
  std::set<std::string> seen;
  Pairs signed_pairs;
  for (auto& [k, v] : pairs) {
    if (!seen.insert(k).second) return invalid("field '" + k + "' appears twice");
    if (k == "hash") given = v;
    else signed_pairs.emplace_back(k, v);
  }
  if (given.empty()) return invalid("hash is missing");
  if (given.size() != 64 || !std::all_of(given.begin(), given.end(), [](char c) { return hex_value(c) >= 0; }))
    return invalid("hash is not 64 hex digits");
  std::transform(given.begin(), given.end(), given.begin(), [](unsigned char c) { return std::tolower(c); });
  std::sort(signed_pairs.begin(), signed_pairs.end());
  std::string check;
  for (const auto& [k, v] : signed_pairs) {
    if (!check.empty()) check += '\n';
    check += k + '=' + v;
  }
  if (!crypto::constant_time_equal(crypto::hmac_sha256_hex(secret_key, check), given))
    return invalid("hash does not match");
  pairs = std::move(signed_pairs);
  return {};
}

const std::string* field(const Pairs& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs)
    if (k == key) return &v;
  return nullptr;
}

Status check_auth_date(const Pairs& pairs, std::int64_t now, const IdentityPolicy& policy) {
  const auto* text = field(pairs, "auth_date");
  if (!text) return invalid("auth_date is missing");
  auto when = decimal(*text);
  if (!when || *when <= 0) return invalid("auth_date is not a Unix time");
  if (*when > now + policy.max_future_s) return invalid("auth_date is in the future");
  if (now - *when > policy.max_age_s) return invalid("auth_date is too old");
  return {};
}

Result<std::int64_t> positive_id(std::optional<std::int64_t> id) {
  if (!id || *id <= 0) return invalid("the user id is missing or not a positive integer");
  return *id;
}

}  // namespace

bool form_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (in.size() - i < 3) return false;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

Result<std::int64_t> verify_login_widget(std::string_view payload_json, std::string_view bot_token, std::int64_t now,
                                         const IdentityPolicy& policy) {
  if (bot_token.empty()) return invalid("no bot token is configured");
  if (payload_json.size() > kMaxProofBytes) return invalid("payload too large");
  auto payload = json::parse_object(payload_json, {.max_depth = 2});
  if (!payload) return invalid("payload is not a JSON object");
  // Values as the widget's JavaScript would print them: strings as they are, integers in decimal.
  Pairs pairs;
  for (const auto& [key, value] : *payload) {
    std::string k(key);
    if (value.is_string()) pairs.emplace_back(k, std::string(value.get_string()));
    else if (value.is_int64()) pairs.emplace_back(k, std::to_string(value.get_int64()));
    else if (value.is_uint64()) pairs.emplace_back(k, std::to_string(value.get_uint64()));
    else if (value.is_bool()) pairs.emplace_back(k, value.get_bool() ? "true" : "false");
    else return invalid("field '" + k + "' is not a string or an integer");
  }
  if (auto st = check_signature(pairs, sha256_raw(bot_token)); !st) return st.error();
  if (auto st = check_auth_date(pairs, now, policy); !st) return st.error();
  const auto* id = field(pairs, "id");
  return positive_id(id ? decimal(*id) : std::nullopt);
}

Result<std::int64_t> verify_web_app(std::string_view init_data, std::string_view bot_token, std::int64_t now,
                                    const IdentityPolicy& policy) {
  if (bot_token.empty()) return invalid("no bot token is configured");
  if (init_data.size() > kMaxProofBytes) return invalid("initData too large");
  Pairs pairs;
  std::size_t start = 0;
  while (start <= init_data.size()) {
    auto end = init_data.find('&', start);
    if (end == std::string_view::npos) end = init_data.size();
    std::string_view part = init_data.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos) return invalid("initData has a field without '='");
    std::string k, v;
    if (!form_decode(part.substr(0, eq), k) || !form_decode(part.substr(eq + 1), v))
      return invalid("initData has a bad %-escape");
    pairs.emplace_back(std::move(k), std::move(v));
  }
  if (auto st = check_signature(pairs, crypto::hmac_sha256("WebAppData", bot_token)); !st) return st.error();
  if (auto st = check_auth_date(pairs, now, policy); !st) return st.error();
  const auto* user_json = field(pairs, "user");
  if (!user_json) return invalid("initData has no user");
  auto user = json::parse_object(*user_json, {.max_depth = 4});
  if (!user) return invalid("initData user is not a JSON object");
  return positive_id(json::get_int(*user, "id"));
}

}  // namespace tzr::telegram
