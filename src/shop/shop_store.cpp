#include "shop/shop_store.hpp"

#include "core/time_format.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

namespace tzr::shop {

namespace json = boost::json;
using storage::Row;
using storage::Session;
using storage::Value;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Value v(const std::optional<std::int64_t>& x) { return x ? Value(*x) : storage::null(); }
Value v(const std::optional<std::string>& x) { return x ? Value(*x) : storage::null(); }
Value v(const std::optional<double>& x) { return x ? Value(*x) : storage::null(); }
Value v(std::int64_t x) { return Value(x); }
Value v(const std::string& x) { return Value(x); }

json::value opt_int(const Row& r, std::size_t i) {
  if (r.is_null(i)) return nullptr;
  return r.integer(i);
}
json::value opt_str(const Row& r, std::size_t i) {
  if (r.is_null(i)) return nullptr;
  return json::value(r.text(i));
}

// Multi-row INSERTs in chunks: a round trip per row would dominate a 50k-item snapshot.
Status insert_rows(Session& s, const std::string& head, std::size_t columns, const std::vector<Value>& values,
                   const std::string& tail = "") {
  const std::size_t rows = columns == 0 ? 0 : values.size() / columns;
  const std::size_t chunk = std::max<std::size_t>(1, 900 / columns);
  std::string one = "(";
  for (std::size_t c = 0; c < columns; ++c) one += c ? ",?" : "?";
  one += ")";
  for (std::size_t start = 0; start < rows; start += chunk) {
    const std::size_t n = std::min(chunk, rows - start);
    std::string sql = head + " VALUES ";
    for (std::size_t r = 0; r < n; ++r) sql += r ? "," + one : one;
    sql += tail;
    auto res = s.query(sql, std::span<const Value>(values.data() + start * columns, n * columns));
    if (!res) return res.error();
  }
  return {};
}

constexpr const char* kItemColumns =
    "i.item_id, s.code, i.category, i.txt, i.name, i.type, i.price_cents, i.quantity, i.max_count, i.quality, i.max_quality,"
    " i.weight, i.caliber, i.owner, i.infinty, i.added_at, i.first_seen, i.last_seen, i.listed, i.removed_at";

json::object item_row_json(const Row& r) {
  json::object o;
  o["id"] = r.integer(0);
  o["shop"] = r.text(1);
  o["category"] = r.text(2);
  o["txt"] = r.text(3);
  o["name"] = r.text(4);
  o["type"] = r.text(5);
  const auto price = r.opt_integer(6);
  const auto quantity = r.opt_integer(7);
  o["price"] = price_json(price);
  o["count"] = opt_int(r, 7);
  o["max_count"] = opt_int(r, 8);
  o["unit_price"] = price && quantity && *quantity > 0 ? json::value(static_cast<double>(*price) / 100.0 / static_cast<double>(*quantity)) : nullptr;
  o["quality"] = opt_int(r, 9);
  o["max_quality"] = opt_int(r, 10);
  o["weight"] = r.is_null(11) ? json::value(nullptr) : json::value(r.real(11));
  o["caliber"] = opt_str(r, 12);
  o["owner"] = opt_str(r, 13);
  o["infinty"] = r.integer(14) != 0;
  o["added_at"] = r.is_null(15) ? json::value(nullptr) : json::value(iso_utc(r.integer(15)));
  o["first_seen"] = iso_utc(r.integer(16));
  o["last_seen"] = iso_utc(r.integer(17));
  o["listed"] = r.integer(18) != 0;
  o["removed_at"] = r.is_null(19) ? json::value(nullptr) : json::value(iso_utc(r.integer(19)));
  return o;
}

std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return out + "%";
}

Result<std::vector<ItemState>> load_states(Session& s, std::int64_t snapshot_id) {
  auto r = s.query("SELECT item_id, category, price_cents, quantity, quality, owner, txt FROM shop_observations WHERE snapshot_id = ?",
                   std::vector<Value>{snapshot_id});
  if (!r) return r.error();
  std::vector<ItemState> out;
  out.reserve(r->rows.size());
  for (const auto& row : r->rows)
    out.push_back(ItemState{row.integer(0), row.text(1), row.opt_integer(2), row.opt_integer(3), row.opt_integer(4), row.opt_text(5), row.text(6)});
  return out;
}

Result<std::set<std::string>> ok_categories(Session& s, std::int64_t snapshot_id) {
  auto r = s.query("SELECT category FROM shop_snapshot_categories WHERE snapshot_id = ? AND status = 'ok'", std::vector<Value>{snapshot_id});
  if (!r) return r.error();
  std::set<std::string> out;
  for (const auto& row : r->rows) out.insert(row.text(0));
  return out;
}

// A session over the database's autocommit queries, for reads that reuse the Session helpers.
struct DbSession final : Session {
  explicit DbSession(storage::Database& d) : db(d) {}
  storage::Database& db;
  Result<storage::QueryResult> query(std::string_view sql, storage::Params params) override { return db.query(sql, params); }
  Status execute_script(std::string_view) override { return Error::internal("not supported"); }
  storage::Dialect dialect() const override { return db.dialect(); }
};

Result<std::vector<ItemChange>> diff_in(Session& s, std::int64_t from_id, std::int64_t to_id) {
  auto prev = load_states(s, from_id);
  if (!prev) return prev.error();
  auto curr = load_states(s, to_id);
  if (!curr) return curr.error();
  auto a = ok_categories(s, from_id);
  if (!a) return a.error();
  auto b = ok_categories(s, to_id);
  if (!b) return b.error();
  std::set<std::string> both;
  std::set_intersection(a->begin(), a->end(), b->begin(), b->end(), std::inserter(both, both.end()));
  return diff_snapshots(std::move(*prev), std::move(*curr), both);
}

}  // namespace

