#pragma once
// Idempotency keys with Stripe semantics, stored in the platform database: the same key with the
// same request replays the stored response; with a different request it is refused (422); while
// the first is still running a duplicate gets 409 request_in_progress. Kept for 24 h. Responses of
// 5xx are not kept (nothing definite happened), so the client may retry with the same key.
#include "core/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace tzr::registration {

struct StoredResponse {
  int status = 0;
  std::string body;
};

enum class KeyState { fresh, replay, in_progress, mismatch };

struct KeyClaim {
  KeyState state = KeyState::fresh;
  StoredResponse response;  // for replay
};

class IdempotencyStore {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds
  IdempotencyStore(storage::Database& db, std::int64_t ttl_seconds, std::int64_t running_timeout_seconds, Clock clock);

  // Blocking. Claims (scope, key) for a request identified by fingerprint.
  Result<KeyClaim> claim(std::string_view scope, std::string_view key, std::string_view fingerprint);
  Status complete(std::string_view scope, std::string_view key, const StoredResponse& response);
  Status release(std::string_view scope, std::string_view key);  // forget a claim (5xx, crash paths)
  Result<std::int64_t> purge_expired();

 private:
  storage::Database& db_;
  std::int64_t ttl_;
  std::int64_t running_timeout_;
  Clock clock_;
};

}  // namespace tzr::registration
