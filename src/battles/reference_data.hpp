#pragma once
// Reference data beside the battles (battles.md §7.2 "Schema"): the monster kinds with their
// English and Russian names (§1.11), the map templates seen in the logs (§1.4: one map id is
// reused at many locations) and the item names of the loot with deterministic ids (the
// reference's ids came from a per-process salted hash, §7.1.7).
#include "battles/battle_store.hpp"
#include "storage/migrations.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tzr::battles {

struct MonsterKindName {
  std::string_view kind, name_en, name_ru;
};
// Every kind parser.cpp's monster_kind() can return, "unknown" last.
const std::vector<MonsterKindName>& monster_kind_names();

// The id of an item name: the first 63 bits of its sha256, so that every process, every store and
// every re-ingest gives one name the same id.
std::int64_t item_id_of(std::string_view item_name);

// Migration 320: monster_kinds (filled), map_templates, item_names.
storage::Migration reference_data_migration();

// Called by BattleStore::write_batch inside the batch's transaction: records the maps and item
// names these battles bring that the store has not seen (the first battle that showed a map
// stays its first sighting).
Status record_reference_data(storage::Session& s, const std::vector<const IngestItem*>& battles);

struct MapTemplate {
  std::string map_id;
  std::vector<std::string> rows;
  std::string checksum;  // sha256 of the rows joined by '\n'
  std::int64_t first_battle_id = 0;
  std::optional<std::int64_t> first_seen_ts;
};

Result<std::optional<MapTemplate>> read_map_template(storage::Database& db, std::string_view map_id);
// Map ids, first seen last, at most limit.
Result<std::vector<boost::json::object>> list_map_templates(storage::Database& db, int limit);
// Item names with their ids, by name, at most limit.
Result<std::vector<boost::json::object>> list_item_names(storage::Database& db, int limit);
// How many battles and monsters of one kind (its variants included) the store holds.
Result<boost::json::object> monster_kind_stats(storage::Database& db, std::string_view kind);

}  // namespace tzr::battles
