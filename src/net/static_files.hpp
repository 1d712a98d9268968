#pragma once
// A folder of built web files (the dashboard's dist/, the API reference's dist/docs/) read into
// memory once at start-up, keyed by their path relative to the folder ("assets/app-1a2b.js").
#include "core/error.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace tzr::net {

struct StaticFile {
  std::string content_type;
  std::string body;
};

// The Content-Type a browser needs for the file's extension (strict MIME checks, nosniff).
std::string content_type_for(const std::filesystem::path& file);

// Every regular file under root; an error when root cannot be read.
Result<std::map<std::string, StaticFile>> load_static_files(const std::filesystem::path& root);

}  // namespace tzr::net
