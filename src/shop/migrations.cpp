#include "shop/migrations.hpp"

namespace tzr::shop {

// Observations hold each item's state per snapshot (the reference kept ids only); shop_items is
// the current state per (shop, item id) with first/last seen; item_changes is the stored diff.
std::vector<storage::Migration> migrations() {
  return {
      {400, "shop_tables",
       "CREATE TABLE shop_shops (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, bot_login TEXT NOT NULL, created_at BIGINT NOT NULL);"
       "CREATE TABLE shop_templates (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL, UNIQUE (type, name, category));"
       "CREATE TABLE shop_snapshots (id INTEGER PRIMARY KEY AUTOINCREMENT, shop_id BIGINT NOT NULL REFERENCES shop_shops(id), status TEXT NOT NULL, started_by TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL, items_count BIGINT NOT NULL DEFAULT 0, previous_id BIGINT, changes_count BIGINT NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '');"
       "CREATE INDEX shop_snapshots_shop ON shop_snapshots(shop_id, id);"
       "CREATE TABLE shop_snapshot_categories (snapshot_id BIGINT NOT NULL REFERENCES shop_snapshots(id) ON DELETE CASCADE, category TEXT NOT NULL, status TEXT NOT NULL, pages INTEGER NOT NULL, requests INTEGER NOT NULL, items INTEGER NOT NULL, groups_opened INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '', duration_ms BIGINT NOT NULL, PRIMARY KEY (snapshot_id, category));"
       "CREATE TABLE shop_items (shop_id BIGINT NOT NULL REFERENCES shop_shops(id), item_id BIGINT NOT NULL, template_id BIGINT, category TEXT NOT NULL, txt TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, price_cents BIGINT, quantity BIGINT, max_count BIGINT, quality BIGINT, max_quality BIGINT, weight REAL, caliber TEXT, owner TEXT, infinty INTEGER NOT NULL, added_at BIGINT, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, first_snapshot_id BIGINT NOT NULL, last_snapshot_id BIGINT NOT NULL, listed INTEGER NOT NULL, removed_at BIGINT, detail TEXT NOT NULL, PRIMARY KEY (shop_id, item_id));"
       "CREATE INDEX shop_items_listed ON shop_items(shop_id, listed, category);"
       "CREATE INDEX shop_items_owner ON shop_items(owner);"
       "CREATE INDEX shop_items_price ON shop_items(price_cents);"
       "CREATE INDEX shop_items_template ON shop_items(name, type);"
       "CREATE TABLE shop_observations (snapshot_id BIGINT NOT NULL REFERENCES shop_snapshots(id) ON DELETE CASCADE, item_id BIGINT NOT NULL, category TEXT NOT NULL, template_id BIGINT, name TEXT NOT NULL, type TEXT NOT NULL, price_cents BIGINT, quantity BIGINT, quality BIGINT, max_quality BIGINT, owner TEXT, txt TEXT NOT NULL, PRIMARY KEY (snapshot_id, item_id));"
       "CREATE INDEX shop_observations_item ON shop_observations(item_id, snapshot_id);"
       "CREATE INDEX shop_observations_template ON shop_observations(name, type, snapshot_id);"
       "CREATE TABLE shop_item_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, shop_id BIGINT NOT NULL, snapshot_id BIGINT NOT NULL REFERENCES shop_snapshots(id) ON DELETE CASCADE, previous_snapshot_id BIGINT NOT NULL, item_id BIGINT NOT NULL, category TEXT NOT NULL, change_type TEXT NOT NULL, old_price_cents BIGINT, new_price_cents BIGINT, old_quantity BIGINT, new_quantity BIGINT, old_quality BIGINT, new_quality BIGINT, old_owner TEXT, new_owner TEXT, txt TEXT NOT NULL, detected_at BIGINT NOT NULL);"
       "CREATE INDEX shop_item_changes_snapshot ON shop_item_changes(snapshot_id);"
       "CREATE INDEX shop_item_changes_item ON shop_item_changes(item_id, detected_at);"
       "CREATE INDEX shop_item_changes_type ON shop_item_changes(change_type, detected_at);",
       "CREATE TABLE shop_shops (id BIGSERIAL PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, bot_login TEXT NOT NULL, created_at BIGINT NOT NULL);"
       "CREATE TABLE shop_templates (id BIGSERIAL PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL, UNIQUE (type, name, category));"
       "CREATE TABLE shop_snapshots (id BIGSERIAL PRIMARY KEY, shop_id BIGINT NOT NULL REFERENCES shop_shops(id), status TEXT NOT NULL, started_by TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL, items_count BIGINT NOT NULL DEFAULT 0, previous_id BIGINT, changes_count BIGINT NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '');"
       "CREATE INDEX shop_snapshots_shop ON shop_snapshots(shop_id, id);"
       "CREATE TABLE shop_snapshot_categories (snapshot_id BIGINT NOT NULL REFERENCES shop_snapshots(id) ON DELETE CASCADE, category TEXT NOT NULL, status TEXT NOT NULL, pages INTEGER NOT NULL, requests INTEGER NOT NULL, items INTEGER NOT NULL, groups_opened INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '', duration_ms BIGINT NOT NULL, PRIMARY KEY (snapshot_id, category));"
       "CREATE TABLE shop_items (shop_id BIGINT NOT NULL REFERENCES shop_shops(id), item_id BIGINT NOT NULL, template_id BIGINT, category TEXT NOT NULL, txt TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, price_cents BIGINT, quantity BIGINT, max_count BIGINT, quality BIGINT, max_quality BIGINT, weight DOUBLE PRECISION, caliber TEXT, owner TEXT, infinty INTEGER NOT NULL, added_at BIGINT, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, first_snapshot_id BIGINT NOT NULL, last_snapshot_id BIGINT NOT NULL, listed INTEGER NOT NULL, removed_at BIGINT, detail TEXT NOT NULL, PRIMARY KEY (shop_id, item_id));"
       "CREATE INDEX shop_items_listed ON shop_items(shop_id, listed, category);"
       "CREATE INDEX shop_items_owner ON shop_items(owner);"
       "CREATE INDEX shop_items_price ON shop_items(price_cents);"
       "CREATE INDEX shop_items_template ON shop_items(name, type);"
       "CREATE TABLE shop_observations (snapshot_id BIGINT NOT NULL REFERENCES shop_snapshots(id) ON DELETE CASCADE, item_id BIGINT NOT NULL, category TEXT NOT NULL, template_id BIGINT, name TEXT NOT NULL, type TEXT NOT NULL, price_cents BIGINT, quantity BIGINT, quality BIGINT, max_quality BIGINT, owner TEXT, txt TEXT NOT NULL, PRIMARY KEY (snapshot_id, item_id));"
       "CREATE INDEX shop_observations_item ON shop_observations(item_id, snapshot_id);"
       "CREATE INDEX shop_observations_template ON shop_observations(name, type, snapshot_id);"
       "CREATE TABLE shop_item_changes (id BIGSERIAL PRIMARY KEY, shop_id BIGINT NOT NULL, snapshot_id BIGINT NOT NULL REFERENCES shop_snapshots(id) ON DELETE CASCADE, previous_snapshot_id BIGINT NOT NULL, item_id BIGINT NOT NULL, category TEXT NOT NULL, change_type TEXT NOT NULL, old_price_cents BIGINT, new_price_cents BIGINT, old_quantity BIGINT, new_quantity BIGINT, old_quality BIGINT, new_quality BIGINT, old_owner TEXT, new_owner TEXT, txt TEXT NOT NULL, detected_at BIGINT NOT NULL);"
       "CREATE INDEX shop_item_changes_snapshot ON shop_item_changes(snapshot_id);"
       "CREATE INDEX shop_item_changes_item ON shop_item_changes(item_id, detected_at);"
       "CREATE INDEX shop_item_changes_type ON shop_item_changes(change_type, detected_at);",
       ""},
      {401, "shop_alerts",
       // One row per (rule, item/seller/snapshot): an alert is delivered once.
       "CREATE TABLE shop_alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, rule TEXT NOT NULL, alert_key TEXT NOT NULL,"
       " payload TEXT NOT NULL, created_at BIGINT NOT NULL, delivered_at BIGINT, UNIQUE (rule, alert_key));",
       "CREATE TABLE shop_alerts (id BIGSERIAL PRIMARY KEY, rule TEXT NOT NULL, alert_key TEXT NOT NULL,"
       " payload TEXT NOT NULL, created_at BIGINT NOT NULL, delivered_at BIGINT, UNIQUE (rule, alert_key));",
       ""},
      // One owner per bot account across instances: the instance whose lease is live.
      {402, "shop_bot_leases",
       "CREATE TABLE shop_bot_leases (login VARCHAR(128) NOT NULL PRIMARY KEY, owner VARCHAR(128) NOT NULL,"
       " lease_until BIGINT NOT NULL);",
       "", ""},
  };
}

}  // namespace tzr::shop
