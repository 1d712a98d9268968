#pragma once
// Transactional-outbox events in the platform database (replaces the reference's lossy Redis
// list): each successful registration leaves one row that a relay can deliver later.
#include "core/error.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tzr::registration {

class EventOutbox {
 public:
  virtual ~EventOutbox() = default;
  virtual Status append(std::string_view topic, std::string_view payload_json) = 0;  // blocking
};

struct OutboxEvent {
  std::int64_t id = 0;
  std::string topic;
  std::string payload;
  std::int64_t created_at = 0;
};

class SqlOutbox final : public EventOutbox {
 public:
  explicit SqlOutbox(storage::Database& db) : db_(db) {}
  Status append(std::string_view topic, std::string_view payload_json) override;
  // Oldest undelivered events first.
  Result<std::vector<OutboxEvent>> pending(std::size_t limit) const;
  Status mark_delivered(std::int64_t id) const;

 private:
  storage::Database& db_;
};

}  // namespace tzr::registration
