#include "core/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace tzr {
namespace {

Error config_error(std::string message) { return Error::make(ErrorKind::bad_request, "config_error", std::move(message)); }

std::string dotted_name(const ConfigKey& k) { return fmt::format("{}.{}", k.section, k.key); }

std::string env_name(const ConfigKey& k) {
  std::string s = fmt::format("TZR_{}__{}", k.section, k.key);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

const char* type_name(ConfigType t) {
  switch (t) {
    case ConfigType::boolean: return "a boolean";
    case ConfigType::integer: return "an integer";
    case ConfigType::real: return "a number";
    case ConfigType::string: return "a string";
    case ConfigType::string_list: return "a list of strings";
  }
  return "a value";
}

// Range and choice checks shared by every source.
Status check(const ConfigKey& k, const ConfigValue& v, std::string_view origin) {
  if (auto* i = std::get_if<std::int64_t>(&v); i && (*i < k.min || *i > k.max))
    return config_error(fmt::format("config: {} must be between {} and {} (from {})", dotted_name(k), k.min, k.max, origin));
  if (auto* s = std::get_if<std::string>(&v); s && !k.choices.empty() &&
      std::find(k.choices.begin(), k.choices.end(), *s) == k.choices.end())
    return config_error(fmt::format("config: {} must be one of {} (from {})", dotted_name(k), fmt::join(k.choices, ", "), origin));
  return {};
}

// Parses the textual form (defaults, env vars, files).
Result<ConfigValue> parse_text(const ConfigKey& k, std::string_view raw, std::string_view origin) {
  std::string_view text = trim(raw);
  auto bad = [&] {
    return config_error(fmt::format("config: {} must be {} (from {})", dotted_name(k), type_name(k.type), origin));
  };
  ConfigValue v;
  switch (k.type) {
    case ConfigType::boolean: {
      std::string low(text);
      std::transform(low.begin(), low.end(), low.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (low == "true" || low == "1" || low == "yes" || low == "on") v = true;
      else if (low == "false" || low == "0" || low == "no" || low == "off") v = false;
      else return bad();
      break;
    }
    case ConfigType::integer: {
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return bad();
      v = n;
      break;
    }
    case ConfigType::real: {
      try {
        std::size_t used = 0;
        double d = std::stod(std::string(text), &used);
        if (used != text.size()) return bad();
        v = d;
      } catch (const std::exception&) {
        return bad();
      }
      break;
    }
    case ConfigType::string: v = std::string(text); break;
    case ConfigType::string_list: {
      std::vector<std::string> items;
      std::string_view rest = text;
      while (!rest.empty()) {
        auto comma = rest.find(',');
        auto item = trim(rest.substr(0, comma));
        if (!item.empty()) items.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      v = std::move(items);
      break;
    }
  }
  if (auto st = check(k, v, origin); !st) return st.error();
  return v;
}

Result<ConfigValue> from_toml(const ConfigKey& k, const toml::node& node, std::string_view origin) {
  auto bad = [&] {
    return config_error(fmt::format("config: {} must be {} (in {})", dotted_name(k), type_name(k.type), origin));
  };
  ConfigValue v;
  switch (k.type) {
    case ConfigType::boolean:
      if (auto b = node.value_exact<bool>()) v = *b; else return bad();
      break;
    case ConfigType::integer:
      if (auto i = node.value_exact<std::int64_t>()) v = *i; else return bad();
      break;
    case ConfigType::real:
      if (node.is_integer()) v = static_cast<double>(*node.value<std::int64_t>());
      else if (auto d = node.value_exact<double>()) v = *d;
      else return bad();
      break;
    case ConfigType::string:
      if (auto s = node.value_exact<std::string>()) v = *s; else return bad();
      break;
    case ConfigType::string_list: {
      const auto* arr = node.as_array();
      if (!arr) return bad();
      std::vector<std::string> items;
      for (const auto& el : *arr) {
        auto s = el.value_exact<std::string>();
        if (!s) return bad();
        items.push_back(*s);
      }
      v = std::move(items);
      break;
    }
  }
  if (auto st = check(k, v, origin); !st) return st.error();
  return v;
}

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += c;
    }
  }
  return out + "\"";
}

std::string render_value(const ConfigValue& v) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      auto s = fmt::format("{}", d);
      return s.find_first_of(".eE") == std::string::npos ? s + ".0" : s;
    }
    std::string operator()(const std::string& s) const { return toml_quote(s); }
    std::string operator()(const std::vector<std::string>& l) const {
      std::string out = "[";
      for (std::size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + toml_quote(l[i]);
      return out + "]";
    }
  };
  return std::visit(Visitor{}, v);
}

