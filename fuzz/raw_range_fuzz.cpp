// libFuzzer target for the request headers of GET /battle/{id}/raw (Range, If-None-Match,
// If-Range, Accept-Encoding): nothing may crash, and a satisfiable range lies inside the body.
#include "battles/raw_http.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace tzr::battles;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::uint64_t body : {0ULL, 1ULL, 1000ULL}) {
    const RangeRequest r = parse_range(input, body);
    if (r.kind == RangeKind::satisfiable && (r.range.first > r.range.last || r.range.last >= body)) __builtin_trap();
  }
  (void)if_none_match_hits(input, "\"ab\"");
  (void)if_range_allows(input, "\"ab\"");
  (void)accepts_gzip(input);
  return 0;
}
