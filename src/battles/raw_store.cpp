#include "battles/raw_store.hpp"

#include "battles/gzip.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace tzr::battles {
namespace fs = std::filesystem;
namespace {

bool valid_key(std::string_view sha) {
  if (sha.size() != 64) return false;
  for (char c : sha)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Error io_error(const std::string& what) { return Error::unavailable("raw_store_io", what); }

}  // namespace

fs::path RawStore::path_of(std::string_view sha) const {
  return root_ / std::string(sha.substr(0, 2)) / (std::string(sha) + ".tzb.gz");
}

bool RawStore::contains(std::string_view sha) const {
  std::error_code ec;
  return valid_key(sha) && fs::exists(path_of(sha), ec);
}

Result<std::string> RawStore::put(std::string_view plain, std::string_view sha, std::string_view gzip_bytes) {
  if (!valid_key(sha)) return Error::bad_request("raw store key must be a lower-case sha256", "raw_store_io");
  const fs::path final_path = path_of(sha);
  std::error_code ec;
  if (fs::exists(final_path, ec)) return std::string(sha);
  fs::create_directories(final_path.parent_path(), ec);
  if (ec) return io_error("cannot create " + final_path.parent_path().string() + ": " + ec.message());
  const std::string compressed = gzip_bytes.empty() ? gzip(plain, kRawStoreGzipLevel) : std::string(gzip_bytes);
  static std::atomic<unsigned> counter{0};
  const fs::path tmp = final_path.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("cannot create " + tmp.string());
    std::size_t off = 0;
    while (off < compressed.size()) {
      const ssize_t n = ::write(fd, compressed.data() + off, compressed.size() - off);
      if (n <= 0) {
        ::close(fd);
        fs::remove(tmp, ec);
        return io_error("cannot write " + tmp.string());
      }
      off += static_cast<std::size_t>(n);
    }
    ::close(fd);
  }
  fs::rename(tmp, final_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return io_error("cannot rename into " + final_path.string());
  }
  return std::string(sha);
}

Result<std::string> RawStore::get_compressed(std::string_view sha) const {
  if (!valid_key(sha)) return Error::make(ErrorKind::not_found, "raw_not_found", "no such raw log");
  std::ifstream in(path_of(sha), std::ios::binary);
  if (!in) return Error::make(ErrorKind::not_found, "raw_not_found", "the raw log is not in the store");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error("cannot read the raw log");
  return ss.str();
}

Result<std::string> RawStore::get_plain(std::string_view sha, std::size_t max_bytes) const {
  auto z = get_compressed(sha);
  if (!z) return z.error();
  return gunzip(*z, max_bytes);
}

}  // namespace tzr::battles