bool valid_item_sort(std::string_view sort) {
  static const std::set<std::string_view> keys{"price", "-price", "txt", "-txt", "added_at", "-added_at",
                                               "first_seen", "-first_seen", "id", "-id"};
  return keys.count(sort) > 0;
}

json::value price_json(const std::optional<std::int64_t>& cents) {
  if (!cents) return nullptr;
  return static_cast<double>(*cents) / 100.0;
}

json::object change_json(const ItemChange& c) {
  json::object o{{"type", c.type}, {"item_id", c.item_id}, {"category", c.category}, {"txt", c.txt}};
  if (c.type == "price_changed" || c.type == "added" || c.type == "removed") {
    o["old_price"] = price_json(c.old_price_cents);
    o["new_price"] = price_json(c.new_price_cents);
  }
  if (c.type == "price_changed" && c.old_price_cents && c.new_price_cents) {
    const auto delta = *c.new_price_cents - *c.old_price_cents;
    o["price_diff"] = static_cast<double>(delta) / 100.0;
    o["price_diff_percent"] = *c.old_price_cents > 0 ? json::value(std::round(static_cast<double>(delta) * 10000.0 / static_cast<double>(*c.old_price_cents)) / 100.0) : nullptr;
  }
  auto opt = [](const auto& x) -> json::value {
    if (!x) return nullptr;
    return json::value(*x);
  };
  if (c.type == "count_changed" || c.type == "added" || c.type == "removed") {
    o["old_count"] = opt(c.old_count);
    o["new_count"] = opt(c.new_count);
  }
  if (c.type == "quality_changed") {
    o["old_quality"] = opt(c.old_quality);
    o["new_quality"] = opt(c.new_quality);
  }
  if (c.type == "owner_changed" || c.type == "added" || c.type == "removed") {
    o["old_owner"] = opt(c.old_owner);
    o["new_owner"] = opt(c.new_owner);
  }
  return o;
}

