#include "registration/outbox.hpp"

#include <chrono>

namespace tzr::registration {

using storage::Value;

Status SqlOutbox::append(std::string_view topic, std::string_view payload_json) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  Value params[] = {Value{std::string(topic)}, Value{std::string(payload_json)}, Value{static_cast<std::int64_t>(now)}};
  auto r = db_.query("INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)", params);
  if (!r) return r.error();
  return {};
}

Result<std::vector<OutboxEvent>> SqlOutbox::pending(std::size_t limit) const {
  Value p{static_cast<std::int64_t>(limit)};
  auto r = db_.query("SELECT id, topic, payload, created_at FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?",
                     std::span(&p, 1));
  if (!r) return r.error();
  std::vector<OutboxEvent> out;
  for (const auto& row : r->rows) out.push_back({row.integer(0), row.text(1), row.text(2), row.integer(3)});
  return out;
}

Status SqlOutbox::mark_delivered(std::int64_t id) const {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  Value params[] = {Value{static_cast<std::int64_t>(now)}, Value{id}};
  auto r = db_.query("UPDATE outbox SET delivered_at = ? WHERE id = ?", params);
  if (!r) return r.error();
  return {};
}

}  // namespace tzr::registration
