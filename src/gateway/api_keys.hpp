#pragma once
// The gateway's API keys: several named keys, from the configuration and/or a secret file,
// kept only as SHA-256 digests and compared in constant time. Reloadable (SIGHUP) without a
// restart; logs name a key or show a short digest, never the key.
#include "core/error.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tzr::gateway {

class ApiKeyRing {
 public:
  // entries: "name:key" or a bare key (named key1, key2, …). file: lines "name key" or "key";
  // blank lines and lines starting with # are ignored. Keys shorter than 16 characters are refused.
  static Result<ApiKeyRing> load(const std::vector<std::string>& entries, const std::string& file);

  // The name of the key that matches, or nullopt. Runs in time independent of which key matched.
  std::optional<std::string> match(std::string_view presented) const;
  std::size_t size() const { return keys_.size(); }

 private:
  struct Key {
    std::string name;
    std::string digest;  // SHA-256 hex
  };
  std::vector<Key> keys_;
};

// A short, non-reversible tag of a presented key for logs (first 8 hex digits of its SHA-256).
std::string key_tag(std::string_view presented);

class ApiKeys {
 public:
  ApiKeys(std::vector<std::string> entries, std::string file) : entries_(std::move(entries)), file_(std::move(file)) {}
  Status reload();  // keeps the old ring when the new one fails to load
  std::optional<std::string> match(std::string_view presented) const;
  std::size_t size() const;

 private:
  std::vector<std::string> entries_;
  std::string file_;
  mutable std::mutex mu_;
  std::shared_ptr<const ApiKeyRing> ring_ = std::make_shared<ApiKeyRing>();
};

}  // namespace tzr::gateway
