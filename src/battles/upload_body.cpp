#include "battles/upload_body.hpp"

#include <algorithm>

namespace tzr::battles {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The value of `key=` in a header parameter list (quoted or not).
std::string header_param(std::string_view header, std::string_view key) {
  const std::string h = lower(header);
  std::size_t pos = 0;
  while ((pos = h.find(std::string(key) + "=", pos)) != std::string::npos) {
    if (pos == 0 || h[pos - 1] == ';' || h[pos - 1] == ' ' || h[pos - 1] == '\t') break;
    pos += key.size();
  }
  if (pos == std::string::npos) return {};
  std::size_t start = pos + key.size() + 1;
  if (start < header.size() && header[start] == '"') {
    const auto end = header.find('"', start + 1);
    if (end == std::string_view::npos) return {};
    return std::string(header.substr(start + 1, end - start - 1));
  }
  const auto end = header.find(';', start);
  std::string v(header.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
  return v;
}

}  // namespace

std::string safe_label(std::string_view name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (unsigned char c : name)
    if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
  if (out == "." || out == "..") out.clear();
  if (out.size() > 200) out.resize(200);
  return out;
}

Result<UploadedFile> read_upload(std::string_view content_type, std::string_view body, std::string_view name_param) {
  UploadedFile file;
  if (lower(content_type).rfind("multipart/form-data", 0) != 0) {
    file.name = safe_label(name_param);
    file.bytes.assign(body);
  } else {
    const std::string boundary = header_param(content_type, "boundary");
    if (boundary.empty() || boundary.size() > 200) return Error::bad_request("multipart body without a boundary", "bad_multipart");
    const std::string delim = "--" + boundary;
    std::size_t pos = body.find(delim);
    bool found = false;
    while (pos != std::string_view::npos && !found) {
      pos += delim.size();
      if (body.substr(pos, 2) == "--") break;  // closing delimiter
      const auto headers_end = body.find("\r\n\r\n", pos);
      if (headers_end == std::string_view::npos) return Error::bad_request("malformed multipart part", "bad_multipart");
      const std::string_view headers = body.substr(pos, headers_end - pos);
      const auto content_start = headers_end + 4;
      const auto next = body.find("\r\n" + delim, content_start);
      if (next == std::string_view::npos) return Error::bad_request("unterminated multipart part", "bad_multipart");
      std::string disposition;
      for (std::size_t line = 0; line < headers.size();) {
        auto eol = headers.find("\r\n", line);
        std::string_view h = headers.substr(line, eol == std::string_view::npos ? std::string_view::npos : eol - line);
        if (lower(h).rfind("content-disposition:", 0) == 0) disposition = std::string(h.substr(20));
        if (eol == std::string_view::npos) break;
        line = eol + 2;
      }
      if (header_param(disposition, "name") == "file") {
        file.name = safe_label(header_param(disposition, "filename"));
        file.bytes.assign(body.substr(content_start, next - content_start));
        found = true;
      }
      pos = next + 2;
    }
    if (!found) return Error::bad_request("the multipart body has no 'file' part", "file_missing");
  }
  if (file.name.empty()) return Error::bad_request("the upload needs a file name ending in .tzb or .tzb.gz", "bad_file_name");
  auto ends = [&file](std::string_view s) {
    return file.name.size() > s.size() && file.name.compare(file.name.size() - s.size(), s.size(), s) == 0;
  };
  if (!ends(".tzb") && !ends(".tzb.gz")) return Error::bad_request("only .tzb and .tzb.gz files are accepted", "bad_file_name");
  return file;
}

}  // namespace tzr::battles
