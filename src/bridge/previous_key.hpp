#pragma once
// Checks that passed only with a previous bridge key (bridge.*_previous): counted in
// tzr_bridge_previous_key_total{end, key} and said at info at most once a minute per key, so an
// operator sees when the rotation can be finished (the counter stops growing). No key, token or
// frame is ever part of the line.
#include "core/metrics.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace prometheus {
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace tzr::bridge {

class PreviousKeyUse {
 public:
  // end: "agent" or "hub".
  PreviousKeyUse(Metrics& metrics, std::string end);

  // key: "hmac", "aes" or "jwt"; who: the job id or agent id the line may name.
  void record(std::string_view key, std::string_view who);

 private:
  prometheus::Family<prometheus::Counter>& family_;
  std::string end_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> last_logged_;
};

}  // namespace tzr::bridge
