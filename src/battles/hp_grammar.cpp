#include "battles/hp_grammar.hpp"

#include <charconv>
#include <limits>
#include <optional>

namespace tzr::battles {
namespace {

// ASCII digits with an optional leading '-'; overflow is malformed.
std::optional<std::int64_t> strict_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (std::size_t k = i; k < s.size(); ++k)
    if (s[k] < '0' || s[k] > '9') return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::int64_t magnitude(std::int64_t v) {
  if (v == std::numeric_limits<std::int64_t>::min()) return std::numeric_limits<std::int64_t>::max();
  return v < 0 ? -v : v;
}

// CODE INT with CODE = [A-Z]+ (ASCII only: a Cyrillic letter is not a code).
bool split_code(std::string_view s, std::string_view& code, std::int64_t& amount) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= 'A' && s[i] <= 'Z') ++i;
  if (i == 0) return false;
  auto n = strict_int(s.substr(i));
  if (!n) return false;
  code = s.substr(0, i);
  amount = magnitude(*n);
  return true;
}

// The reference's fallback for a string it cannot read: the last run of digits of the last
// ':'-field (no colon: nothing).
std::int64_t last_digits(std::string_view s) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return 0;
  std::string_view tail = s.substr(colon + 1);
  std::size_t end = tail.size();
  while (end > 0 && (tail[end - 1] < '0' || tail[end - 1] > '9')) --end;
  std::size_t begin = end;
  while (begin > 0 && tail[begin - 1] >= '0' && tail[begin - 1] <= '9') --begin;
  if (begin == end) return 0;
  auto v = strict_int(tail.substr(begin, end - begin));
  return v ? *v : 0;
}

std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  return r;
}

}  // namespace

std::int64_t HpHit::heal() const {
  if (form != HpForm::typed) return 0;
  const std::int64_t v = normal + critical + armor_piercing;
  return v < 0 ? magnitude(v) : 0;
}

std::string_view HpHit::category() const {
  switch (form) {
    case HpForm::dot: return "dot";
    case HpForm::extended: return "extended";
    case HpForm::typed:
      if (type_code == 1) return "critical";
      if (type_code == 2) return "piercing";
      return "simple";
    default: return "simple";
  }
}

HpHit parse_hp(std::string_view s) {
  HpHit h;
  const auto c1 = s.find(':');
  if (c1 == std::string_view::npos) {
    if (auto v = strict_int(s)) {
      h.form = HpForm::simple;
      h.normal = h.total = magnitude(*v);  // a bare negative counts as damage (reference)
    }
    h.kill_damage = h.total;
    return h;
  }
  const std::string_view p0 = s.substr(0, c1);
  const std::string_view rest = s.substr(c1 + 1);
  const auto c2 = rest.find(':');
  if (c2 != std::string_view::npos) {
    const std::string_view p1 = rest.substr(0, c2);
    const std::string_view p2 = rest.substr(c2 + 1);
    auto a = strict_int(p0);
    auto n = strict_int(p1);
    std::string_view code;
    std::int64_t amount = 0;
    if (p2.find(':') == std::string_view::npos && a && n && split_code(p2, code, amount)) {
      h.form = HpForm::extended;
      h.armor_piercing = *a;
      h.normal = *n;
      h.status_code = std::string(code);
      h.status_amount = amount;
      h.total = sat_add(*n, amount);
      h.kill_damage = h.total;  // the reference keeps the sign here
      return h;
    }
    h.kill_damage = last_digits(s);
    return h;
  }
  std::string_view code;
  std::int64_t amount = 0;
  auto kind = strict_int(p0);
  if (kind && split_code(rest, code, amount)) {
    h.form = HpForm::dot;
    h.status_code = std::string(code);
    h.status_amount = h.total = amount;
    h.kill_damage = h.total;
    return h;
  }
  auto value = strict_int(rest);
  if (kind && value) {
    h.form = HpForm::typed;
    h.type_code = *kind;
    if (*kind == 1) h.critical = *value;
    else if (*kind == 2) h.armor_piercing = *value;
    else h.normal = *value;
    h.total = *value;
    h.kill_damage = magnitude(h.total);
    return h;
  }
  h.kill_damage = last_digits(s);
  return h;
}

std::string_view status_category(std::string_view code) {
  if (code == "O") return "Poison";
  if (code == "P") return "Paralysis";
  if (code == "N") return "Panic";
  if (code == "H") return "Hallucinations";
  if (code == "Z") return "Zombification";
  return {};
}

}  // namespace tzr::battles
