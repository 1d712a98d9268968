#pragma once
// The HTTP semantics of GET /battle/{id}/raw, without I/O: which representation is sent (the
// stored gzip record or the identity bytes), its ETag, conditional requests and single byte
// ranges (RFC 9110 §13, §14). Ranges apply to the identity bytes only: a range of a gzip stream
// is useless to a client that cannot decompress from the middle.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tzr::battles {

// Whether Accept-Encoding admits gzip (present and not q=0).
bool accepts_gzip(std::optional<std::string_view> accept_encoding);

// The strong ETag of one representation of a stored log: its content sha256, with "-gzip" for
// the gzip one (a strong validator must differ between content codings).
std::string raw_etag(std::string_view content_sha256, bool gzip);

// If-None-Match: "*" or a list of entity tags, compared weakly (W/"x" matches "x").
bool if_none_match_hits(std::string_view header, std::string_view etag);

struct ByteRange {
  std::uint64_t first = 0, last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

enum class RangeKind { none, satisfiable, unsatisfiable };
struct RangeRequest {
  RangeKind kind = RangeKind::none;
  ByteRange range;
};

// One "bytes=a-b", "bytes=a-" or "bytes=-n" against a representation of `size` bytes. Several
// ranges, other units and malformed values are ignored (kind none: the whole body, 200), as
// RFC 9110 §14.2 allows; a range starting at or past the end is unsatisfiable (416).
RangeRequest parse_range(std::string_view header, std::uint64_t size);

// If-Range with an entity tag: the range applies only if it is this representation's (strong
// comparison); a date is never a match (the stored log has no Last-Modified).
bool if_range_allows(std::optional<std::string_view> if_range, std::string_view etag);

}  // namespace tzr::battles