Result<std::int64_t> SqlShopStore::ensure_shop(const ShopDefinition& shop) {
  auto ins = db_.query("INSERT INTO shop_shops (code, name, bot_login, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                       std::vector<Value>{shop.code, shop.name, shop.bot_login, unix_now()});
  if (!ins) return ins.error();
  auto r = db_.query("SELECT id FROM shop_shops WHERE code = ?", std::vector<Value>{shop.code});
  if (!r) return r.error();
  if (r->rows.empty()) return Error::internal("shop row missing after insert");
  return r->rows[0].integer(0);
}

Result<json::array> SqlShopStore::shops() {
  auto r = db_.query(
      "SELECT s.id, s.code, s.name, s.bot_login,"
      " (SELECT COUNT(*) FROM shop_items i WHERE i.shop_id = s.id AND i.listed = 1),"
      " (SELECT MAX(id) FROM shop_snapshots n WHERE n.shop_id = s.id)"
      " FROM shop_shops s ORDER BY s.id");
  if (!r) return r.error();
  json::array out;
  for (const auto& row : r->rows)
    out.push_back({{"id", row.integer(0)}, {"code", row.text(1)}, {"name", row.text(2)}, {"bot_login", row.text(3)},
                   {"items_listed", row.integer(4)}, {"latest_snapshot_id", opt_int(row, 5)}});
  return out;
}

Result<SavedSnapshot> SqlShopStore::save_snapshot(const SnapshotData& data) {
  SavedSnapshot saved;
  auto st = db_.transaction([&](Session& s) -> Status {
    saved = SavedSnapshot{};
    auto shop = s.query("SELECT id FROM shop_shops WHERE code = ?", std::vector<Value>{data.shop});
    if (!shop) return shop.error();
    if (shop->rows.empty()) return Error::make(ErrorKind::not_found, "shop_not_found", "Shop " + data.shop + " not found");
    const auto shop_id = shop->rows[0].integer(0);
    saved.status = data.status();
    auto prev = s.query("SELECT id FROM shop_snapshots WHERE shop_id = ? AND status <> 'failed' ORDER BY id DESC LIMIT 1",
                        std::vector<Value>{shop_id});
    if (!prev) return prev.error();
    if (!prev->rows.empty()) saved.previous_id = prev->rows[0].integer(0);
    auto ins = s.query(
        "INSERT INTO shop_snapshots (shop_id, status, started_by, started_at, finished_at, items_count, previous_id, error)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        std::vector<Value>{shop_id, saved.status, data.started_by, data.started_at, data.finished_at,
                           static_cast<std::int64_t>(data.items.size()), v(saved.previous_id), data.error});
    if (!ins) return ins.error();
    const auto snapshot_id = ins->rows.at(0).integer(0);
    saved.id = snapshot_id;
    saved.items = data.items.size();

    std::vector<Value> cats;
    std::set<std::string> ok_now;
    for (const auto& c : data.categories) {
      if (c.status == CategoryStatus::ok) ok_now.insert(c.category);
      for (Value x : {v(snapshot_id), v(c.category), v(std::string(to_string(c.status))), v(std::int64_t{c.pages}),
                      v(std::int64_t{c.requests}), v(std::int64_t{c.items}), v(std::int64_t{c.groups}), v(c.error), v(c.duration_ms)})
        cats.push_back(std::move(x));
    }
    if (auto r = insert_rows(s, "INSERT INTO shop_snapshot_categories (snapshot_id, category, status, pages, requests, items, groups_opened, error, duration_ms)", 9, cats); !r)
      return r.error();

    // Templates (name + type + category), created once.
    std::set<std::tuple<std::string, std::string, std::string>> wanted;
    for (const auto& it : data.items)
      if (!it.item.name.empty() && !it.item.type.empty()) wanted.emplace(it.item.type, it.item.name, it.category);
    std::vector<Value> tpl;
    for (const auto& [type, name, category] : wanted)
      for (Value x : {v(type), v(name), v(category)}) tpl.push_back(std::move(x));
    if (auto r = insert_rows(s, "INSERT INTO shop_templates (type, name, category)", 3, tpl, " ON CONFLICT (type, name, category) DO NOTHING"); !r)
      return r.error();
    std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> template_ids;
    if (!wanted.empty()) {
      auto all = s.query("SELECT id, type, name, category FROM shop_templates");
      if (!all) return all.error();
      for (const auto& row : all->rows) template_ids[{row.text(1), row.text(2), row.text(3)}] = row.integer(0);
    }

    std::vector<Value> obs, cur;
    obs.reserve(data.items.size() * 12);
    cur.reserve(data.items.size() * 24);
    const auto now = data.finished_at;
    for (const auto& [category, it] : data.items) {
      std::optional<std::int64_t> tid;
      if (auto f = template_ids.find({it.type, it.name, category}); f != template_ids.end()) tid = f->second;
      const auto cents = to_cents(it.price);
      for (Value x : {v(snapshot_id), v(it.id), v(category), v(tid), v(it.name), v(it.type), v(cents), v(it.count), v(it.quality),
                      v(it.max_quality), v(it.owner), v(it.txt)})
        obs.push_back(std::move(x));
      const auto detail = json::serialize(to_json(it));
      for (Value x : {v(shop_id), v(it.id), v(tid), v(category), v(it.txt), v(it.name), v(it.type), v(cents), v(it.count),
                      v(it.max_count), v(it.quality), v(it.max_quality), v(it.weight), v(it.caliber), v(it.owner),
                      v(std::int64_t{it.infinty ? 1 : 0}), v(it.put_day), v(now), v(now), v(snapshot_id), v(snapshot_id),
                      v(std::int64_t{1}), storage::null(), v(detail)})
        cur.push_back(std::move(x));
    }
    if (auto r = insert_rows(s, "INSERT INTO shop_observations (snapshot_id, item_id, category, template_id, name, type, price_cents, quantity, quality, max_quality, owner, txt)", 12, obs); !r)
      return r.error();
    if (auto r = insert_rows(
            s,
            "INSERT INTO shop_items (shop_id, item_id, template_id, category, txt, name, type, price_cents, quantity, max_count,"
            " quality, max_quality, weight, caliber, owner, infinty, added_at, first_seen, last_seen, first_snapshot_id,"
            " last_snapshot_id, listed, removed_at, detail)",
            24, cur,
            " ON CONFLICT (shop_id, item_id) DO UPDATE SET template_id = excluded.template_id, category = excluded.category,"
            " txt = excluded.txt, name = excluded.name, type = excluded.type, price_cents = excluded.price_cents,"
            " quantity = excluded.quantity, max_count = excluded.max_count, quality = excluded.quality,"
            " max_quality = excluded.max_quality, weight = excluded.weight, caliber = excluded.caliber, owner = excluded.owner,"
            " infinty = excluded.infinty, added_at = excluded.added_at, last_seen = excluded.last_seen,"
            " last_snapshot_id = excluded.last_snapshot_id, listed = 1, removed_at = NULL, detail = excluded.detail");
        !r)
      return r.error();
    // Goods of completely read categories that were not seen this time are gone (sold or withdrawn).
    for (const auto& category : ok_now) {
      auto r = s.query("UPDATE shop_items SET listed = 0, removed_at = ? WHERE shop_id = ? AND category = ? AND listed = 1 AND last_snapshot_id <> ?",
                       std::vector<Value>{now, shop_id, category, snapshot_id});
      if (!r) return r.error();
    }
    if (saved.previous_id) {
      auto changes = diff_in(s, *saved.previous_id, snapshot_id);
      if (!changes) return changes.error();
      std::vector<Value> rows;
      for (const auto& c : *changes)
        for (Value x : {v(shop_id), v(snapshot_id), v(*saved.previous_id), v(c.item_id), v(c.category), v(c.type),
                        v(c.old_price_cents), v(c.new_price_cents), v(c.old_count), v(c.new_count), v(c.old_quality),
                        v(c.new_quality), v(c.old_owner), v(c.new_owner), v(c.txt), v(now)})
          rows.push_back(std::move(x));
      if (auto r = insert_rows(s, "INSERT INTO shop_item_changes (shop_id, snapshot_id, previous_snapshot_id, item_id, category, change_type, old_price_cents, new_price_cents, old_quantity, new_quantity, old_quality, new_quality, old_owner, new_owner, txt, detected_at)", 16, rows); !r)
        return r.error();
      saved.changes = changes->size();
      auto up = s.query("UPDATE shop_snapshots SET changes_count = ? WHERE id = ?",
                        std::vector<Value>{static_cast<std::int64_t>(saved.changes), snapshot_id});
      if (!up) return up.error();
    }
    return {};
  });
  if (!st) return st.error();
  return saved;
}

