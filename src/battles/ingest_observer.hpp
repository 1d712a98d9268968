#pragma once
// What another feature learns from the battles ingest, inside the batch's own transaction: the
// battles a batch adds to the store. The antibot keeps its per-player state with it; the battles
// feature knows nothing of who listens.
#include "battles/model.hpp"
#include "storage/database.hpp"

#include <vector>

namespace tzr::battles {

class IngestObserver {
 public:
  virtual ~IngestObserver() = default;
  // Called by BattleStore::write_batch after the batch's rows are written and before COMMIT,
  // with every battle whose id the store did not hold before the batch, once (an id repeated in
  // the batch comes as its winning copy), in id order. Not passed: duplicates, failed logs,
  // replacements of a stored battle, re-parses. An error rolls the whole batch back. The
  // transaction may be retried, so an observer writes only through the session.
  virtual Status on_batch(storage::Session& session, const std::vector<const BattleLog*>& new_battles) = 0;
};

}  // namespace tzr::battles
