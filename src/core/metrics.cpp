#include "core/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <unordered_map>

namespace tzr {

namespace {
std::atomic<std::uint64_t> next_registry_id{1};
}

struct Metrics::Impl {
  // Identifies this registry in per-thread caches (an address could be reused after free).
  const std::uint64_t id = next_registry_id.fetch_add(1);
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
  // Family::Add hashes the label set under a lock; a per-thread cache of the series keeps that
  // off the hot path. Series are never removed, so the pointers stay valid.
  struct Series {
    prometheus::Counter* requests;
    prometheus::Histogram* latency;
  };
  thread_local std::unordered_map<std::string, Series> cache;
  thread_local std::uint64_t cache_owner = 0;
  if (cache_owner != impl_->id) {
    cache.clear();
    cache_owner = impl_->id;
  }
  std::string_view route_label = route.empty() ? std::string_view("unmatched") : route;
  std::string key;
  key.reserve(service.size() + route_label.size() + method.size() + 8);
  key.append(service).append(1, '\x1f').append(route_label).append(1, '\x1f').append(method).append(1, '\x1f');
  key.append(std::to_string(status));
  auto it = cache.find(key);
  if (it == cache.end()) {
    Series s{&impl_->requests.Add({{"service", std::string(service)},
                                   {"route", std::string(route_label)},
                                   {"method", std::string(method)},
                                   {"status", std::to_string(status)}}),
             &impl_->latency.Add({{"service", std::string(service)}, {"route", std::string(route_label)}}, buckets)};
    it = cache.emplace(std::move(key), s).first;
  }
  it->second.requests->Increment();
  it->second.latency->Observe(seconds);
}

std::string Metrics::render() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(impl_->registry->Collect());
}

}  // namespace tzr
