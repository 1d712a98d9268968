#pragma once
// Query-parameter checks shared by the services' routes: one error shape for a bad parameter
// (400 invalid_parameter naming the field; 422 unknown_<name> for a value outside a closed set)
// and a bounded integer with its default.
#include "core/error.hpp"
#include "net/http_types.hpp"

#include <cstdint>
#include <string>

namespace tzr::net {

Error bad_param(const std::string& name, const std::string& why, ErrorKind kind = ErrorKind::validation);

// The integer `name` in [lo, hi], `fallback` when absent or empty.
Result<std::int64_t> int_param(const HttpRequest& req, const std::string& name, std::int64_t fallback, std::int64_t lo,
                               std::int64_t hi);

}  // namespace tzr::net
