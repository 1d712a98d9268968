#include "net/static_files.hpp"

#include <fstream>
#include <sstream>

namespace tzr::net {
namespace fs = std::filesystem;

std::string content_type_for(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

Result<std::map<std::string, StaticFile>> load_static_files(const fs::path& root) {
  std::map<std::string, StaticFile> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    out[fs::relative(it->path(), root).generic_string()] = StaticFile{content_type_for(it->path()), body.str()};
  }
  if (ec) return Error::unavailable("static_files", "cannot read " + root.string() + ": " + ec.message());
  return out;
}

}  // namespace tzr::net
