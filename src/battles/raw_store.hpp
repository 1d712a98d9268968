#pragma once
// The raw battle logs, compressed, in append-only pack files: {root}/packs/{ms}-{pid}-{n}.pack,
// each record the gzip of one log, located by the battle_raw table (content sha256 → pack,
// offset, length), whose row is written in the same transaction as the battle. Many logs per
// file instead of one file per battle (battles.md §7.1.10): creating 100k small files was half
// of ingest's CPU time. A crash between the append and the commit leaves unreferenced bytes in a
// pack, never a reference to missing bytes. gzip, not zstd: `GET /battle/{id}/raw` sends the
// stored record as it is to any client that accepts `Content-Encoding: gzip`.
#include "core/error.hpp"
#include "storage/database.hpp"

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

namespace tzr::battles {

struct RawLocation {
  std::string pack;  // file name under packs/
  std::int64_t offset = 0;
  std::int64_t length = 0;
  std::string key() const { return "packs/" + pack + "@" + std::to_string(offset); }
};

class RawStore {
 public:
  RawStore(std::filesystem::path root, storage::Database& db) : root_(std::move(root)), db_(db) {}
  ~RawStore();
  RawStore(const RawStore&) = delete;
  RawStore& operator=(const RawStore&) = delete;

  // Appends the log (plain bytes compressed here, or gzip bytes kept as they are). Thread-safe.
  // Error code: "raw_store_io".
  Result<RawLocation> put(std::string_view plain, std::string_view gzip_bytes = {});
  // The stored gzip record of a content sha256. Error codes: "raw_not_found", "raw_store_io".
  Result<std::string> get_compressed(std::string_view sha256_hex) const;
  Result<std::string> get_plain(std::string_view sha256_hex, std::size_t max_bytes = 256u << 20) const;
  Result<std::string> read(const RawLocation& location) const;
  const std::filesystem::path& root() const { return root_; }

  static constexpr std::int64_t kMaxPackBytes = 1LL << 30;  // a new pack after 1 GiB

 private:
  Status open_pack();  // with mu_ held

  std::filesystem::path root_;
  storage::Database& db_;
  mutable std::mutex mu_;
  int fd_ = -1;
  std::string pack_;
  std::int64_t size_ = 0;
  unsigned sequence_ = 0;
};

}  // namespace tzr::battles