Result<ItemList> SqlShopStore::items(const ItemQuery& q) {
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  if (!q.include_removed) where += " AND i.listed = 1";
  if (q.shop) {
    where += " AND s.code = ?";
    params.push_back(*q.shop);
  }
  if (q.category) {
    where += " AND i.category = ?";
    params.push_back(*q.category);
  }
  if (q.search) {
    where += " AND LOWER(i.txt) LIKE ? ESCAPE '\\'";
    params.push_back(like_pattern(*q.search));
  }
  if (q.caliber) {
    where += " AND i.caliber = ?";
    params.push_back(*q.caliber);
  }
  if (q.owner) {
    where += " AND i.owner = ?";
    params.push_back(*q.owner);
  }
  if (q.min_price_cents) {
    where += " AND i.price_cents >= ?";
    params.push_back(*q.min_price_cents);
  }
  if (q.max_price_cents) {
    where += " AND i.price_cents <= ?";
    params.push_back(*q.max_price_cents);
  }
  const std::string from = " FROM shop_items i JOIN shop_shops s ON s.id = i.shop_id";
  auto count = db_.query("SELECT COUNT(*)" + from + where, params);
  if (!count) return count.error();
  std::string key = q.sort.empty() ? "-first_seen" : q.sort;
  const bool desc = key[0] == '-';
  if (desc) key.erase(0, 1);
  const std::string column = key == "price" ? "i.price_cents" : key == "txt" ? "i.txt" : key == "added_at" ? "i.added_at"
                             : key == "id" ? "i.item_id" : "i.first_seen";
  std::string sql = std::string("SELECT ") + kItemColumns + from + where + " ORDER BY " + column + (desc ? " DESC" : " ASC") +
                    ", i.item_id ASC LIMIT ? OFFSET ?";
  params.push_back(q.limit);
  params.push_back(q.offset);
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  ItemList out;
  out.total = count->rows.at(0).integer(0);
  for (const auto& row : r->rows) out.items.push_back(item_row_json(row));
  return out;
}

Result<std::optional<json::object>> SqlShopStore::item(std::int64_t item_id, std::optional<std::string> shop) {
  std::string sql = std::string("SELECT ") + kItemColumns + ", i.detail FROM shop_items i JOIN shop_shops s ON s.id = i.shop_id WHERE i.item_id = ?";
  std::vector<Value> params{item_id};
  if (shop) {
    sql += " AND s.code = ?";
    params.push_back(*shop);
  }
  sql += " ORDER BY i.last_seen DESC LIMIT 1";
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<json::object>{};
  auto o = item_row_json(r->rows[0]);
  boost::system::error_code ec;
  auto detail = json::parse(r->rows[0].text(20), ec);
  o["attributes"] = ec ? json::value(nullptr) : detail;
  return std::optional<json::object>(std::move(o));
}

Result<json::array> SqlShopStore::item_history(std::int64_t item_id, std::optional<std::string> shop) {
  std::string sql =
      "SELECT n.id, n.finished_at, s.code, o.price_cents, o.quantity, o.quality, o.owner FROM shop_observations o"
      " JOIN shop_snapshots n ON n.id = o.snapshot_id JOIN shop_shops s ON s.id = n.shop_id WHERE o.item_id = ?";
  std::vector<Value> params{item_id};
  if (shop) {
    sql += " AND s.code = ?";
    params.push_back(*shop);
  }
  sql += " ORDER BY n.id";
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  json::array out;
  for (const auto& row : r->rows)
    out.push_back({{"snapshot_id", row.integer(0)}, {"at", iso_utc(row.integer(1))}, {"shop", row.text(2)},
                   {"price", price_json(row.opt_integer(3))}, {"count", opt_int(row, 4)}, {"quality", opt_int(row, 5)},
                   {"owner", opt_str(row, 6)}});
  return out;
}

Result<json::array> SqlShopStore::template_history(std::string name, std::string type, std::optional<std::string> shop) {
  std::string sql =
      "SELECT n.id, n.finished_at, s.code, o.price_cents, o.quantity FROM shop_observations o"
      " JOIN shop_snapshots n ON n.id = o.snapshot_id JOIN shop_shops s ON s.id = n.shop_id"
      " WHERE o.name = ? AND o.type = ? AND o.price_cents IS NOT NULL";
  std::vector<Value> params{name, type};
  if (shop) {
    sql += " AND s.code = ?";
    params.push_back(*shop);
  }
  sql += " ORDER BY n.id";
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  json::array out;
  auto median = [](std::vector<double> xs) {
    std::sort(xs.begin(), xs.end());
    const auto n = xs.size();
    return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2.0;
  };
  std::size_t i = 0;
  while (i < r->rows.size()) {
    const auto id = r->rows[i].integer(0);
    std::vector<double> prices, units;
    std::int64_t volume = 0;
    const auto at = r->rows[i].integer(1);
    const auto code = r->rows[i].text(2);
    for (; i < r->rows.size() && r->rows[i].integer(0) == id; ++i) {
      const double price = static_cast<double>(r->rows[i].integer(3)) / 100.0;
      prices.push_back(price);
      const auto q = r->rows[i].opt_integer(4);
      units.push_back(q && *q > 0 ? price / static_cast<double>(*q) : price);
      volume += q && *q > 0 ? *q : 1;
    }
    out.push_back({{"snapshot_id", id}, {"at", iso_utc(at)}, {"shop", code}, {"listings", prices.size()}, {"volume", volume},
                   {"min", *std::min_element(prices.begin(), prices.end())}, {"median", median(prices)},
                   {"max", *std::max_element(prices.begin(), prices.end())},
                   {"unit_min", *std::min_element(units.begin(), units.end())}, {"unit_median", median(units)},
                   {"unit_max", *std::max_element(units.begin(), units.end())}});
  }
  return out;
}

