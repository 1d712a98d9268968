#include "crypto/canonical_json.hpp"

#include "core/utf8.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace tzr::crypto {
namespace {

using boost::system::error_code;
using SView = boost::json::string_view;

// Python 3.11 refuses to read integers longer than this (sys.int_info.default_max_str_digits),
// so nothing longer can ever have been signed by a Python site.
constexpr std::size_t kMaxIntegerDigits = 4300;

Error invalid(std::string message) { return Error::bad_request(std::move(message), "invalid_json"); }

// The string body as json.dumps(ensure_ascii=False) writes it; s must already be valid UTF-8.
void append_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

// False when s is not strict UTF-8: Python cannot encode a surrogate, so it could not sign it.
bool append_string(std::string& out, std::string_view s) {
  if (!utf8::valid(s)) return false;
  append_quoted(out, s);
  return true;
}

bool is_integer_text(std::string_view t) { return t.find_first_of(".eE") == std::string_view::npos; }

// Decimal position of the first significant digit of a (JSON-valid) number text. Only its sign
// is used: it tells an underflow (Python reads 0.0) from an overflow (Python reads inf).
long long magnitude(std::string_view t) {
  if (!t.empty() && t.front() == '-') t.remove_prefix(1);
  const auto e = t.find_first_of("eE");
  long long exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view digits = t.substr(e + 1);
    bool negative = false;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
      negative = digits.front() == '-';
      digits.remove_prefix(1);
    }
    for (char c : digits) exponent = std::min(exponent * 10 + (c - '0'), 1'000'000'000LL);
    if (negative) exponent = -exponent;
    t = t.substr(0, e);
  }
  const auto dot = t.find('.');
  const std::string_view whole = t.substr(0, dot);
  if (whole != "0") return exponent + static_cast<long long>(whole.size());
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : t.substr(dot + 1);
  const auto first = fraction.find_first_not_of('0');
  return exponent - static_cast<long long>(first == std::string_view::npos ? fraction.size() : first);
}

// Correctly rounded, like Python's float(); from_chars rather than Boost's fast path, which may be
// one unit off for long mantissas.
Result<double> read_double(std::string_view t) {
  double d = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (ec == std::errc() && end == t.data() + t.size()) return d;
  if (ec == std::errc::result_out_of_range && magnitude(t) <= 0) return t.front() == '-' ? -0.0 : 0.0;
  if (ec == std::errc::result_out_of_range) return invalid("number overflows a double (Python reads it as Infinity)");
  return invalid("malformed number");
}

// Integer text as Python's int() prints it back: JSON forbids leading zeros, so only "-0" changes.
Result<std::string> integer_text(std::string t) {
  if (t.size() > kMaxIntegerDigits) return invalid("integer has more than 4300 digits");
  if (t == "-0") return std::string("0");
  return t;
}

// What both parse handlers share: the events they treat alike, the pieces of a number's text, and
// the first problem met, in words (the parser's own error code would only say "exception").
class HandlerBase {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_comment_part(SView, error_code&) { return true; }
  bool on_comment(SView, error_code&) { return true; }
  bool on_number_part(SView s, error_code&) { number_.append(s.data(), s.size()); return true; }
  const std::string& problem() const { return problem_; }

 protected:
  std::string take_number(SView tail) {
    number_.append(tail.data(), tail.size());
    return std::exchange(number_, std::string());
  }
  bool fail(error_code& ec, std::string problem) {
    problem_ = std::move(problem);
    ec = boost::json::error::exception;
    return false;
  }

 private:
  std::string number_;
  std::string problem_;
};

