#include "net/query_params.hpp"

#include <charconv>

namespace tzr::net {

Error bad_param(const std::string& name, const std::string& why, ErrorKind kind) {
  Error e = Error::make(kind, kind == ErrorKind::unprocessable ? "unknown_" + name : "invalid_parameter",
                        "query parameter '" + name + "': " + why);
  e.fields.push_back({name, why});
  return e;
}

Result<std::int64_t> int_param(const HttpRequest& req, const std::string& name, std::int64_t fallback, std::int64_t lo,
                               std::int64_t hi) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return fallback;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || p != v->data() + v->size() || n < lo || n > hi)
    return bad_param(name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return n;
}

}  // namespace tzr::net
