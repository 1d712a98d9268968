#include "core/json.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>

#include <boost/json/stream_parser.hpp>

#include <fmt/format.h>

namespace tzr::json {

Result<boost::json::value> parse(std::string_view text, ParseLimits limits) {
  boost::json::parse_options opt;
  opt.max_depth = limits.max_depth;
  boost::json::stream_parser p(boost::json::storage_ptr(), opt);
  boost::system::error_code ec;
  std::size_t used = p.write_some(text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = boost::json::error::extra_data;
  if (!ec) p.finish(ec);
  if (!ec && !p.done()) ec = boost::json::error::incomplete;
  if (ec) {
    std::string what = ec == boost::json::error::too_deep ? fmt::format("nesting deeper than {}", limits.max_depth)
                                                          : ec.message();
    return Error::bad_request(fmt::format("invalid JSON at byte {}: {}", used, what), "invalid_json");
  }
  return p.release();
}

Result<boost::json::object> parse_object(std::string_view text, ParseLimits limits) {
  auto v = parse(text, limits);
  if (!v) return v.error();
  if (!v->is_object()) return Error::bad_request("the body must be a JSON object", "json_object_required");
  return std::move(v->as_object());
}

std::optional<std::string_view> get_string(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

std::optional<std::int64_t> get_int(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

std::optional<bool> get_bool(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

namespace {

// A string as Boost.JSON writes it; the common case (nothing to escape) without building a
// serializer per string.
void write_string(std::string_view s, std::string& out) {
  for (char c : s)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      out += boost::json::serialize(boost::json::string_view(s.data(), s.size()));
      return;
    }
  out += '"';
  out += s;
  out += '"';
}

template <class Int>
void write_integer(Int i, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, i);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void write(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::int64: write_integer(v.get_int64(), out); return;
    case boost::json::kind::uint64: write_integer(v.get_uint64(), out); return;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::string: write_string(v.get_string(), out); return;
    case boost::json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";  // JSON has no NaN/Infinity
        return;
      }
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      std::string_view text(buf, static_cast<std::size_t>(end - buf));
      out += text;
      if (ec == std::errc() && text.find_first_of(".e") == std::string_view::npos) out += ".0";
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write(item, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        write_string(key, out);
        out += ':';
        write(item, out);
      }
      out += '}';
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string serialize(const boost::json::value& value) {
  std::string out;
  write(value, out);
  return out;
}

}  // namespace tzr::json
