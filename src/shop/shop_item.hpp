#pragma once
// One <O> element of a shop page, every attribute kept (shop.md §1.5), plus the group rows that
// must be opened with a filter.
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tzr::shop {

struct DamageRange {  // damage / protect component: letter + min-max
  char type = 0;
  std::int64_t min = 0;
  std::int64_t max = 0;
};

struct AttackMode {  // shot: mode-AP
  std::int64_t mode = 0;
  std::int64_t od = 0;
};

struct Requirements {  // min="level=6,str=14,...,man!1"
  std::optional<std::int64_t> level, strength, dexterity, accuracy, intuition, intelligence, endurance;
  std::optional<char> gender;  // 'M' / 'F'
};

struct ShopItem {
  std::int64_t id = 0;
  std::string txt;
  std::string name;  // template code (b2-k6); "" when absent
  std::string type;  // template type (1.13); "" when absent
  std::optional<double> price;
  std::optional<std::int64_t> quality, max_quality;
  std::optional<double> weight;
  std::vector<DamageRange> damage, protection;
  std::optional<std::string> caliber;
  std::optional<std::int64_t> range, grouping;
  std::optional<double> piercing;  // percent (wire value / 100)
  std::optional<std::int64_t> max_count;  // magazine capacity
  std::optional<std::int64_t> count;      // stack quantity (ammo, energy modules)
  std::optional<std::int64_t> reload_od, skill, equip_od, section;
  std::vector<AttackMode> attack_modes;
  std::optional<std::string> slots;
  std::optional<Requirements> requirements;
  std::optional<std::map<std::string, std::int64_t>> bonuses;
  std::optional<std::vector<std::string>> build_in;
  bool infinty = false;               // infinite NPC stock
  std::optional<std::string> owner;   // the seller as sent; NPC stock has none
  std::optional<std::int64_t> put_day;  // listing time, Unix seconds
  std::vector<std::pair<std::string, std::string>> raw_attributes;  // every attribute, in order

  bool is_stack() const { return count.has_value(); }
  // The reference's `max_count` (capacity, else stack quantity) and `owner` ("admin" for NPC stock).
  std::optional<std::int64_t> reference_max_count() const { return max_count ? max_count : count; }
  std::optional<std::string> reference_owner() const;
};

struct ShopGroup {  // a collapsed list: open with filter "name:<name>,type:<type>"
  std::string txt;
  std::string name;
  std::string type;
  std::int64_t count = 0;
  std::string filter() const { return "name:" + name + ",type:" + type; }
};

struct ShopPage {
  std::string category;  // root c
  std::string filter;    // root s
  std::int64_t page = 0; // root p
  std::int64_t m = 0;    // root m (meaning unknown, kept)
  std::vector<ShopItem> items;
  std::vector<ShopGroup> groups;
  bool has_groups = false;  // true when any group row was present, even an unreadable one
};

// Every field, for the API and the golden tests. put_day as UTC ISO text ("…Z").
boost::json::object to_json(const ShopItem& item);

}  // namespace tzr::shop
