#include "shop/shop_item.hpp"

#include "core/time_format.hpp"

#include <boost/json/array.hpp>

#include <cstdio>

namespace tzr::shop {

std::optional<std::string> ShopItem::reference_owner() const {
  if (owner) return owner;
  if (infinty) return std::string("admin");
  return std::nullopt;
}

namespace {
template <class T>
boost::json::value opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  return boost::json::value(*v);
}

boost::json::array ranges(const std::vector<DamageRange>& rs) {
  boost::json::array a;
  for (const auto& r : rs) a.push_back({{"type", std::string(1, r.type)}, {"min", r.min}, {"max", r.max}});
  return a;
}
}  // namespace

boost::json::object to_json(const ShopItem& item) {
  boost::json::object o;
  o["id"] = item.id;
  o["txt"] = item.txt;
  o["name"] = item.name;
  o["type"] = item.type;
  o["price"] = opt(item.price);
  o["quality"] = opt(item.quality);
  o["max_quality"] = opt(item.max_quality);
  o["weight"] = opt(item.weight);
  o["count"] = opt(item.count);
  o["max_count"] = opt(item.max_count);
  o["damage"] = ranges(item.damage);
  o["protection"] = ranges(item.protection);
  o["caliber"] = opt(item.caliber);
  o["range"] = opt(item.range);
  o["grouping"] = opt(item.grouping);
  o["piercing"] = opt(item.piercing);
  o["reload_od"] = opt(item.reload_od);
  boost::json::array modes;
  for (const auto& m : item.attack_modes) modes.push_back({{"mode", m.mode}, {"od", m.od}});
  o["attack_modes"] = std::move(modes);
  o["skill"] = opt(item.skill);
  o["slots"] = opt(item.slots);
  o["equip_od"] = opt(item.equip_od);
  if (item.requirements) {
    const auto& r = *item.requirements;
    o["requirements"] = boost::json::object{{"level", opt(r.level)},
                                            {"strength", opt(r.strength)},
                                            {"dexterity", opt(r.dexterity)},
                                            {"accuracy", opt(r.accuracy)},
                                            {"intuition", opt(r.intuition)},
                                            {"intelligence", opt(r.intelligence)},
                                            {"endurance", opt(r.endurance)},
                                            {"gender", r.gender ? boost::json::value(std::string(1, *r.gender)) : nullptr}};
  } else {
    o["requirements"] = nullptr;
  }
  if (item.bonuses) {
    boost::json::object b;
    for (const auto& [k, v] : *item.bonuses) b[k] = v;
    o["bonuses"] = std::move(b);
  } else {
    o["bonuses"] = nullptr;
  }
  if (item.build_in) {
    boost::json::array b;
    for (const auto& s : *item.build_in) b.push_back(boost::json::value(s));
    o["build_in"] = std::move(b);
  } else {
    o["build_in"] = nullptr;
  }
  o["infinty"] = item.infinty;
  o["owner"] = opt(item.owner);
  o["section"] = opt(item.section);
  o["added_at"] = item.put_day ? boost::json::value(iso_utc(*item.put_day)) : nullptr;
  boost::json::object raw;
  for (const auto& [k, v] : item.raw_attributes) raw[k] = v;
  o["raw_attributes"] = std::move(raw);
  return o;
}

}  // namespace tzr::shop
