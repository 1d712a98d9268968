#pragma once
// JSON input with limits: depth-bounded parsing whose errors say where the input broke.
#include "core/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tzr::json {

struct ParseLimits {
  std::size_t max_depth = 32;
};

// Error codes: "invalid_json" (ErrorKind::bad_request) with the byte offset in the message.
Result<boost::json::value> parse(std::string_view text, ParseLimits limits = {});

// parse() that also requires a top-level object ("json_object_required" otherwise).
Result<boost::json::object> parse_object(std::string_view text, ParseLimits limits = {});

// Compact JSON text like boost::json::serialize, but doubles in the shortest round-trip form that
// people and JavaScript expect ("1.0", "2.5", "1e+16") instead of Boost's "1E0".
std::string serialize(const boost::json::value& value);

// Typed field access without exceptions; nullopt if absent or of another type.
std::optional<std::string_view> get_string(const boost::json::object& o, std::string_view key);
std::optional<std::int64_t> get_int(const boost::json::object& o, std::string_view key);  // integers only
std::optional<bool> get_bool(const boost::json::object& o, std::string_view key);

}  // namespace tzr::json
