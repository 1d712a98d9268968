#pragma once
// Prometheus metrics (prometheus-cpp): one registry per process, rendered as text on /metrics.
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace tzr {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // For features that register their own families.
  prometheus::Registry& registry();

  // Counts a served request and records its latency, labelled by service and route pattern
  // (never the raw path, which would make label cardinality unbounded).
  void observe_http(std::string_view service, std::string_view route, std::string_view method, int status,
                    double seconds);

  std::string render() const;  // Prometheus text exposition format 0.0.4

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tzr