// Emits the canonical text while parsing. Each open container is a frame; an object keeps its
// members' canonical texts until it closes, then sorts them by key.
class CanonicalHandler : public HandlerBase {
 public:
  explicit CanonicalHandler(bool signed_form) : signed_form_(signed_form) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_object_begin(error_code&) { frames_.push_back(Frame{true, {}, {}, {}, true}); return true; }
  bool on_object_end(std::size_t, error_code& ec) {
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    const bool top = frames_.empty();
    auto& members = frame.members;
    // Stable: of equal keys, the last in the input comes last and wins (json.loads builds a dict).
    std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string text = "{";
    bool first = true;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
      if (top && signed_form_ && members[i].first == "sig") continue;
      if (!first) text.push_back(',');
      first = false;
      append_quoted(text, members[i].first);
      text.push_back(':');
      text += members[i].second;
    }
    text.push_back('}');
    if (top) top_is_object_ = true;
    return emit(std::move(text), ec);
  }
  bool on_array_begin(error_code&) { frames_.push_back(Frame{false, "[", {}, {}, true}); return true; }
  bool on_array_end(std::size_t, error_code& ec) {
    std::string text = std::move(frames_.back().text);
    frames_.pop_back();
    text.push_back(']');
    return emit(std::move(text), ec);
  }
  bool on_key_part(SView s, std::size_t, error_code&) { chars_.append(s.data(), s.size()); return true; }
  bool on_key(SView s, std::size_t, error_code& ec) {
    chars_.append(s.data(), s.size());
    if (!utf8::valid(chars_)) return fail(ec, "key is not valid UTF-8");
    frames_.back().key = std::exchange(chars_, std::string());
    return true;
  }
  bool on_string_part(SView s, std::size_t, error_code&) { chars_.append(s.data(), s.size()); return true; }
  bool on_string(SView s, std::size_t, error_code& ec) {
    chars_.append(s.data(), s.size());
    std::string text;
    if (!append_string(text, chars_)) return fail(ec, "string is not valid UTF-8");
    chars_.clear();
    return emit(std::move(text), ec);
  }
  bool on_int64(std::int64_t, SView s, error_code& ec) { return on_number(s, ec); }
  bool on_uint64(std::uint64_t, SView s, error_code& ec) { return on_number(s, ec); }
  bool on_double(double, SView s, error_code& ec) { return on_number(s, ec); }
  bool on_bool(bool b, error_code& ec) { return emit(b ? "true" : "false", ec); }
  bool on_null(error_code& ec) { return emit("null", ec); }

  std::string& result() { return result_; }
  bool top_is_object() const { return top_is_object_; }

 private:
  struct Frame {
    bool object;
    std::string text;                                          // array: the items so far
    std::vector<std::pair<std::string, std::string>> members;  // object: (key, canonical value)
    std::string key;                                           // object: the key awaiting its value
    bool empty;
  };

  bool on_number(SView tail, error_code& ec) {
    std::string t = take_number(tail);
    if (is_integer_text(t)) {
      auto i = integer_text(std::move(t));
      if (!i) return fail(ec, i.error().message);
      return emit(std::move(*i), ec);
    }
    auto d = read_double(t);
    if (!d) return fail(ec, d.error().message);
    return emit(python_float_repr(*d), ec);
  }

  bool emit(std::string text, error_code&) {
    if (frames_.empty()) {
      result_ = std::move(text);
    } else if (Frame& f = frames_.back(); f.object) {
      f.members.emplace_back(std::move(f.key), std::move(text));
    } else {
      if (!f.empty) f.text.push_back(',');
      f.empty = false;
      f.text += text;
    }
    return true;
  }

  bool signed_form_;
  bool top_is_object_ = false;
  std::vector<Frame> frames_;
  std::string chars_;
  std::string result_;
};

// Builds a boost::json::value; value_stack already keeps the last of duplicate keys.
class ValueHandler : public HandlerBase {
 public:
  bool on_document_begin(error_code&) { stack_.reset(); return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t n, error_code&) { stack_.push_object(n); return true; }
  bool on_array_end(std::size_t n, error_code&) { stack_.push_array(n); return true; }
  bool on_key_part(SView s, std::size_t, error_code&) { stack_.push_chars(s); return true; }
  bool on_key(SView s, std::size_t, error_code&) { stack_.push_key(s); return true; }
  bool on_string_part(SView s, std::size_t, error_code&) { stack_.push_chars(s); return true; }
  bool on_string(SView s, std::size_t, error_code&) { stack_.push_string(s); return true; }
  bool on_int64(std::int64_t, SView s, error_code& ec) { return on_number(s, ec); }
  bool on_uint64(std::uint64_t, SView s, error_code& ec) { return on_number(s, ec); }
  bool on_double(double, SView s, error_code& ec) { return on_number(s, ec); }
  bool on_bool(bool b, error_code&) { stack_.push_bool(b); return true; }
  bool on_null(error_code&) { stack_.push_null(); return true; }

  boost::json::value release() { return stack_.release(); }

