#include "battles/raw_http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tzr::battles {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::uint64_t> digits(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view opaque(std::string_view tag) {
  tag = trim(tag);
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

}  // namespace

bool accepts_gzip(std::optional<std::string_view> accept_encoding) {
  if (!accept_encoding) return false;
  std::string v(*accept_encoding);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t start = 0; start <= v.size();) {
    const auto comma = std::min(v.find(',', start), v.size());
    std::string_view item = trim(std::string_view(v).substr(start, comma - start));
    start = comma + 1;
    const auto semi = item.find(';');
    if (trim(item.substr(0, semi)) != "gzip") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view param = trim(item.substr(semi + 1));
    if (param.substr(0, 2) != "q=") return true;
    param.remove_prefix(2);
    // q=0, q=0.0, q=0.000 refuse; anything with a non-zero digit accepts.
    return param.find_first_of("123456789") != std::string_view::npos;
  }
  return false;
}

std::string raw_etag(std::string_view sha, bool gzip) { return "\"" + std::string(sha) + (gzip ? "-gzip\"" : "\""); }

bool if_none_match_hits(std::string_view header, std::string_view etag) {
  if (trim(header) == "*") return true;
  for (std::size_t start = 0; start <= header.size();) {
    const auto comma = std::min(header.find(',', start), header.size());
    if (opaque(header.substr(start, comma - start)) == opaque(etag)) return true;
    start = comma + 1;
  }
  return false;
}

RangeRequest parse_range(std::string_view header, std::uint64_t size) {
  header = trim(header);
  if (header.size() < 6) return {};
  std::string unit(header.substr(0, 6));
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit != "bytes=") return {};
  const std::string_view spec = trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return {};  // several ranges: the whole body
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return {};
  const auto first = trim(spec.substr(0, dash)), last = trim(spec.substr(dash + 1));
  RangeRequest out;
  if (first.empty()) {  // suffix: the last n bytes
    auto n = digits(last);
    if (!n) return {};
    if (*n == 0 || size == 0) return {RangeKind::unsatisfiable, {}};
    out.range = {size - std::min(*n, size), size - 1};
  } else {
    auto a = digits(first);
    if (!a) return {};
    std::optional<std::uint64_t> b;
    if (!last.empty()) {
      b = digits(last);
      if (!b || *b < *a) return {};
    }
    if (*a >= size) return {RangeKind::unsatisfiable, {}};
    out.range = {*a, b ? std::min(*b, size - 1) : size - 1};
  }
  out.kind = RangeKind::satisfiable;
  return out;
}

bool if_range_allows(std::optional<std::string_view> if_range, std::string_view etag) {
  if (!if_range) return true;
  const auto tag = trim(*if_range);
  return !tag.empty() && tag.front() == '"' && tag == etag;
}

}  // namespace tzr::battles
