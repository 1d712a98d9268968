#pragma once
// Typed configuration: a schema of keys (section.key, type, default, help), values from built-in
// defaults, then a TOML file, then the environment (TZR_SECTION__KEY, or TZR_SECTION__KEY_FILE
// to read a secret from a file). Unknown keys and bad values are errors that name the key.
#include "core/error.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tzr {

enum class ConfigType { boolean, integer, real, string, string_list };

struct ConfigKey {
  std::string_view section;
  std::string_view key;
  ConfigType type = ConfigType::string;
  std::string_view default_value;  // textual, as an env var would give it (lists comma-separated)
  std::string_view help;
  bool secret = false;
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::vector<std::string_view> choices;  // allowed values for strings (empty = any)
};

// Schema builders, so that each key reads as one line.
namespace config_key {
inline ConfigKey text(std::string_view s, std::string_view k, std::string_view def, std::string_view help) {
  ConfigKey c; c.section = s; c.key = k; c.type = ConfigType::string; c.default_value = def; c.help = help; return c;
}
inline ConfigKey secret(std::string_view s, std::string_view k, std::string_view help) {
  ConfigKey c = text(s, k, "", help); c.secret = true; return c;
}
inline ConfigKey integer(std::string_view s, std::string_view k, std::string_view def, std::int64_t min, std::int64_t max,
                         std::string_view help) {
  ConfigKey c = text(s, k, def, help); c.type = ConfigType::integer; c.min = min; c.max = max; return c;
}
inline ConfigKey boolean(std::string_view s, std::string_view k, std::string_view def, std::string_view help) {
  ConfigKey c = text(s, k, def, help); c.type = ConfigType::boolean; return c;
}
inline ConfigKey real(std::string_view s, std::string_view k, std::string_view def, std::string_view help) {
  ConfigKey c = text(s, k, def, help); c.type = ConfigType::real; return c;
}
inline ConfigKey list(std::string_view s, std::string_view k, std::string_view def, std::string_view help) {
  ConfigKey c = text(s, k, def, help); c.type = ConfigType::string_list; return c;
}
inline ConfigKey secret_list(std::string_view s, std::string_view k, std::string_view help) {
  ConfigKey c = text(s, k, "", help); c.type = ConfigType::string_list; c.secret = true; return c;
}
inline ConfigKey choice(std::string_view s, std::string_view k, std::string_view def,
                        std::vector<std::string_view> choices, std::string_view help) {
  ConfigKey c = text(s, k, def, help); c.choices = std::move(choices); return c;
}
}  // namespace config_key

using ConfigValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;
using EnvMap = std::map<std::string, std::string, std::less<>>;

enum class ConfigSource { default_value, file, env, env_file, override_value };

class Config {
 public:
  // path: a TOML file to read (must exist); nullopt = no file.
  static Result<Config> load(std::span<const ConfigKey> schema, const std::optional<std::string>& path,
                             const EnvMap& env);

  bool boolean(std::string_view dotted) const;
  std::int64_t integer(std::string_view dotted) const;
  double real(std::string_view dotted) const;
  const std::string& string(std::string_view dotted) const;
  const std::vector<std::string>& list(std::string_view dotted) const;
  ConfigSource source(std::string_view dotted) const;

  // Replaces a value (used by `demo` to point storage at var/demo); validated like any input.
  Status set(std::string_view dotted, std::string_view text);

  // The effective configuration as TOML; secrets that are set print as "***".
  std::string render(bool mask_secrets = true) const;
  // A documented example file with every key at its default.
  static std::string example(std::span<const ConfigKey> schema);
  // The Markdown reference of every key (docs/configuration.md), one table per section.
  static std::string reference(std::span<const ConfigKey> schema);

  const std::optional<std::string>& file() const { return file_; }

 private:
  struct Entry {
    const ConfigKey* key;
    ConfigValue value;
    ConfigSource source;
  };
  const Entry& entry(std::string_view dotted) const;

  std::map<std::string, Entry, std::less<>> entries_;
  std::optional<std::string> file_;
};

// Reads the process environment into an EnvMap (only TZR_* names).
EnvMap process_env();

}  // namespace tzr
