#include "shop/catalog.hpp"

#include <algorithm>

namespace tzr::shop {

const std::vector<Category>& categories() {
  static const std::vector<Category> all = {
      {"k", "Холодное оружие", "Оружие", "melee weapons"},
      {"p", "Пистолеты", "Оружие", "pistols"},
      {"v", "Винтовки/автоматы", "Оружие", "rifles / assault rifles"},
      {"w", "Тяжёлое оружие", "Оружие", "heavy weapons"},
      {"e", "Энергетическое", "Оружие", "energy weapons"},
      {"x", "Биологическое", "Оружие", "bio weapons"},
      {"g", "Метательное", "Оружие", "throwing"},
      {"m", "Боевые устройства", "Оружие", "combat devices"},
      {"a", "Патроны", "Оружие", "ammunition"},
      {"i", "Энергомодули", "Оружие", "energy modules"},
      {"h", "Каски/береты", "Одежда", "helmets / berets"},
      {"c", "Куртки/бронежилеты", "Одежда", "jackets / body armour"},
      {"l", "Нарукавники", "Одежда", "arm guards"},
      {"t", "Брюки", "Одежда", "trousers"},
      {"b", "Обувь", "Одежда", "boots"},
      {"f", "Гражданская одежда", "Одежда", "civilian clothes"},
      {"q", "Комплекты брони", "Одежда", "armour sets"},
      {"u", "Встройки", "Прочее", "built-in mods"},
      {"n", "Улучшение", "Прочее", "upgrades"},
      {"j", "Оборудование", "Прочее", "equipment"},
      {"d", "Медицина", "Прочее", "medicine"},
      {"s", "Ресурсы", "Прочее", "resources"},
      {"y", "Крафт-реагенты", "Прочее", "crafting reagents"},
      {"r", "Документы", "Прочее", "documents"},
      {"z", "Прочее", "Прочее", "misc"},
      {"0", "Импланты", "Прочее", "implants"},
      {"1", "Мои вещи", "Персональное", "my items"},
  };
  return all;
}

const Category* find_category(std::string_view code) {
  const auto& all = categories();
  auto it = std::find_if(all.begin(), all.end(), [&](const Category& c) { return c.code == code; });
  return it == all.end() ? nullptr : &*it;
}

std::vector<std::string> default_crawl_categories() {
  std::vector<std::string> out;
  for (const auto& c : categories())
    if (c.code != "1") out.emplace_back(c.code);
  return out;
}

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

std::optional<ShopDefinition> parse_shop_definition(std::string_view text) {
  auto colon = text.find(':');
  const auto code = trim(text.substr(0, colon));
  std::string_view name, login;
  if (colon != std::string_view::npos) {
    auto rest = text.substr(colon + 1);
    auto second = rest.find(':');
    name = trim(rest.substr(0, second));
    if (second != std::string_view::npos) login = trim(rest.substr(second + 1));  // a login may hold ':'
  }
  if (code.empty() || code.size() > 32) return std::nullopt;
  for (char c : code)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return std::nullopt;
  ShopDefinition d;
  d.code = std::string(code);
  d.name = name.empty() ? d.code : std::string(name);
  d.bot_login = login.empty() ? "Sova " + d.name : std::string(login);
  return d;
}

std::vector<ShopDefinition> default_shops() {
  return {{"moscow", "Moscow", "Sova Moscow"}, {"oasis", "Oasis", "Sova Oasis"}, {"neva", "Neva", "Sova Neva"}};
}

}  // namespace tzr::shop