Result<ItemList> SqlShopStore::snapshots(std::optional<std::string> shop, std::int64_t limit, std::int64_t offset) {
  std::string where;
  std::vector<Value> params;
  if (shop) {
    where = " WHERE s.code = ?";
    params.push_back(*shop);
  }
  const std::string from = " FROM shop_snapshots n JOIN shop_shops s ON s.id = n.shop_id";
  auto count = db_.query("SELECT COUNT(*)" + from + where, params);
  if (!count) return count.error();
  params.push_back(limit);
  params.push_back(offset);
  auto r = db_.query("SELECT n.id, s.code, n.status, n.started_by, n.started_at, n.finished_at, n.items_count, n.previous_id,"
                     " n.changes_count, n.error" + from + where + " ORDER BY n.id DESC LIMIT ? OFFSET ?",
                     params);
  if (!r) return r.error();
  ItemList out;
  out.total = count->rows.at(0).integer(0);
  for (const auto& row : r->rows)
    out.items.push_back({{"id", row.integer(0)}, {"shop", row.text(1)}, {"status", row.text(2)}, {"started_by", row.text(3)},
                         {"started_at", iso_utc(row.integer(4))}, {"finished_at", iso_utc(row.integer(5))},
                         {"items_count", row.integer(6)}, {"previous_id", opt_int(row, 7)}, {"changes_count", row.integer(8)},
                         {"error", row.text(9)}});
  return out;
}

Result<std::optional<json::object>> SqlShopStore::snapshot(std::int64_t id) {
  auto r = db_.query("SELECT n.id, s.code, n.status, n.started_by, n.started_at, n.finished_at, n.items_count, n.previous_id,"
                     " n.changes_count, n.error FROM shop_snapshots n JOIN shop_shops s ON s.id = n.shop_id WHERE n.id = ?",
                     std::vector<Value>{id});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<json::object>{};
  const auto& row = r->rows[0];
  json::object o{{"id", row.integer(0)}, {"shop", row.text(1)}, {"status", row.text(2)}, {"started_by", row.text(3)},
                 {"started_at", iso_utc(row.integer(4))}, {"finished_at", iso_utc(row.integer(5))},
                 {"duration_s", row.integer(5) - row.integer(4)}, {"items_count", row.integer(6)},
                 {"previous_id", opt_int(row, 7)}, {"changes_count", row.integer(8)}, {"error", row.text(9)}};
  auto cats = db_.query("SELECT category, status, pages, requests, items, groups_opened, error, duration_ms FROM shop_snapshot_categories"
                        " WHERE snapshot_id = ?",
                        std::vector<Value>{id});
  if (!cats) return cats.error();
  std::map<std::string, json::object> by_code;
  for (const auto& c : cats->rows)
    by_code[c.text(0)] = {{"category", c.text(0)}, {"status", c.text(1)}, {"pages", c.integer(2)}, {"requests", c.integer(3)},
                          {"items", c.integer(4)}, {"groups", c.integer(5)}, {"error", c.text(6)}, {"duration_ms", c.integer(7)}};
  json::array list;  // in crawl order
  for (const auto& cat : categories())
    if (auto f = by_code.find(std::string(cat.code)); f != by_code.end()) list.push_back(f->second);
  o["categories"] = std::move(list);
  return std::optional<json::object>(std::move(o));
}

Result<std::optional<std::int64_t>> SqlShopStore::latest_snapshot(std::string shop) {
  auto r = db_.query("SELECT MAX(n.id) FROM shop_snapshots n JOIN shop_shops s ON s.id = n.shop_id WHERE s.code = ?",
                     std::vector<Value>{shop});
  if (!r) return r.error();
  if (r->rows.empty() || r->rows[0].is_null(0)) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(r->rows[0].integer(0));
}

Result<std::vector<ItemChange>> SqlShopStore::diff(std::int64_t from_id, std::int64_t to_id) {
  DbSession s(db_);
  return diff_in(s, from_id, to_id);
}

