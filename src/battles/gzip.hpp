#pragma once
// gzip in memory (zlib) for `.tzb.gz` input and the compressed raw store. Decompression is bounded:
// a gzip bomb stops at max_output bytes with "too_large".
#include "core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace tzr::battles {

inline bool looks_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b;
}

// Error codes: "gzip_invalid", "too_large".
Result<std::string> gunzip(std::string_view compressed, std::size_t max_output);
std::string gzip(std::string_view data, int level = 6);
// The raw store's level: three times faster than 6 for a few percent more bytes on battle logs.
inline constexpr int kRawStoreGzipLevel = 1;

}  // namespace tzr::battles
