#include "shop/page_parser.hpp"

#include <pugixml.hpp>

#include <charconv>
#include <cmath>
#include <set>

namespace tzr::shop {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads "<digits>-<digits>" at the start of s (the rest is ignored, as the reference's prefix
// match does).
bool leading_pair(std::string_view s, std::int64_t& a, std::int64_t& b) {
  auto read = [&](std::int64_t& out) {
    std::size_t n = 0;
    while (n < s.size() && is_digit(s[n])) ++n;
    if (n == 0) return false;
    auto r = std::from_chars(s.data(), s.data() + n, out);
    if (r.ec != std::errc()) return false;
    s.remove_prefix(n);
    return true;
  };
  if (!read(a)) return false;
  if (s.empty() || s.front() != '-') return false;
  s.remove_prefix(1);
  return read(b);
}

template <class F>
void for_each_part(std::string_view text, F&& f) {
  for (;;) {
    auto comma = text.find(',');
    f(strip(text.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    text.remove_prefix(comma + 1);
  }
}

std::string sanitize_utf8(std::string_view in) {
  // Invalid bytes become U+FFFD, one per byte (the reference decodes with errors="replace").
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    if (ok && len > 1) {
      std::uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3F);
      const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
      ok = cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// One item; nullopt drops it (a bad number anywhere, as in the reference).
std::optional<ShopItem> read_item(const pugi::xml_node& o) {
  ShopItem item;
  bool bad = false;
  auto attr = [&](const char* name) -> std::optional<std::string_view> {
    auto a = o.attribute(name);
    if (!a) return std::nullopt;
    return std::string_view(a.value());
  };
  auto int_attr = [&](const char* name) -> std::optional<std::int64_t> {
    auto v = attr(name);
    if (!v) return std::nullopt;
    auto n = parse_int(*v);
    if (!n) bad = true;
    return n;
  };
  auto float_attr = [&](const char* name) -> std::optional<double> {
    auto v = attr(name);
    if (!v) return std::nullopt;
    auto n = parse_float(*v);
    if (!n) bad = true;
    return n;
  };
  auto id = int_attr("id");
  if (!id) return std::nullopt;
  item.id = *id;
  if (auto v = attr("txt")) item.txt = std::string(*v);
  if (auto v = attr("name")) item.name = std::string(*v);
  if (auto v = attr("type")) item.type = std::string(*v);
  item.price = float_attr("cost");
  item.quality = int_attr("quality");
  item.max_quality = int_attr("maxquality");
  item.weight = float_attr("massa");
  if (auto v = attr("damage")) item.damage = parse_ranges(*v);
  if (auto v = attr("protect")) item.protection = parse_ranges(*v);
  if (auto v = attr("calibre")) item.caliber = std::string(*v);
  item.range = int_attr("range");
  item.grouping = int_attr("grouping");
  if (auto p = int_attr("piercing")) item.piercing = static_cast<double>(*p) / 100.0;
  item.max_count = int_attr("max_count");
  item.count = int_attr("count");
  item.reload_od = int_attr("rOD");
  item.skill = int_attr("nskill");
  if (auto v = attr("shot")) item.attack_modes = parse_attack_modes(*v);
  if (auto v = attr("st")) item.slots = std::string(*v);
  item.equip_od = int_attr("OD");
  if (auto v = attr("min")) {
    item.requirements = parse_requirements(*v);
    if (!item.requirements) bad = true;
  }
  if (auto v = attr("up")) {
    item.bonuses = parse_bonuses(*v);
    if (!item.bonuses) bad = true;
  }
  if (auto v = attr("build_in")) {
    std::vector<std::string> parts;
    for (;;) {
      auto comma = v->find(',');
      parts.emplace_back(v->substr(0, comma));
      if (comma == std::string_view::npos) break;
      v->remove_prefix(comma + 1);
    }
    item.build_in = std::move(parts);
  }
  item.infinty = attr("infinty") == std::optional<std::string_view>("1");
  if (auto v = attr("owner")) item.owner = std::string(*v);
  item.section = int_attr("section");
  item.put_day = int_attr("put_day");
  if (bad) return std::nullopt;
  for (auto a : o.attributes()) item.raw_attributes.emplace_back(a.name(), a.value());
  return item;
}

}  // namespace

std::optional<std::int64_t> parse_int(std::string_view text) {
  auto s = strip(text);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  // Python also allows single underscores between digits.
  std::string digits;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_digit(s[i])) digits += s[i];
    else if (s[i] == '_' && i > 0 && i + 1 < s.size() && is_digit(s[i - 1]) && is_digit(s[i + 1])) continue;
    else return std::nullopt;
  }
  if (negative) digits.insert(digits.begin(), '-');
  std::int64_t v = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_float(std::string_view text) {
  auto s = strip(text);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  if (!std::isfinite(v)) return std::nullopt;  // a price or weight of inf/nan is no price
  return v;
}

std::vector<DamageRange> parse_ranges(std::string_view text) {
  std::vector<DamageRange> out;
  for_each_part(text, [&](std::string_view part) {
    if (part.size() < 4 || part[0] < 'A' || part[0] > 'Z') return;
    DamageRange r;
    r.type = part[0];
    if (leading_pair(part.substr(1), r.min, r.max)) out.push_back(r);
  });
  return out;
}

std::vector<AttackMode> parse_attack_modes(std::string_view text) {
  std::vector<AttackMode> out;
  for_each_part(text, [&](std::string_view part) {
    AttackMode m;
    if (leading_pair(part, m.mode, m.od)) out.push_back(m);
  });
  return out;
}

std::optional<Requirements> parse_requirements(std::string_view text) {
  Requirements r;
  bool bad = false;
  for_each_part(text, [&](std::string_view part) {
    if (auto eq = part.find('='); eq != std::string_view::npos) {
      const auto key = strip(part.substr(0, eq));
      std::optional<std::int64_t>* slot = key == "level"   ? &r.level
                                          : key == "str"   ? &r.strength
                                          : key == "dex"   ? &r.dexterity
                                          : key == "acc"   ? &r.accuracy
                                          : key == "int"   ? &r.intuition
                                          : key == "intel" ? &r.intelligence
                                          : key == "pow"   ? &r.endurance
                                                           : nullptr;
      if (!slot) return;
      auto v = parse_int(part.substr(eq + 1));
      if (!v) bad = true;
      *slot = v;
    } else if (auto bang = part.find('!'); bang != std::string_view::npos) {
      if (strip(part.substr(0, bang)) == "man") r.gender = strip(part.substr(bang + 1)) == "1" ? 'M' : 'F';
    }
  });
  if (bad) return std::nullopt;
  return r;
}

std::optional<std::map<std::string, std::int64_t>> parse_bonuses(std::string_view text) {
  std::map<std::string, std::int64_t> out;
  bool bad = false;
  for_each_part(text, [&](std::string_view part) {
    auto eq = part.find('=');
    if (eq == std::string_view::npos) return;
    auto v = parse_int(part.substr(eq + 1));
    if (!v) bad = true;
    else out[std::string(strip(part.substr(0, eq)))] = *v;
  });
  if (bad) return std::nullopt;
  return out;
}

Result<ShopPage> parse_page(std::string_view xml, PageLimits limits) {
  if (xml.size() > limits.max_bytes)
    return Error::bad_request("shop page of " + std::to_string(xml.size()) + " bytes exceeds the limit", "shop_page_too_large");
  if (xml.find('\0') != std::string_view::npos) return Error::bad_request("NUL byte inside a shop page", "shop_page_malformed");
  const std::string text = sanitize_utf8(xml);
  pugi::xml_document doc;
  auto parsed = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return Error::bad_request(std::string("shop page is not XML: ") + parsed.description(), "shop_page_malformed");
  pugi::xml_node root;
  for (auto node : doc.children()) {
    if (node.type() == pugi::node_element) {
      if (root) return Error::bad_request("shop page has more than one root element", "shop_page_malformed");
      root = node;
    } else if (node.type() != pugi::node_declaration && node.type() != pugi::node_comment) {
      return Error::bad_request("shop page has content outside its root element", "shop_page_malformed");
    }
  }
  if (!root) return Error::bad_request("shop page has no root element", "shop_page_malformed");
  if (std::string_view(root.name()) != "SH")
    return Error::bad_request(std::string("reply is <") + root.name() + ">, not <SH>", "shop_page_not_sh");
  ShopPage page;
  page.category = root.attribute("c").value();
  page.filter = root.attribute("s").value();
  for (auto [name, slot] : {std::pair{"p", &page.page}, std::pair{"m", &page.m}}) {
    auto a = root.attribute(name);
    if (!a) continue;
    auto v = parse_int(a.value());
    if (!v) return Error::bad_request(std::string("root attribute ") + name + " is not an integer", "shop_page_bad_root");
    *slot = *v;
  }
  // Duplicate attributes make XML malformed; pugixml itself accepts them.
  std::set<std::string_view> names;
  auto unique_attributes = [&names](const pugi::xml_node& n) {
    names.clear();
    for (auto a : n.attributes())
      if (!names.insert(a.name()).second) return false;
    return true;
  };
  if (!unique_attributes(root)) return Error::bad_request("duplicate attribute on <SH>", "shop_page_malformed");
  // Iterative walk over the whole tree (deep nesting must not exhaust the stack).
  for (auto node = root.first_child(); node && node != root;) {
    if (node.type() == pugi::node_element && !unique_attributes(node))
      return Error::bad_request(std::string("duplicate attribute on <") + node.name() + ">", "shop_page_malformed");
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node != root && !node.next_sibling()) node = node.parent();
    if (node != root) node = node.next_sibling();
  }
  std::size_t rows = 0;
  for (auto o : root.children()) {
    if (o.type() != pugi::node_element) continue;
    if (std::string_view(o.name()) != "O") continue;
    if (++rows > limits.max_elements)
      return Error::bad_request("shop page has more than " + std::to_string(limits.max_elements) + " rows", "shop_page_too_large");
    if (o.attribute("id")) {
      if (auto item = read_item(o)) page.items.push_back(std::move(*item));
    } else if (o.attribute("count")) {
      page.has_groups = true;
      auto count = parse_int(o.attribute("count").value());
      if (!count) continue;  // unreadable group row: skipped, the others still count
      page.groups.push_back(ShopGroup{o.attribute("txt").value(), o.attribute("name").value(), o.attribute("type").value(), *count});
    }
  }
  return page;
}

}  // namespace tzr::shop
