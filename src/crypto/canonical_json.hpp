#pragma once
// Python-canonical JSON (site-bridge.md §3.3): the exact bytes the site and the reference agent
// feed to HMAC-SHA256, i.e. what Python's
//   json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
// prints for the value json.loads made of the received text. A single differing byte breaks every
// signature, so this is bit-exact against the reference, including its corners:
//   - keys sorted by code point (= UTF-8 byte order), at every depth; duplicate keys: last wins;
//   - strings raw UTF-8; only '"', '\' and U+0000..U+001F escaped (short forms, else \u00xx in
//     lower-case hex); '/', U+007F, U+2028/2029 stay raw; a lone surrogate cannot be encoded;
//   - Python keeps int and float apart: an integer prints in full decimal (-0 prints 0), a float
//     prints as repr(): shortest round-trip digits, fixed notation for decimal exponents in
//     [-4, 16) with ".0" when integral, otherwise d[.ddd]e±XX with at least two exponent digits.
// C++ decisions (§3.3 item 5): NaN, ±Infinity and numbers that overflow a double are not JSON and
// are refused (never signed or verified), although Python would print them. Underflow reads as
// ±0.0, as in Python.
//
// Two inputs, one output:
//   - canonical_json_text() parses wire text itself and keeps integers of any size (the reference
//     is arbitrary-precision); use it wherever the text is at hand (the `bridge sign` CLI, checks).
//   - canonical_json() takes a boost::json::value, which can hold integers only in
//     [-2^63, 2^64); parse_python_json() builds such a value from text with Python's rules and
//     refuses larger integers instead of silently rounding them (which would break the signature).
#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace tzr::crypto {

struct CanonicalTextOptions {
  // The signed form of a bridge message (§3.2): the text must be an object, and its top-level
  // "sig" member (only that one) is left out.
  bool signed_form = false;
  std::size_t max_depth = 64;
};

// Error code "invalid_json" (bad_request): syntax, invalid UTF-8, a lone surrogate, NaN/Infinity,
// a double overflow, an integer of more than 4300 digits (Python 3.11's own limit), too deep.
// "json_object_required" when signed_form is set and the text is not an object.
Result<std::string> canonical_json_text(std::string_view text, const CanonicalTextOptions& options = {});

// Error code "invalid_json" for strings that are not strict UTF-8 (e.g. a WTF-8 surrogate),
// non-finite doubles, or nesting deeper than max_depth.
Result<std::string> canonical_json(const boost::json::value& value, std::size_t max_depth = 64);

// json.loads-compatible parsing into a boost::json::value: correctly rounded doubles (Boost 1.81's
// own number parser is not), last duplicate key wins, integers as int64 or uint64. Errors as
// canonical_json_text, plus "invalid_json" for an integer outside [-2^63, 2^64).
Result<boost::json::value> parse_python_json(std::string_view text, std::size_t max_depth = 64);

// Python's repr() of a finite double ("1.0", "1e-05", "1.7976931348623157e+308", "-0.0").
std::string python_float_repr(double value);

}  // namespace tzr::crypto