 private:
  bool on_number(SView tail, error_code& ec) {
    const std::string t = take_number(tail);
    const char* end = t.data() + t.size();
    if (is_integer_text(t)) {
      std::int64_t i = 0;
      if (auto r = std::from_chars(t.data(), end, i); r.ec == std::errc() && r.ptr == end) {
        stack_.push_int64(i);
        return true;
      }
      std::uint64_t u = 0;
      if (auto r = std::from_chars(t.data(), end, u); r.ec == std::errc() && r.ptr == end) {
        stack_.push_uint64(u);
        return true;
      }
      return fail(ec, "integer outside the 64-bit range (use canonical_json_text)");
    }
    auto d = read_double(t);
    if (!d) return fail(ec, d.error().message);
    stack_.push_double(*d);
    return true;
  }

  boost::json::value_stack stack_;
};

template <class Handler>
Status run(boost::json::basic_parser<Handler>& parser, std::string_view text) {
  error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = boost::json::error::extra_data;
  if (!ec) return {};
  const std::string& problem = parser.handler().problem();
  return invalid(fmt::format("invalid JSON at byte {}: {}", used, problem.empty() ? ec.message() : problem));
}

boost::json::parse_options options_with_depth(std::size_t max_depth) {
  boost::json::parse_options options;  // strict JSON: no comments, no trailing commas, UTF-8 checked
  options.max_depth = max_depth;
  return options;
}

Status write_value(std::string& out, const boost::json::value& v, std::size_t depth_left) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case boost::json::kind::double_:
      if (!std::isfinite(v.get_double())) return invalid("NaN and Infinity are not JSON");
      out += python_float_repr(v.get_double());
      break;
    case boost::json::kind::string:
      if (!append_string(out, v.get_string())) return invalid("string is not valid UTF-8");
      break;
    case boost::json::kind::array: {
      if (depth_left == 0) return invalid("nesting too deep");
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        if (auto s = write_value(out, item, depth_left - 1); !s) return s;
      }
      out.push_back(']');
      break;
    }
    case boost::json::kind::object: {
      if (depth_left == 0) return invalid("nesting too deep");
      std::vector<const boost::json::key_value_pair*> members;
      members.reserve(v.get_object().size());
      for (const auto& m : v.get_object()) members.push_back(&m);
      // string_view compares bytes as unsigned char, so this is code point order for UTF-8.
      std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out.push_back('{');
      bool first = true;
      for (const auto* m : members) {
        if (!first) out.push_back(',');
        first = false;
        if (!append_string(out, m->key())) return invalid("key is not valid UTF-8");
        out.push_back(':');
        if (auto s = write_value(out, m->value(), depth_left - 1); !s) return s;
      }
      out.push_back('}');
      break;
    }
  }
  return {};
}

}  // namespace

std::string python_float_repr(double value) {
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // to_chars gives the shortest round-trip digits (what repr() uses); only the layout differs.
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));  // "-d.ddde+XX"
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  const std::string_view exp_text = sci.substr(e + 2);
  int exponent = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  if (sci[e + 1] == '-') exponent = -exponent;

  const auto n = static_cast<int>(digits.size());
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-exponent - 1), '0');
      out += digits;
    } else if (n <= exponent + 1) {
      out += digits;
      out.append(static_cast<std::size_t>(exponent + 1 - n), '0');
      out += ".0";
    } else {
      out.append(digits, 0, static_cast<std::size_t>(exponent + 1));
      out.push_back('.');
      out.append(digits, static_cast<std::size_t>(exponent + 1));
    }
    return out;
  }
  out.push_back(digits[0]);
  if (n > 1) {
    out.push_back('.');
    out.append(digits, 1);
  }
  out += exponent < 0 ? "e-" : "e+";
  const int magnitude_digits = std::abs(exponent);
  if (magnitude_digits < 10) out.push_back('0');
  out += std::to_string(magnitude_digits);
  return out;
}

Result<std::string> canonical_json_text(std::string_view text, const CanonicalTextOptions& options) {
  boost::json::basic_parser<CanonicalHandler> parser(options_with_depth(options.max_depth), options.signed_form);
  if (auto s = run(parser, text); !s) return s.error();
  if (options.signed_form && !parser.handler().top_is_object())
    return Error::bad_request("a signed message must be a JSON object", "json_object_required");
  return std::move(parser.handler().result());
}

Result<std::string> canonical_json(const boost::json::value& value, std::size_t max_depth) {
  std::string out;
  if (auto s = write_value(out, value, max_depth); !s) return s.error();
  return out;
}

Result<boost::json::value> parse_python_json(std::string_view text, std::size_t max_depth) {
  boost::json::basic_parser<ValueHandler> parser(options_with_depth(max_depth));
  if (auto s = run(parser, text); !s) return s.error();
  return parser.handler().release();
}

}  // namespace tzr::crypto
