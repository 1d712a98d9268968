#pragma once
// The HP damage string of an attack (`<a t="5" HP="…"/>`, battles.md §1.10 and §8 item 6).
// Values follow the reference's parse_damage_detailed exactly (the conformance file
// battle_hp_grammar.json checks them); integers are ASCII digits with an optional '-', nothing
// else (battles.md §1.10 C++ decision), so a string with Python int() leniencies is malformed.
#include <cstdint>
#include <string>
#include <string_view>

namespace tzr::battles {

enum class HpForm { malformed, simple, typed, dot, extended };

struct HpHit {
  HpForm form = HpForm::malformed;
  std::int64_t armor_piercing = 0;
  std::int64_t normal = 0;
  std::int64_t critical = 0;
  std::string status_code;        // "A", "N", …; empty when none
  std::int64_t status_amount = 0; // always >= 0 (the sign of a DoT tick is not significant)
  std::int64_t total = 0;         // the reference's total_damage (may be negative)
  std::int64_t type_code = 0;     // the first field of a typed string (1 critical, 2 piercing)

  // What the reference's parse_damage adds to a kill's damage for this hit (battles.md §2.3.4).
  std::int64_t kill_damage = 0;

  // A healing hit: a typed value below zero ("0:-52", "1:-20"); the reference drops it.
  std::int64_t heal() const;
  // The reference's "category" word: simple, critical, piercing, dot, extended.
  std::string_view category() const;
};

HpHit parse_hp(std::string_view text);

// The damage categories the reference reports for a status code (battles.md §2.3.3), or empty.
std::string_view status_category(std::string_view code);

}  // namespace tzr::battles
