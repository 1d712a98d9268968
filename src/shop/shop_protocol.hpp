#pragma once
// The shop side of the game socket protocol (shop.md §1.2–§1.7), without I/O: the frames the
// bot sends and a NUL-delimited reader of what the server sends back.
#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tzr::shop {

// Escapes & < > " (the reference interpolated values raw).
std::string escape_value(std::string_view value);

// Each ends with its NUL byte. The LOGIN attribute order and constants mimic a client build.
std::string login_frame(std::string_view login, std::string_view key);
std::string getme_frame();
std::string keepalive_frame();
std::string shop_frame(std::string_view category, std::string_view filter, std::int64_t page);

// Bytes in, whole messages out: each message is the text before a NUL, with 0x1F filler
// removed; blank messages are skipped. A message longer than max_message fails the stream.
class FrameReader {
 public:
  explicit FrameReader(std::size_t max_message = 4 * 1024 * 1024) : max_(max_message) {}
  // Error code "shop_frame_too_large" when the unfinished message exceeds the bound.
  Status append(std::string_view bytes);
  std::optional<std::string> next();
  void clear() { buffer_.clear(); }
  std::size_t pending() const { return buffer_.size(); }

 private:
  std::string buffer_;
  std::size_t max_;
};

enum class MessageKind { shop_page, error, other };
// <SH …> is a shop page; <ERROR …> / <ERR …> an error; MYPARAM and anything else: other.
MessageKind classify(std::string_view message);
// The text an error frame carries (msg, code or the raw text), for error messages.
std::string error_text(std::string_view message);

}  // namespace tzr::shop