Result<ItemList> SqlShopStore::changes(std::optional<std::string> shop, std::string type, std::optional<std::int64_t> since_unix,
                                       double min_abs_percent, std::int64_t limit, std::int64_t offset) {
  std::string where = " WHERE c.change_type = ?";
  std::vector<Value> params{type};
  if (shop) {
    where += " AND s.code = ?";
    params.push_back(*shop);
  }
  if (since_unix) {
    where += " AND c.detected_at >= ?";
    params.push_back(*since_unix);
  }
  if (type == "price_changed" && min_abs_percent > 0) {
    // |new - old| * 100 >= pct * old, in integers of cents (no float rounding in SQL).
    where += " AND c.old_price_cents > 0 AND ABS(c.new_price_cents - c.old_price_cents) * 10000 >= ? * c.old_price_cents";
    params.push_back(static_cast<std::int64_t>(std::llround(min_abs_percent * 100.0)));
  }
  const std::string from = " FROM shop_item_changes c JOIN shop_shops s ON s.id = c.shop_id";
  auto count = db_.query("SELECT COUNT(*)" + from + where, params);
  if (!count) return count.error();
  params.push_back(limit);
  params.push_back(offset);
  auto r = db_.query("SELECT c.change_type, c.item_id, c.category, c.txt, c.old_price_cents, c.new_price_cents, c.old_quantity,"
                     " c.new_quantity, c.old_quality, c.new_quality, c.old_owner, c.new_owner, c.snapshot_id,"
                     " c.previous_snapshot_id, c.detected_at, s.code" + from + where + " ORDER BY c.id DESC LIMIT ? OFFSET ?",
                     params);
  if (!r) return r.error();
  ItemList out;
  out.total = count->rows.at(0).integer(0);
  for (const auto& row : r->rows) {
    ItemChange c{row.text(0), row.integer(1), row.text(2), row.text(3), row.opt_integer(4), row.opt_integer(5),
                 row.opt_integer(6), row.opt_integer(7), row.opt_integer(8), row.opt_integer(9), row.opt_text(10), row.opt_text(11)};
    auto o = change_json(c);
    o["snapshot_id"] = row.integer(12);
    o["previous_snapshot_id"] = row.integer(13);
    o["detected_at"] = iso_utc(row.integer(14));
    o["shop"] = row.text(15);
    out.items.push_back(std::move(o));
  }
  return out;
}

Result<json::array> SqlShopStore::seller_stats(std::optional<std::string> shop, std::int64_t min_items, std::int64_t limit) {
  std::string sql =
      "SELECT i.owner, COUNT(*), SUM(i.price_cents), MIN(i.price_cents), MAX(i.price_cents), AVG(i.price_cents)"
      " FROM shop_items i JOIN shop_shops s ON s.id = i.shop_id WHERE i.listed = 1 AND i.owner IS NOT NULL";
  std::vector<Value> params;
  if (shop) {
    sql += " AND s.code = ?";
    params.push_back(*shop);
  }
  sql += " GROUP BY i.owner HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, i.owner LIMIT ?";
  params.push_back(min_items);
  params.push_back(limit);
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  json::array out;
  for (const auto& row : r->rows)
    out.push_back({{"owner", row.text(0)}, {"items_count", row.integer(1)},
                   {"total_value", row.is_null(2) ? 0.0 : static_cast<double>(row.integer(2)) / 100.0},
                   {"min_price", price_json(row.opt_integer(3))}, {"max_price", price_json(row.opt_integer(4))},
                   {"avg_price", row.is_null(5) ? json::value(nullptr) : json::value(std::round(row.real(5)) / 100.0)}});
  return out;
}

Result<json::object> SqlShopStore::sell_through(std::optional<std::string> shop, std::int64_t since_unix) {
  std::string sql =
      "SELECT i.removed_at - i.first_seen FROM shop_items i JOIN shop_shops s ON s.id = i.shop_id"
      " WHERE i.listed = 0 AND i.removed_at IS NOT NULL AND i.removed_at >= ?";
  std::vector<Value> params{since_unix};
  if (shop) {
    sql += " AND s.code = ?";
    params.push_back(*shop);
  }
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  std::vector<std::int64_t> d;
  for (const auto& row : r->rows) d.push_back(row.integer(0));
  std::sort(d.begin(), d.end());
  json::object o{{"sold_items", d.size()}, {"since", iso_utc(since_unix)}};
  if (d.empty()) {
    o["median_listed_s"] = nullptr;
    o["min_listed_s"] = nullptr;
    o["max_listed_s"] = nullptr;
  } else {
    o["median_listed_s"] = d[d.size() / 2];
    o["min_listed_s"] = d.front();
    o["max_listed_s"] = d.back();
  }
  // Listed at the latest snapshot, for a sell-through ratio.
  std::string listed_sql = "SELECT COUNT(*) FROM shop_items i JOIN shop_shops s ON s.id = i.shop_id WHERE i.listed = 1";
  std::vector<Value> lp;
  if (shop) {
    listed_sql += " AND s.code = ?";
    lp.push_back(*shop);
  }
  auto listed = db_.query(listed_sql, lp);
  if (!listed) return listed.error();
  const auto on_sale = listed->rows.at(0).integer(0);
  o["listed_items"] = on_sale;
  o["sell_through_rate"] = (on_sale + static_cast<std::int64_t>(d.size())) > 0
                               ? static_cast<double>(d.size()) / static_cast<double>(on_sale + static_cast<std::int64_t>(d.size()))
                               : 0.0;
  return o;
}

Result<std::optional<json::object>> SqlShopStore::seller_summary(std::string owner, std::optional<std::string> shop) {
  std::string where = " WHERE i.listed = 1 AND i.owner = ?";
  std::vector<Value> params{owner};
  if (shop) {
    where += " AND s.code = ?";
    params.push_back(*shop);
  }
  const std::string from = " FROM shop_items i JOIN shop_shops s ON s.id = i.shop_id";
  auto totals = db_.query("SELECT COUNT(*), SUM(i.price_cents), MIN(i.price_cents), MAX(i.price_cents), AVG(i.price_cents)" + from + where, params);
  if (!totals) return totals.error();
  const auto& t = totals->rows.at(0);
  if (t.integer(0) == 0) return std::optional<json::object>{};
  auto by = db_.query("SELECT i.category, COUNT(*)" + from + where + " GROUP BY i.category ORDER BY COUNT(*) DESC, i.category", params);
  if (!by) return by.error();
  json::array cats;
  for (const auto& row : by->rows) cats.push_back({{"category", row.text(0)}, {"count", row.integer(1)}});
  json::object o{{"owner", owner}, {"shop_code", shop ? json::value(*shop) : nullptr}, {"total_items", t.integer(0)},
                 {"total_value", t.is_null(1) ? 0.0 : static_cast<double>(t.integer(1)) / 100.0},
                 {"min_price", price_json(t.opt_integer(2))}, {"max_price", price_json(t.opt_integer(3))},
                 {"avg_price", t.is_null(4) ? json::value(nullptr) : json::value(std::round(t.real(4)) / 100.0)},
                 {"by_category", cats}};
  return std::optional<json::object>(std::move(o));
}

