#include "gateway/api_keys.hpp"

#include "crypto/hash.hpp"

#include <fstream>
#include <sstream>

namespace tzr::gateway {
namespace {
constexpr std::size_t kMinKeyLength = 16;

Error bad_key(std::string what) { return Error::bad_request("gateway API keys: " + std::move(what), "config_error"); }
}  // namespace

std::string key_tag(std::string_view presented) { return crypto::sha256_hex(presented).substr(0, 8); }

Result<ApiKeyRing> ApiKeyRing::load(const std::vector<std::string>& entries, const std::string& file) {
  ApiKeyRing ring;
  auto add = [&ring](std::string name, std::string key) -> Status {
    if (key.size() < kMinKeyLength)
      return bad_key("key '" + name + "' is shorter than 16 characters (make one with `tzrhost keygen`)");
    for (const auto& k : ring.keys_)
      if (k.name == name) return bad_key("two keys are named '" + name + "'");
    ring.keys_.push_back({std::move(name), crypto::sha256_hex(key)});
    return {};
  };
  int unnamed = 0;
  for (const auto& e : entries) {
    auto colon = e.find(':');
    auto st = colon == std::string::npos ? add("key" + std::to_string(++unnamed), e) : add(e.substr(0, colon), e.substr(colon + 1));
    if (!st) return st.error();
  }
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return bad_key("cannot read " + file);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string first, second;
      words >> first >> second;
      if (first.empty() || first[0] == '#') continue;
      auto st = second.empty() ? add("key" + std::to_string(++unnamed), first) : add(first, second);
      if (!st) return st.error();
    }
  }
  return ring;
}

std::optional<std::string> ApiKeyRing::match(std::string_view presented) const {
  const std::string digest = crypto::sha256_hex(presented);
  std::optional<std::string> found;
  for (const auto& k : keys_)  // no early exit: the time does not tell which key matched
    if (crypto::constant_time_equal(k.digest, digest)) found = k.name;
  return found;
}

Status ApiKeys::reload() {
  auto ring = ApiKeyRing::load(entries_, file_);
  if (!ring) return ring.error();
  auto next = std::make_shared<const ApiKeyRing>(std::move(*ring));
  std::lock_guard lk(mu_);
  ring_ = std::move(next);
  return {};
}

std::optional<std::string> ApiKeys::match(std::string_view presented) const {
  std::shared_ptr<const ApiKeyRing> ring;
  {
    std::lock_guard lk(mu_);
    ring = ring_;
  }
  return ring->match(presented);
}

std::size_t ApiKeys::size() const {
  std::lock_guard lk(mu_);
  return ring_->size();
}

}  // namespace tzr::gateway
