#include "battles/raw_store.hpp"

#include "battles/gzip.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>

namespace tzr::battles {
namespace fs = std::filesystem;
namespace {

Error io_error(const std::string& what) { return Error::unavailable("raw_store_io", what); }

bool valid_pack_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || c == '-' || c == '.' || (c >= 'a' && c <= 'z'))) return false;
  return name.find("..") == std::string_view::npos;
}

}  // namespace

RawStore::~RawStore() {
  if (fd_ >= 0) ::close(fd_);
}

Status RawStore::open_pack() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  fs::create_directories(root_ / "packs", ec);
  if (ec) return io_error("cannot create " + (root_ / "packs").string() + ": " + ec.message());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // A pack per writer process: no two writers append to one file.
  pack_ = std::to_string(ms) + "-" + std::to_string(::getpid()) + "-" + std::to_string(sequence_++) + ".pack";
  fd_ = ::open((root_ / "packs" / pack_).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) return io_error("cannot create the pack " + pack_);
  size_ = 0;
  return {};
}

Result<RawLocation> RawStore::put(std::string_view plain, std::string_view gzip_bytes) {
  const std::string compressed = gzip_bytes.empty() ? gzip(plain, kRawStoreGzipLevel) : std::string(gzip_bytes);
  std::lock_guard lock(mu_);
  if (fd_ < 0 || size_ + static_cast<std::int64_t>(compressed.size()) > kMaxPackBytes)
    if (auto st = open_pack(); !st) return st.error();
  RawLocation loc{pack_, size_, static_cast<std::int64_t>(compressed.size())};
  std::size_t done = 0;
  while (done < compressed.size()) {
    const ssize_t n = ::pwrite(fd_, compressed.data() + done, compressed.size() - done, static_cast<off_t>(size_ + static_cast<std::int64_t>(done)));
    if (n <= 0) {
      ::close(fd_);
      fd_ = -1;  // the next put starts a new pack
      return io_error("cannot append to the pack " + pack_);
    }
    done += static_cast<std::size_t>(n);
  }
  size_ += static_cast<std::int64_t>(compressed.size());
  return loc;
}

Result<std::string> RawStore::read(const RawLocation& loc) const {
  if (!valid_pack_name(loc.pack) || loc.offset < 0 || loc.length <= 0 || loc.length > (1LL << 31))
    return Error::make(ErrorKind::not_found, "raw_not_found", "no such raw log");
  const int fd = ::open((root_ / "packs" / loc.pack).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::make(ErrorKind::not_found, "raw_not_found", "the raw log's pack is missing");
  std::string out(static_cast<std::size_t>(loc.length), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(loc.offset + static_cast<std::int64_t>(done)));
    if (n <= 0) {
      ::close(fd);
      return io_error("the raw log's pack is shorter than its index says");
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return out;
}

Result<std::string> RawStore::get_compressed(std::string_view sha) const {
  auto r = db_.query("SELECT pack, byte_offset, length FROM battle_raw WHERE content_sha256 = ?",
                     std::vector<storage::Value>{storage::Value{std::string(sha)}});
  if (!r) return r.error();
  if (r->rows.empty()) return Error::make(ErrorKind::not_found, "raw_not_found", "the raw log is not in the store");
  return read(RawLocation{r->rows[0].text(0), r->rows[0].integer(1), r->rows[0].integer(2)});
}

Result<std::string> RawStore::get_plain(std::string_view sha, std::size_t max_bytes) const {
  auto z = get_compressed(sha);
  if (!z) return z.error();
  return gunzip(*z, max_bytes);
}

}  // namespace tzr::battles
