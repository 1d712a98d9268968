#include "battles/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <new>

namespace tzr::battles {

Result<std::string> gunzip(std::string_view compressed, std::size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Error::internal("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(std::min<std::size_t>(compressed.size(), UINT32_MAX));
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Error::bad_request("not a valid gzip stream", "gzip_invalid");
    }
    const std::size_t got = sizeof buf - zs.avail_out;
    if (out.size() + got > max_output) {
      inflateEnd(&zs);
      return Error::make(ErrorKind::payload_too_large, "too_large",
                         "decompressed log is larger than " + std::to_string(max_output) + " bytes");
    }
    out.append(buf, got);
    if (rc == Z_OK && got == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return Error::bad_request("truncated gzip stream", "gzip_invalid");
    }
  }
  inflateEnd(&zs);
  return out;
}

namespace {

// A deflate state kept per thread and window size and reset per use: a fresh deflateInit2 (its
// 256 KiB of tables, allocated and cleared) cost more than compressing a 3 KB battle log. The
// window and hash are sized to the input (a log smaller than the window loses nothing).
class Deflaters {
 public:
  ~Deflaters() {
    for (auto& d : by_bits_)
      if (d.ready) deflateEnd(&d.zs);
  }
  z_stream* get(std::size_t size, int level) {
    int bits = 9;
    while (bits < MAX_WBITS && (std::size_t{1} << bits) < size) ++bits;
    auto& d = by_bits_[static_cast<std::size_t>(bits - 9)];
    if (d.ready && d.level != level) {
      deflateEnd(&d.zs);
      d.ready = false;
    }
    if (!d.ready) {
      d.zs = z_stream{};
      const int mem_level = std::clamp(bits - 6, 1, 8);  // hash table of 2^(mem_level+7) entries
      if (deflateInit2(&d.zs, level, Z_DEFLATED, 16 + bits, mem_level, Z_DEFAULT_STRATEGY) != Z_OK) return nullptr;
      d.ready = true;
      d.level = level;
    } else if (deflateReset(&d.zs) != Z_OK) {
      return nullptr;
    }
    return &d.zs;
  }

 private:
  struct One {
    z_stream zs{};
    bool ready = false;
    int level = 0;
  };
  std::array<One, MAX_WBITS - 8> by_bits_{};
};

}  // namespace

std::string gzip(std::string_view data, int level) {
  thread_local Deflaters deflaters;
  z_stream* zs = deflaters.get(data.size(), level);
  if (!zs) throw std::bad_alloc();  // deflateInit2 fails only without memory
  std::string out;
  out.resize(deflateBound(zs, static_cast<uLong>(data.size())) + 32);
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs->avail_in = static_cast<uInt>(data.size());
  zs->next_out = reinterpret_cast<Bytef*>(out.data());
  zs->avail_out = static_cast<uInt>(out.size());
  deflate(zs, Z_FINISH);
  out.resize(zs->total_out);
  return out;
}

}  // namespace tzr::battles
