#pragma once
// The shop's fixed vocabulary: the 27 category codes in crawl order (shop.md §2.1) and the
// default shops (§2.2). Category "1" is the bot's own inventory, not shop stock: it is listed
// for /categories/list but not crawled by default.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::shop {

struct Category {
  std::string_view code;
  std::string_view name;   // the API string (Russian), as the reference serves it
  std::string_view group;
  std::string_view english;
};

const std::vector<Category>& categories();  // 27, in crawl order
const Category* find_category(std::string_view code);
// The codes crawled by default: every category except "1".
std::vector<std::string> default_crawl_categories();

struct ShopDefinition {
  std::string code;       // moscow
  std::string name;       // Moscow
  std::string bot_login;  // Sova Moscow
};

// "code:Name:Bot Login" (name and login optional) → definition; nullopt when the code is empty
// or not [a-z0-9_-]{1,32}.
std::optional<ShopDefinition> parse_shop_definition(std::string_view text);
// The default shops: moscow, oasis, neva with the "Sova <Name>" bot accounts.
std::vector<ShopDefinition> default_shops();

}  // namespace tzr::shop