Result<std::set<std::string>> SqlShopStore::snapshot_owners(std::int64_t snapshot_id) {
  auto r = db_.query("SELECT DISTINCT owner FROM shop_observations WHERE snapshot_id = ? AND owner IS NOT NULL",
                     std::vector<Value>{snapshot_id});
  if (!r) return r.error();
  std::set<std::string> out;
  for (const auto& row : r->rows) out.insert(row.text(0));
  return out;
}

namespace {
// Linear interpolation between closest ranks (numpy's default), on sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}
}  // namespace

Result<json::array> SqlShopStore::price_anomalies(std::optional<std::string> shop, std::int64_t min_listings, std::int64_t limit) {
  std::string sql =
      "SELECT i.item_id, s.code, i.name, i.type, i.txt, i.price_cents, i.quantity, i.owner, i.category"
      " FROM shop_items i JOIN shop_shops s ON s.id = i.shop_id"
      " WHERE i.listed = 1 AND i.price_cents IS NOT NULL AND i.name <> '' AND i.type <> ''";
  std::vector<Value> params;
  if (shop) {
    sql += " AND s.code = ?";
    params.push_back(*shop);
  }
  sql += " ORDER BY i.name, i.type";
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  struct Flagged {
    double score;
    json::object row;
  };
  std::vector<Flagged> flagged;
  std::size_t i = 0;
  while (i < r->rows.size()) {
    std::size_t j = i;
    while (j < r->rows.size() && r->rows[j].text(2) == r->rows[i].text(2) && r->rows[j].text(3) == r->rows[i].text(3)) ++j;
    if (static_cast<std::int64_t>(j - i) >= min_listings) {
      std::vector<double> units;
      auto unit = [&](const Row& row) {
        const double price = static_cast<double>(row.integer(5)) / 100.0;
        const auto q = row.opt_integer(6);
        return q && *q > 0 ? price / static_cast<double>(*q) : price;
      };
      for (auto k = i; k < j; ++k) units.push_back(unit(r->rows[k]));
      std::sort(units.begin(), units.end());
      const double q1 = quantile(units, 0.25), median = quantile(units, 0.5), q3 = quantile(units, 0.75);
      const double iqr = q3 - q1, low = q1 - 1.5 * iqr, high = q3 + 1.5 * iqr;
      for (auto k = i; k < j; ++k) {
        const double u = unit(r->rows[k]);
        if (iqr <= 0 || (u >= low && u <= high)) continue;
        const auto& row = r->rows[k];
        json::object o{{"item_id", row.integer(0)}, {"shop", row.text(1)}, {"name", row.text(2)}, {"type", row.text(3)},
                       {"txt", row.text(4)}, {"price", price_json(row.opt_integer(5))}, {"count", opt_int(row, 6)},
                       {"unit_price", u}, {"owner", opt_str(row, 7)}, {"category", row.text(8)},
                       {"template_median", median}, {"template_q1", q1}, {"template_q3", q3},
                       {"template_listings", static_cast<std::int64_t>(j - i)},
                       {"direction", u < low ? "cheap" : "expensive"},
                       {"ratio_to_median", median > 0 ? json::value(std::round(u / median * 1000.0) / 1000.0) : nullptr}};
        flagged.push_back({std::fabs(u - median) / iqr, std::move(o)});
      }
    }
    i = j;
  }
  std::stable_sort(flagged.begin(), flagged.end(), [](const Flagged& a, const Flagged& b) { return a.score > b.score; });
  json::array out;
  for (std::size_t k = 0; k < flagged.size() && static_cast<std::int64_t>(k) < limit; ++k) out.push_back(std::move(flagged[k].row));
  return out;
}

