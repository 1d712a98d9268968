#include "core/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace tzr {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter().Name("tzr_http_requests_total").Help("HTTP requests served").Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency = prometheus::BuildHistogram()
                                                           .Name("tzr_http_request_duration_seconds")
                                                           .Help("HTTP request latency from parsed request to response")
                                                           .Register(*registry);
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

prometheus::Registry& Metrics::registry() { return *impl_->registry; }

void Metrics::observe_http(std::string_view service, std::string_view route, std::string_view method, int status,
                           double seconds) {
  static const prometheus::Histogram::BucketBoundaries buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                               0.025,  0.05,    0.1,    0.25,  0.5,    1,    2.5, 5};
  std::string route_label(route.empty() ? std::string_view("unmatched") : route);
  impl_->requests
      .Add({{"service", std::string(service)},
            {"route", route_label},
            {"method", std::string(method)},
            {"status", std::to_string(status)}})
      .Increment();
  impl_->latency.Add({{"service", std::string(service)}, {"route", route_label}}, buckets).Observe(seconds);
}

std::string Metrics::render() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(impl_->registry->Collect());
}

}  // namespace tzr
