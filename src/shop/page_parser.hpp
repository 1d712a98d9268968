#pragma once
// Parser of the game's shop reply <SH c s p m><O …/>…</SH> (shop.md §1.5). Pure, no I/O.
// Page-level failures are errors; a bad value inside one <O> drops that item only (as the
// reference does), and the rest of the page survives.
#include "core/error.hpp"
#include "shop/shop_item.hpp"

#include <cstddef>
#include <string_view>

namespace tzr::shop {

struct PageLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;  // one reply
  std::size_t max_elements = 20'000;        // <O> rows on one page
};

// Error codes (ErrorKind::bad_request): "shop_page_too_large", "shop_page_malformed" (not one
// well-formed XML element, NUL inside, duplicate attribute), "shop_page_not_sh" (root is not
// SH), "shop_page_bad_root" (p or m not an integer).
Result<ShopPage> parse_page(std::string_view xml, PageLimits limits = {});

// The attribute sub-grammars. Parts that do not match are skipped; requirements and bonuses
// fail (nullopt) when a known key has a non-integer value, which drops the whole item.
std::vector<DamageRange> parse_ranges(std::string_view text);
std::vector<AttackMode> parse_attack_modes(std::string_view text);
std::optional<Requirements> parse_requirements(std::string_view text);
std::optional<std::map<std::string, std::int64_t>> parse_bonuses(std::string_view text);

// Python-compatible number reading (surrounding whitespace, a sign); nullopt when not a number.
std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<double> parse_float(std::string_view text);

}  // namespace tzr::shop
