#include "battles/gzip.hpp"
#include "battles/parser.hpp"
#include "crypto/hash.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace tzr::battles {
namespace {

// Position of the next `<NAME` start tag (followed by whitespace, '>' or '/').
std::size_t find_tag(std::string_view s, std::string_view open, std::size_t from) {
  while (true) {
    if (from >= s.size()) return std::string_view::npos;
    const void* hit = ::memmem(s.data() + from, s.size() - from, open.data(), open.size());
    if (!hit) return std::string_view::npos;
    const auto p = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    const std::size_t after = p + open.size();
    if (after >= s.size()) return std::string_view::npos;
    const char c = s[after];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '>' || c == '/') return p;
    from = after;
  }
}

// Strict UTF-8 (no overlongs, surrogates, code points past U+10FFFF); ASCII runs 32 or 8 bytes at a time.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (end - p >= 32) {
      std::uint64_t w[4];
      std::memcpy(w, p, 32);
      if (((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull) == 0) {
        p += 32;
        continue;
      }
    }
    if (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) n = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 3, cp = c & 0x07;
    else return false;
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    p += n + 1;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

CanonicalText canonical_text(std::string_view raw, std::size_t max_text_bytes, bool digest, bool dedupe) {
  CanonicalText out;
  if (raw.empty()) {
    out.error = "empty_input";
    out.message = "the log is empty";
    return out;
  }
  // The text is read where it lies (the caller's bytes, or the gunzipped copy) and only the
  // body is copied at the end: one copy of the log, not two.
  std::string owned;
  std::string_view text = raw;
  if (looks_gzip(raw)) {
    auto plain = gunzip(raw, max_text_bytes);
    if (!plain) {
      out.error = plain.error().code;
      out.message = plain.error().message;
      return out;
    }
    owned = std::move(*plain);
    text = owned;
    out.compressed = true;
  } else if (raw.size() > max_text_bytes) {
    out.error = "too_large";
    out.message = "log is larger than " + std::to_string(max_text_bytes) + " bytes";
    return out;
  }
  if (digest) out.content_sha256 = crypto::sha256_hex(text);
  // The game frames messages with NUL; 0x1F appears in socket captures (battles.md §1.1).
  if (std::memchr(text.data(), '\0', text.size()) || std::memchr(text.data(), '\x1f', text.size())) {
    if (owned.empty()) owned.assign(text);
    owned.erase(std::remove_if(owned.begin(), owned.end(), [](char c) { return c == '\0' || c == '\x1f'; }), owned.end());
    text = owned;
  }
  if (!valid_utf8(text)) {
    out.error = "invalid_utf8";
    out.message = "the log is not valid UTF-8";
    return out;
  }
  std::string_view body = text;
  if (auto open = find_tag(body, "<BLOOK", 0); open != std::string_view::npos) {
    const auto gt = body.find('>', open);
    if (gt == std::string_view::npos) {
      body = {};
    } else {
      // The closing tag ends the text (searched from the end: no scan of the whole log).
      auto close = body.rfind("</BLOOK>");
      if (close != std::string_view::npos && close <= gt) close = std::string_view::npos;
      if (close == std::string_view::npos) out.unterminated_wrapper = true;
      body = body.substr(gt + 1, close == std::string_view::npos ? std::string_view::npos : close - gt - 1);
    }
  }
  if (auto first = dedupe ? find_tag(body, "<BATTLE", 0) : std::string_view::npos; first != std::string_view::npos) {
    if (auto second = find_tag(body, "<BATTLE", first + 7); second != std::string_view::npos) {
      out.duplicated = true;
      out.duplicate_identical = trim(body.substr(first, second - first)) == trim(body.substr(second));
      body = body.substr(0, second);
    }
  }
  if (owned.empty()) {
    out.text.assign(body);
  } else {
    // Cut the owned text down to the body in place (no second copy).
    const std::size_t offset = static_cast<std::size_t>(body.data() - owned.data());
    const std::size_t length = body.size();
    owned.erase(0, offset);
    owned.resize(length);
    out.text = std::move(owned);
  }
  return out;
}

}  // namespace tzr::battles
