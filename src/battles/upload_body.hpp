#pragma once
// The body of POST /battles/upload: multipart/form-data with a `file` part (what the reference
// and browsers send), or the raw bytes with the name in ?name=. The name is a label only: it is
// reduced to its last path segment and never used to build a path.
#include "core/error.hpp"

#include <string>
#include <string_view>

namespace tzr::battles {

struct UploadedFile {
  std::string name;
  std::string bytes;
};

// Error codes: "bad_multipart", "file_missing", "bad_file_name".
Result<UploadedFile> read_upload(std::string_view content_type, std::string_view body, std::string_view name_param);

// Last path segment, control characters removed, at most 200 bytes; "" when nothing is left.
std::string safe_label(std::string_view name);

}  // namespace tzr::battles
