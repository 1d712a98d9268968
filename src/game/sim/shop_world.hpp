#pragma once
// The simulator's shops: a deterministic inventory per shop (seeded), served through the real
// SH protocol with pages of 50, groups opened by filter (pages of 8), and the server's habit of
// repeating its last page past the end. advance() moves the world on one step (items sold,
// added, repriced, stacks partly sold) and reports exactly what changed, so tests and the demo
// know which diff a pair of snapshots must show. Faults can be set per category.
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace tzr::game::sim {

struct SimShopItem {
  std::int64_t id = 0;
  std::string category;
  std::string name, type, txt;
  std::int64_t price_cents = 0;
  std::optional<std::int64_t> count;  // stacks
  std::optional<std::string> owner;   // player-listed goods; NPC stock has infinty="1"
  int quality = 0, max_quality = 0;
  std::string caliber;
  std::int64_t put_day = 0;
  bool grouped = false;  // shown collapsed in a group row (name, type)
};

struct SimShopChanges {
  int generation = 0;
  std::vector<std::int64_t> added, removed;
  struct Change { std::int64_t id; std::int64_t old_value; std::int64_t new_value; };
  std::vector<Change> price_changed;  // cents
  std::vector<Change> count_changed;
};

struct SimShopOptions {
  std::uint64_t seed = 1;
  int items_per_category = 12;  // average; some categories get more than one page
  int page_size = 50;
  int group_page_size = 8;
};

// A category fault: requests for `category` at page >= from_page answer as `mode` says:
//   drop   the connection closes without a reply
//   error  <ERROR msg="…"/>
//   silent no reply at all
// times < 0: always; otherwise only the next `times` matching requests.
struct SimShopFault {
  std::string category;
  std::int64_t from_page = 0;
  std::string mode = "drop";
  int times = -1;
};

class SimShops {
 public:
  explicit SimShops(SimShopOptions options = {});

  // Who stands in which shop: "Sova Moscow" → moscow, … (defaults for moscow, oasis, neva).
  void place_bot(const std::string& login, const std::string& shop);
  std::vector<std::string> bot_logins() const;
  std::optional<std::string> shop_of(const std::string& login) const;  // case-insensitive ASCII

  enum class Action { reply, drop, silent };
  struct Answer {
    Action action = Action::reply;
    std::string reply;  // without NUL
  };
  Answer answer(const std::string& login, const std::string& category, const std::string& filter, std::int64_t page);

  SimShopChanges advance();  // every shop one step; returns the changes of all shops
  SimShopChanges last_changes() const;
  int generation() const;

  void set_fault(SimShopFault fault);
  void clear_faults();

  std::vector<SimShopItem> inventory(const std::string& shop) const;
  std::vector<std::string> shops() const;
  boost::json::object to_json(const SimShopChanges& changes) const;

 private:
  struct Shop {
    std::string code;
    std::vector<SimShopItem> items;  // ordered by category crawl order, then id
  };
  void populate(Shop& shop, int index);
  SimShopItem make_item(Shop& shop, const std::string& category, bool grouped);
  void step(Shop& shop, SimShopChanges& changes);
  std::string render_listing(const Shop& shop, const std::string& category, const std::string& filter, std::int64_t page) const;

  mutable std::mutex mu_;
  SimShopOptions options_;
  std::mt19937_64 rng_;
  std::map<std::string, Shop> shops_;
  std::map<std::string, std::string> bots_;  // folded login → shop
  std::int64_t next_id_ = 81'000'000;
  int generation_ = 0;
  SimShopChanges last_;
  std::vector<SimShopFault> faults_;
};

}  // namespace tzr::game::sim