Result<json::array> SqlShopStore::seller_turnover(std::optional<std::string> shop, std::int64_t since_unix, std::int64_t limit) {
  std::string shop_filter;
  std::vector<Value> shop_param;
  if (shop) {
    shop_filter = " AND s.code = ?";
    shop_param.push_back(*shop);
  }
  struct Tally {
    std::int64_t listed = 0, added = 0, sold = 0, sold_value = 0;
  };
  std::map<std::string, Tally> by_owner;
  auto listed = db_.query("SELECT i.owner, COUNT(*) FROM shop_items i JOIN shop_shops s ON s.id = i.shop_id"
                          " WHERE i.listed = 1 AND i.owner IS NOT NULL" + shop_filter + " GROUP BY i.owner",
                          shop_param);
  if (!listed) return listed.error();
  for (const auto& row : listed->rows) by_owner[row.text(0)].listed = row.integer(1);
  std::vector<Value> params{since_unix};
  for (const auto& v : shop_param) params.push_back(v);
  auto moved = db_.query(
      "SELECT c.change_type, COALESCE(c.new_owner, c.old_owner), COUNT(*), SUM(c.old_price_cents)"
      " FROM shop_item_changes c JOIN shop_shops s ON s.id = c.shop_id"
      " WHERE c.detected_at >= ? AND c.change_type IN ('added', 'removed') AND COALESCE(c.new_owner, c.old_owner) IS NOT NULL" +
          shop_filter + " GROUP BY c.change_type, COALESCE(c.new_owner, c.old_owner)",
      params);
  if (!moved) return moved.error();
  for (const auto& row : moved->rows) {
    auto& t = by_owner[row.text(1)];
    if (row.text(0) == "added") t.added = row.integer(2);
    else {
      t.sold = row.integer(2);
      t.sold_value = row.is_null(3) ? 0 : row.integer(3);
    }
  }
  std::vector<std::pair<std::string, Tally>> rows(by_owner.begin(), by_owner.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.sold != b.second.sold ? a.second.sold > b.second.sold : a.second.listed > b.second.listed;
  });
  json::array out;
  for (std::size_t k = 0; k < rows.size() && static_cast<std::int64_t>(k) < limit; ++k) {
    const auto& [owner, t] = rows[k];
    const auto base = t.listed + t.sold;
    out.push_back({{"owner", owner}, {"listed", t.listed}, {"new_listings", t.added}, {"sold", t.sold},
                   {"sold_value", static_cast<double>(t.sold_value) / 100.0},
                   {"turnover", base > 0 ? static_cast<double>(t.sold) / static_cast<double>(base) : 0.0}});
  }
  return out;
}

Result<std::vector<std::pair<std::int64_t, Alert>>> SqlShopStore::record_alerts(const std::vector<Alert>& alerts) {
  std::vector<std::pair<std::int64_t, Alert>> fresh;
  auto st = db_.transaction([&](Session& s) -> Status {
    fresh.clear();
    for (const auto& a : alerts) {
      auto r = s.query("INSERT INTO shop_alerts (rule, alert_key, payload, created_at) VALUES (?, ?, ?, ?)"
                       " ON CONFLICT (rule, alert_key) DO NOTHING RETURNING id",
                       std::vector<Value>{a.rule, a.key, json::serialize(a.payload), unix_now()});
      if (!r) return r.error();
      if (!r->rows.empty()) fresh.emplace_back(r->rows[0].integer(0), a);
    }
    return {};
  });
  if (!st) return st.error();
  return fresh;
}

Status SqlShopStore::mark_delivered(const std::vector<std::int64_t>& ids) {
  const auto now = unix_now();
  for (auto id : ids) {
    auto r = db_.query("UPDATE shop_alerts SET delivered_at = ? WHERE id = ?", std::vector<Value>{now, id});
    if (!r) return r.error();
  }
  return {};
}

Result<ItemList> SqlShopStore::alerts(std::int64_t limit, std::int64_t offset) {
  auto count = db_.query("SELECT COUNT(*) FROM shop_alerts");
  if (!count) return count.error();
  auto r = db_.query("SELECT id, rule, alert_key, payload, created_at, delivered_at FROM shop_alerts ORDER BY id DESC LIMIT ? OFFSET ?",
                     std::vector<Value>{limit, offset});
  if (!r) return r.error();
  ItemList out;
  out.total = count->rows.at(0).integer(0);
  for (const auto& row : r->rows) {
    boost::system::error_code ec;
    auto payload = json::parse(row.text(3), ec);
    out.items.push_back({{"id", row.integer(0)}, {"rule", row.text(1)}, {"key", row.text(2)},
                         {"alert", ec ? json::value(nullptr) : payload}, {"created_at", iso_utc(row.integer(4))},
                         {"delivered_at", row.is_null(5) ? json::value(nullptr) : json::value(iso_utc(row.integer(5)))}});
  }
  return out;
}

Result<std::int64_t> SqlShopStore::prune(std::string shop, std::int64_t before_unix) {
  std::int64_t dropped = 0;
  auto st = db_.transaction([&](Session& s) -> Status {
    auto ids = s.query(
        "SELECT n.id FROM shop_snapshots n JOIN shop_shops s ON s.id = n.shop_id WHERE s.code = ? AND n.finished_at < ?"
        " AND n.id < (SELECT MAX(m.id) FROM shop_snapshots m WHERE m.shop_id = n.shop_id)",
        std::vector<Value>{shop, before_unix});
    if (!ids) return ids.error();
    dropped = static_cast<std::int64_t>(ids->rows.size());
    // Explicit deletes: SQLite enforces ON DELETE CASCADE only with foreign_keys on.
    for (const auto& row : ids->rows) {
      const std::vector<Value> id{row.integer(0)};
      for (const char* sql : {"DELETE FROM shop_observations WHERE snapshot_id = ?", "DELETE FROM shop_snapshot_categories WHERE snapshot_id = ?",
                              "DELETE FROM shop_item_changes WHERE snapshot_id = ?", "UPDATE shop_snapshots SET previous_id = NULL WHERE previous_id = ?",
                              "DELETE FROM shop_snapshots WHERE id = ?"}) {
        auto r = s.query(sql, id);
        if (!r) return r.error();
      }
    }
    auto gone = s.query("DELETE FROM shop_items WHERE listed = 0 AND removed_at < ? AND shop_id = (SELECT id FROM shop_shops WHERE code = ?)",
                        std::vector<Value>{before_unix, shop});
    if (!gone) return gone.error();
    return {};
  });
  if (!st) return st.error();
  return dropped;
}

}  // namespace tzr::shop
