#include "battles/model.hpp"

#include <algorithm>
#include <array>

namespace tzr::battles {

LootKind loot_kind(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kResources = {
      "Gems", "Metals", "Organic", "Polymers", "Precious metals", "Radioactive materials", "Venom", "Silicon"};
  static constexpr std::array<std::string_view, 19> kParts = {
      "Rat Brain",          "Rat Eyes",           "Rat Fang",        "Rat Skin",        "Stich Blood",
      "Stich Bone Marrow",  "Stich Claw",         "Stich Meat",      "Stich Skin",      "Vzzik Egg Fragments",
      "Vzzik Shell Powder", "Vzzik Wings",        "Cursed Brain",    "Cursed Paw",      "Cursed Skin",
      "Water crystal",      "WitchJelly Acid",    "WitchJelly Bille", "WitchJelly Enzyme"};
  if (std::find(kResources.begin(), kResources.end(), name) != kResources.end()) return LootKind::resource;
  if (std::find(kParts.begin(), kParts.end(), name) != kParts.end()) return LootKind::monster_part;
  return LootKind::other;
}

std::int64_t BattleLog::monsters_cnt() const {
  std::int64_t n = 0;
  for (const auto& m : monsters) n += m.count;
  return n;
}

}  // namespace tzr::battles
