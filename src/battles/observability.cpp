#include "battles/observability.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <unistd.h>

namespace tzr::battles {

IngestMetrics::IngestMetrics(Metrics& metrics) {
  auto& reg = metrics.registry();
  outcomes_ = &prometheus::BuildCounter().Name("tzr_battles_ingest_total").Help("Ingested battle logs, by outcome").Register(reg);
  parse_errors_ = &prometheus::BuildCounter()
                       .Name("tzr_battles_parse_errors_total")
                       .Help("Battle logs recorded as failed, by error class (malformed_xml, invalid_utf8, too_large, …)")
                       .Register(reg);
  auto& bytes = prometheus::BuildCounter()
                    .Name("tzr_battles_raw_bytes_total")
                    .Help("Raw log bytes of newly stored logs that arrived uncompressed: as received (plain) and as stored (gzip)")
                    .Register(reg);
  plain_bytes_ = &bytes.Add({{"form", "plain"}});
  stored_bytes_ = &bytes.Add({{"form", "stored"}});
  ratio_ = &prometheus::BuildGauge()
                .Name("tzr_battles_raw_compression_ratio")
                .Help("Plain bytes / stored bytes of the raw logs counted in tzr_battles_raw_bytes_total")
                .Register(reg)
                .Add({});
}

void IngestMetrics::record(const std::vector<IngestItem>& items, const std::vector<IngestRecord>& records) {
  for (std::size_t i = 0; i < items.size() && i < records.size(); ++i) {
    const auto& rec = records[i];
    outcomes_->Add({{"status", std::string(ingest_status_name(rec.status))}}).Increment();
    if (rec.status == IngestStatus::failed) parse_errors_->Add({{"class", rec.error_code.empty() ? "unknown" : rec.error_code}}).Increment();
    // A log that arrived gzipped is stored as it came: it says nothing about our compression.
    const auto& it = items[i];
    if (it.raw && !it.outcome.source.compressed && rec.status != IngestStatus::duplicate) {
      plain_bytes_->Increment(static_cast<double>(it.outcome.source.size_bytes));
      stored_bytes_->Increment(static_cast<double>(it.raw->length));
    }
  }
  if (stored_bytes_->Value() > 0) ratio_->Set(plain_bytes_->Value() / stored_bytes_->Value());
}

bool raw_store_writable(const std::filesystem::path& root) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);  // the store makes it at its first write anyway
  return std::filesystem::is_directory(root, ec) && ::access(root.c_str(), W_OK | X_OK) == 0;
}

}  // namespace tzr::battles
