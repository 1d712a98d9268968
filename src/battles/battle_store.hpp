#pragma once
// The battles storage port and its SQL adapter (SQLite and PostgreSQL through storage::Database).
// Writes are batched: one transaction per batch, multi-row INSERTs, so that ingest reaches
// thousands of battles per second on SQLite. Every write is idempotent: a log whose content
// (sha256 of its bytes) was already ingested is a duplicate; a battle id already stored is
// replaced by a newer, different log of the same battle. A damaged log (any parse error) is
// recorded as failed with its reason and is not stored.
#include "battles/ingest_observer.hpp"
#include "battles/model.hpp"
#include "battles/raw_store.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace tzr::battles {

class IngestMetrics;

enum class IngestStatus { stored, replaced, duplicate, failed, kept };
std::string_view ingest_status_name(IngestStatus s);

struct IngestItem {
  std::string source;        // file, upload, watch, sync:<account>, reprocess
  std::string name;          // file name or battle id as text
  ParseOutcome outcome;
  std::int64_t parse_us = 0;
  std::optional<RawLocation> raw;  // where its bytes were appended (indexed with the batch)
};

struct IngestRecord {
  IngestStatus status = IngestStatus::failed;
  std::int64_t battle_id = 0;
  std::string error_code, error_message;
};

struct BattleQuery {
  std::optional<std::int64_t> from_ts, to_ts;
  std::optional<std::string> player, clan, battle_type, monster_kind;
  std::optional<std::int64_t> x_min, x_max, y_min, y_max;
  std::optional<bool> pvp;            // true: PvP only; false: PvE only (has monsters, no PvP)
  // Keyset: battles strictly before (ts, id) in the order ts DESC, id DESC.
  std::optional<std::int64_t> after_ts, after_id;
  int limit = 50;
};

struct BattleSummary {
  std::int64_t battle_id = 0;
  std::optional<std::int64_t> ts;
  int turns = 0;
  std::optional<std::string> battle_type;
  std::int64_t loc_x = 0, loc_y = 0;
  std::int64_t players_cnt = 0, monsters_cnt = 0;
  bool has_pvp = false, has_monsters = false;
};

struct BattlePage {
  std::vector<BattleSummary> battles;
  std::optional<std::pair<std::int64_t, std::int64_t>> next;  // (ts, id) cursor of the last row
};

struct StoredBattle {
  BattleSummary summary;
  std::string content_sha256;
  std::int64_t size_bytes = 0;
  int parser_version = 0;
  bool complete = true;
  std::string data;  // model_json without events
};

struct PlayerMatch {
  std::string login;
  std::int64_t battles = 0;
  std::optional<std::int64_t> last_ts;
};

struct IngestStats {
  std::int64_t battles = 0;
  std::map<std::string, std::int64_t> by_status;  // ingest log rows per status
  std::vector<boost::json::object> recent_failures;
  std::optional<std::int64_t> newest_battle_id;
};

// Latin and Cyrillic lower case (ё → е), the key of player search.
std::string login_key(std::string_view login);

class BattleStore {
 public:
  explicit BattleStore(storage::Database& db) : db_(db) {}

  // Which of these content hashes were ingested already (stored, replaced or failed).
  Result<std::unordered_set<std::string>> known_contents(const std::vector<std::string>& sha256s);
  // One transaction for the whole batch; records[i] answers items[i]. The observer, when set,
  // sees the batch's new battles inside that transaction.
  Result<std::vector<IngestRecord>> write_batch(const std::vector<IngestItem>& items);
  // Set before the first write; not owned (it outlives the store's writers).
  void set_observer(IngestObserver* observer) { observer_ = observer; }
  // Counts every committed batch (battles/observability.hpp); set before the first write, not owned.
  void set_metrics(IngestMetrics* metrics) { metrics_ = metrics; }

  // Re-parse of a stored battle (same content, newer parser): replaces its rows in place.
  Status write_reparsed(const IngestItem& item);

  Result<BattlePage> list(const BattleQuery& q);
  Result<std::optional<StoredBattle>> get(std::int64_t battle_id);
  Result<std::vector<PlayerMatch>> search_players(std::string_view text, bool prefix, int limit);
  Result<IngestStats> ingest_stats(int failures);
  Result<std::vector<std::pair<std::int64_t, std::string>>> older_than_parser(int version, int limit);  // (id, content)
  Result<std::int64_t> count_battles();

  storage::Database& database() { return db_; }

 private:
  storage::Database& db_;
  IngestObserver* observer_ = nullptr;
  IngestMetrics* metrics_ = nullptr;
};

}  // namespace tzr::battles
