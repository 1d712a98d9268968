#include "battles/gzip.hpp"
#include "battles/parser.hpp"
#include "core/utf8.hpp"
#include "crypto/hash.hpp"

#include <algorithm>

namespace tzr::battles {
namespace {

// Position of the next `<NAME` start tag (followed by whitespace, '>' or '/').
std::size_t find_tag(std::string_view s, std::string_view open, std::size_t from) {
  while (true) {
    auto p = s.find(open, from);
    if (p == std::string_view::npos) return p;
    const std::size_t after = p + open.size();
    if (after >= s.size()) return std::string_view::npos;
    const char c = s[after];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '>' || c == '/') return p;
    from = after;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

CanonicalText canonical_text(std::string_view raw, std::size_t max_text_bytes) {
  CanonicalText out;
  if (raw.empty()) {
    out.error = "empty_input";
    out.message = "the log is empty";
    return out;
  }
  std::string text;
  if (looks_gzip(raw)) {
    auto plain = gunzip(raw, max_text_bytes);
    if (!plain) {
      out.error = plain.error().code;
      out.message = plain.error().message;
      return out;
    }
    text = std::move(*plain);
    out.compressed = true;
  } else {
    if (raw.size() > max_text_bytes) {
      out.error = "too_large";
      out.message = "log is larger than " + std::to_string(max_text_bytes) + " bytes";
      return out;
    }
    text.assign(raw);
  }
  out.content_sha256 = crypto::sha256_hex(text);
  // The game frames messages with NUL; 0x1F appears in socket captures (battles.md §1.1).
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '\0' || c == '\x1f'; }), text.end());
  if (!utf8::valid(text)) {
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
      const auto close = body.find("</BLOOK>", gt + 1);
      if (close == std::string_view::npos) out.unterminated_wrapper = true;
      body = body.substr(gt + 1, close == std::string_view::npos ? std::string_view::npos : close - gt - 1);
    }
  }
  if (auto first = find_tag(body, "<BATTLE", 0); first != std::string_view::npos) {
    if (auto second = find_tag(body, "<BATTLE", first + 7); second != std::string_view::npos) {
      out.duplicated = true;
      out.duplicate_identical = trim(body.substr(first, second - first)) == trim(body.substr(second));
      body = body.substr(0, second);
    }
  }
  out.text.assign(body);
  return out;
}

}  // namespace tzr::battles