// "scheme://user:password@host" → "scheme://user:***@host", so database URLs can be shown.
std::string mask_url_password(std::string s) {
  auto scheme = s.find("://");
  if (scheme == std::string::npos) return s;
  auto at = s.find('@', scheme + 3);
  auto colon = s.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return s;
  return s.replace(colon + 1, at - colon - 1, "***");
}

bool is_set(const ConfigValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return !s->empty();
  if (auto* l = std::get_if<std::vector<std::string>>(&v)) return !l->empty();
  return true;
}

}  // namespace

Result<Config> Config::load(std::span<const ConfigKey> schema, const std::optional<std::string>& path, const EnvMap& env) {
  Config cfg;
  std::map<std::string, const ConfigKey*, std::less<>> by_env;
  for (const auto& k : schema) {
    auto name = dotted_name(k);
    if (cfg.entries_.count(name)) return config_error("config: schema lists " + name + " twice");
    auto v = parse_text(k, k.default_value, "the built-in default");
    if (!v) return v.error();
    cfg.entries_.emplace(name, Entry{&k, std::move(*v), ConfigSource::default_value});
    by_env.emplace(env_name(k), &k);
  }

  if (path) {
    cfg.file_ = path;
    toml::table root;
    try {
      root = toml::parse_file(*path);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      return config_error(fmt::format("config: {}:{}:{}: {}", *path, where.line, where.column, e.description()));
    }
    for (const auto& [section, node] : root) {
      const auto* table = node.as_table();
      if (!table)
        return config_error(fmt::format("config: unknown top-level key '{}' in {} (keys live in [sections])", section.str(), *path));
      for (const auto& [key, value] : *table) {
        auto name = fmt::format("{}.{}", section.str(), key.str());
        auto it = cfg.entries_.find(name);
        if (it == cfg.entries_.end()) return config_error(fmt::format("config: unknown key '{}' in {}", name, *path));
        auto v = from_toml(*it->second.key, value, *path);
        if (!v) return v.error();
        it->second.value = std::move(*v);
        it->second.source = ConfigSource::file;
      }
    }
  }

  for (const auto& [name, raw] : env) {
    if (name.rfind("TZR_", 0) != 0 || name.find("__") == std::string::npos) continue;
    bool from_file = false;
    auto it = by_env.find(name);
    if (it == by_env.end() && name.size() > 5 && name.ends_with("_FILE")) {
      it = by_env.find(std::string_view(name).substr(0, name.size() - 5));
      from_file = it != by_env.end();
    }
    if (it == by_env.end()) return config_error("config: unknown environment variable " + name);
    std::string text = raw;
    if (from_file) {
      std::ifstream in(raw, std::ios::binary);
      if (!in) return config_error(fmt::format("config: {}: cannot read file named by {}", dotted_name(*it->second), name));
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    }
    auto v = parse_text(*it->second, text, name);
    if (!v) return v.error();
    auto& e = cfg.entries_.at(dotted_name(*it->second));
    e.value = std::move(*v);
    e.source = from_file ? ConfigSource::env_file : ConfigSource::env;
  }
  return cfg;
}

const Config::Entry& Config::entry(std::string_view dotted) const {
  auto it = entries_.find(dotted);
  if (it == entries_.end()) throw std::logic_error("config key not in schema: " + std::string(dotted));
  return it->second;
}

