#include "bridge/previous_key.hpp"

#include "core/log.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace tzr::bridge {

// The agent and the hub may share a registry (one process): same name, same help, one family.
PreviousKeyUse::PreviousKeyUse(Metrics& metrics, std::string end)
    : family_(prometheus::BuildCounter()
                  .Name("tzr_bridge_previous_key_total")
                  .Help("Bridge checks (job/result HMAC, password blob, agent token) that passed only with the previous key")
                  .Register(metrics.registry())),
      end_(std::move(end)) {}

void PreviousKeyUse::record(std::string_view key, std::string_view who) {
  family_.Add({{"end", end_}, {"key", std::string(key)}}).Increment();
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = last_logged_.find(key);
    if (it != last_logged_.end() && now - it->second < std::chrono::minutes(1)) return;
    last_logged_.insert_or_assign(std::string(key), now);
  }
  spdlog::info("{}: {} accepted with the previous bridge {} key; the other end has not rotated yet", end_, who, key);
}

}  // namespace tzr::bridge
