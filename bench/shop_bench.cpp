// Shop benchmarks: parsing and storing a full synthetic shop (27 categories, ~50k items, pages
// rendered by the game simulator's shop world), and the diff of two 100k-item snapshots on
// SQLite (load both snapshots' observations + compare). Run: build/default/bench/tzr_bench --benchmark_filter=Shop
#include "game/sim/shop_world.hpp"
#include "shop/migrations.hpp"
#include "shop/page_parser.hpp"
#include "shop/shop_store.hpp"
#include "storage/migrations.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

using namespace tzr;

namespace {

constexpr std::string_view kCodes = "kpvwexgmaihcltbfqunjdsyrz0";

// Every page of every category of a simulated shop with about `per_category` goods each.
std::vector<std::string> full_shop_pages(int per_category) {
  game::sim::SimShopOptions o;
  o.items_per_category = per_category;
  game::sim::SimShops shops(o);
  std::vector<std::string> pages;
  for (char c : kCodes) {
    const std::string category(1, c);
    std::string last_first_id;
    for (std::int64_t p = 0;; ++p) {
      auto answer = shops.answer("Sova Moscow", category, "", p);
      auto parsed = shop::parse_page(answer.reply);
      if (!parsed || parsed->items.empty()) break;
      const auto first = std::to_string(parsed->items.front().id);
      if (first == last_first_id) break;  // the repeated last page
      last_first_id = first;
      pages.push_back(std::move(answer.reply));
    }
  }
  return pages;
}

std::string temp_db_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("tzr-shop-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto file = dir / name;
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + "-wal");
  std::filesystem::remove(file.string() + "-shm");
  return file.string();
}

std::unique_ptr<storage::Database> open_store_db(const std::string& name) {
  auto db = storage::open_database("sqlite://" + temp_db_path(name));
  if (!db) throw std::runtime_error(db.error().message);
  if (!storage::migrate(**db, shop::migrations())) throw std::runtime_error("migrate");
  return std::move(*db);
}

shop::SnapshotData snapshot_of(const std::vector<std::string>& pages) {
  shop::SnapshotData data;
  data.shop = "moscow";
  data.started_by = "bench";
  for (const auto& xml : pages) {
    auto page = shop::parse_page(xml);
    for (auto& item : page->items) data.items.push_back({page->category, std::move(item)});
  }
  for (char c : kCodes) {
    shop::CategoryResult r;
    r.category = std::string(1, c);
    data.categories.push_back(r);
  }
  return data;
}

void BM_ShopParseFullShop(benchmark::State& state) {
  static const auto pages = full_shop_pages(2300);
  std::size_t items = 0, bytes = 0;
  for (auto _ : state) {
    items = 0;
    for (const auto& xml : pages) {
      auto page = shop::parse_page(xml);
      items += page->items.size();
      bytes += xml.size();
    }
    benchmark::DoNotOptimize(items);
  }
  state.counters["items"] = static_cast<double>(items);
  state.counters["pages"] = static_cast<double>(pages.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_ShopParseFullShop)->Unit(benchmark::kMillisecond);

void BM_ShopStoreFullShop(benchmark::State& state) {
  static const auto pages = full_shop_pages(2300);
  const auto data = snapshot_of(pages);
  auto db = open_store_db("store.db");
  shop::SqlShopStore store(*db);
  if (!store.ensure_shop({"moscow", "Moscow", "Sova Moscow"})) state.SkipWithError("ensure_shop");
  for (auto _ : state) {
    auto saved = store.save_snapshot(data);  // the second and later runs also diff against the previous
    if (!saved) state.SkipWithError(saved.error().message.c_str());
  }
  state.counters["items"] = static_cast<double>(data.items.size());
}
BENCHMARK(BM_ShopStoreFullShop)->Unit(benchmark::kMillisecond)->Iterations(3);

// Two 100k-item snapshots: 5 % sold, 3 % new, 2 % repriced, 1 % stacks partly sold.
struct TwoSnapshots {
  std::unique_ptr<storage::Database> db;
  std::int64_t first = 0, second = 0;
  std::vector<shop::ItemState> a, b;
};

TwoSnapshots& two_snapshots() {
  static TwoSnapshots t = [] {
    TwoSnapshots s;
    s.db = open_store_db("diff.db");
    shop::SqlShopStore store(*s.db);
    (void)store.ensure_shop({"moscow", "Moscow", "Sova Moscow"});
    std::mt19937_64 rng(7);
    shop::SnapshotData one, two;
    one.shop = two.shop = "moscow";
    for (char c : kCodes) {
      shop::CategoryResult r;
      r.category = std::string(1, c);
      one.categories.push_back(r);
      two.categories.push_back(r);
    }
    std::int64_t next_id = 90'000'000;
    for (int i = 0; i < 100'000; ++i) {
      shop::ShopItem it;
      it.id = next_id++;
      it.txt = "Item " + std::to_string(i);
      it.name = "b" + std::to_string(i % 500);
      it.type = "1." + std::to_string(i % 7);
      it.price = static_cast<double>(rng() % 100'000) / 100.0;
      if (i % 10 == 0) it.count = static_cast<std::int64_t>(rng() % 250) + 2;
      const std::string category(1, kCodes[static_cast<std::size_t>(i) % kCodes.size()]);
      one.items.push_back({category, it});
      const auto roll = rng() % 100;
      if (roll < 5) continue;  // sold
      if (roll < 7) it.price = *it.price + 1.0;
      if (roll == 7 && it.count) it.count = *it.count - 1;
      two.items.push_back({category, it});
    }
    for (int i = 0; i < 3000; ++i) {
      shop::ShopItem it;
      it.id = next_id++;
      it.txt = "New " + std::to_string(i);
      it.price = 10.0;
      two.items.push_back({"k", it});
    }
    s.first = store.save_snapshot(one)->id;
    s.second = store.save_snapshot(two)->id;
    for (const auto& [cat, it] : one.items) s.a.push_back({it.id, cat, shop::to_cents(it.price), it.count, it.quality, it.owner, it.txt});
    for (const auto& [cat, it] : two.items) s.b.push_back({it.id, cat, shop::to_cents(it.price), it.count, it.quality, it.owner, it.txt});
    return s;
  }();
  return t;
}

void BM_ShopDiff100kSqlite(benchmark::State& state) {
  auto& t = two_snapshots();
  shop::SqlShopStore store(*t.db);
  std::size_t changes = 0;
  for (auto _ : state) {
    auto diff = store.diff(t.first, t.second);
    if (!diff) state.SkipWithError(diff.error().message.c_str());
    changes = diff->size();
  }
  state.counters["changes"] = static_cast<double>(changes);
}
BENCHMARK(BM_ShopDiff100kSqlite)->Unit(benchmark::kMillisecond);

void BM_ShopDiff100kInMemory(benchmark::State& state) {
  auto& t = two_snapshots();
  std::set<std::string> all;
  for (char c : kCodes) all.insert(std::string(1, c));
  for (auto _ : state) {
    auto diff = shop::diff_snapshots(t.a, t.b, all);
    benchmark::DoNotOptimize(diff);
  }
}
BENCHMARK(BM_ShopDiff100kInMemory)->Unit(benchmark::kMillisecond);

}  // namespace