bool Config::boolean(std::string_view d) const { return std::get<bool>(entry(d).value); }
std::int64_t Config::integer(std::string_view d) const { return std::get<std::int64_t>(entry(d).value); }
double Config::real(std::string_view d) const { return std::get<double>(entry(d).value); }
const std::string& Config::string(std::string_view d) const { return std::get<std::string>(entry(d).value); }
const std::vector<std::string>& Config::list(std::string_view d) const {
  return std::get<std::vector<std::string>>(entry(d).value);
}
ConfigSource Config::source(std::string_view d) const { return entry(d).source; }

Status Config::set(std::string_view dotted, std::string_view text) {
  auto it = entries_.find(dotted);
  if (it == entries_.end()) return config_error("config: unknown key '" + std::string(dotted) + "'");
  auto v = parse_text(*it->second.key, text, "an override");
  if (!v) return v.error();
  it->second.value = std::move(*v);
  it->second.source = ConfigSource::override_value;
  return {};
}

std::string Config::render(bool mask_secrets) const {
  std::string out;
  std::string_view current;
  for (const auto& [name, e] : entries_) {
    if (e.key->section != current) {
      current = e.key->section;
      out += fmt::format("{}[{}]\n", out.empty() ? "" : "\n", current);
    }
    std::string value = render_value(e.value);
    if (mask_secrets && e.key->secret && is_set(e.value)) value = "\"***\"";
    else if (mask_secrets) value = mask_url_password(std::move(value));
    out += fmt::format("{} = {}\n", e.key->key, value);
  }
  return out;
}

std::string Config::example(std::span<const ConfigKey> schema) {
  std::string out =
      "# tzrhost configuration. Every key is optional: the values shown are the built-in defaults.\n"
      "# Each key can also be set by environment: TZR_<SECTION>__<KEY>, e.g. TZR_STORAGE__URL;\n"
      "# secrets can be read from a file named by TZR_<SECTION>__<KEY>_FILE. Lists in env are comma-separated.\n";
  std::string_view current;
  for (const auto& k : schema) {
    if (k.section != current) {
      current = k.section;
      out += fmt::format("\n[{}]\n", current);
    }
    out += fmt::format("# {}\n", k.help);
    if (k.secret) out += "# Secret: prefer TZR_" + env_name(k).substr(4) + "_FILE over writing it here.\n";
    auto v = parse_text(k, k.default_value, "default");
    out += fmt::format("{}{} = {}\n", k.secret ? "# " : "", k.key, v ? render_value(*v) : "\"\"");
  }
  return out;
}

namespace {
// Markdown table cells: a `|` would end the cell, a newline the row.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}
}  // namespace

std::string Config::reference(std::span<const ConfigKey> schema) {
  std::string out =
      "# Configuration reference\n\n"
      "Generated by `tzrhost config reference` from the configuration schema; do not edit by hand.\n"
      "Every key is optional. Set it in the TOML file (`--config`, default `./tzrhost.toml`) under its\n"
      "section, or by environment as `TZR_<SECTION>__<KEY>`; any key can be read from a file named by\n"
      "`TZR_<SECTION>__<KEY>_FILE` (use this for secrets). Lists in env are comma-separated.\n"
      "Precedence: environment, then file, then the default.\n";
  std::string_view current;
  for (const auto& k : schema) {
    if (k.section != current) {
      current = k.section;
      out += fmt::format("\n## [{}]\n\n| key | type | default | environment | meaning |\n|---|---|---|---|---|\n", current);
    }
    std::string type = type_name(k.type);  // "an integer" reads well in the table too
    if (k.type == ConfigType::integer && k.min != std::numeric_limits<std::int64_t>::min())
      type += fmt::format(" {}…{}", k.min, k.max);
    if (!k.choices.empty()) {
      std::string list;
      for (auto c : k.choices) list += (list.empty() ? "" : ", ") + std::string(c);
      type += " (" + list + ")";
    }
    std::string def = k.secret ? "*(secret, none)*" : k.default_value.empty() ? "*(empty)*" : "`" + std::string(k.default_value) + "`";
    out += fmt::format("| `{}` | {} | {} | `{}` | {} |\n", k.key, cell(type), cell(def), env_name(k), cell(k.help));
  }
  return out;
}

EnvMap process_env() {
  EnvMap env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos || kv.rfind("TZR_", 0) != 0) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace tzr
