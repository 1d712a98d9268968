#pragma once
// The raw battle logs, compressed and content-addressed: {root}/{sha[0:2]}/{sha}.tzb.gz where sha
// is the SHA-256 of the log's uncompressed bytes. A file is written under a temporary name and
// renamed into place, so a reader (or a crash) never sees half a file; writing the same log
// twice is a no-op. gzip, not zstd: the stored bytes go out unchanged to any HTTP client that
// accepts `Content-Encoding: gzip`.
#include "core/error.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace tzr::battles {

class RawStore {
 public:
  explicit RawStore(std::filesystem::path root) : root_(std::move(root)) {}

  // Stores the log (plain bytes, or gzip bytes, which are kept as they are). Returns the key
  // (the content sha256). Error code: "raw_store_io".
  Result<std::string> put(std::string_view plain, std::string_view sha256_hex, std::string_view gzip_bytes = {});
  bool contains(std::string_view sha256_hex) const;
  // The stored gzip bytes. Error codes: "raw_not_found", "raw_store_io".
  Result<std::string> get_compressed(std::string_view sha256_hex) const;
  Result<std::string> get_plain(std::string_view sha256_hex, std::size_t max_bytes = 256u << 20) const;
  std::filesystem::path path_of(std::string_view sha256_hex) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace tzr::battles
