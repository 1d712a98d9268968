#pragma once
// Unix seconds as ISO-8601 UTC text, the one timestamp format of every JSON answer.
#include <cstdint>
#include <string>

namespace tzr {

std::string iso_utc(std::int64_t unix_seconds);  // 2025-10-02T18:10:20Z

}  // namespace tzr
