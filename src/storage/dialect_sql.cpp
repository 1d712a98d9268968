#include "storage/dialect_sql.hpp"

#include <cctype>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace tzr::storage {
namespace {

constexpr std::string_view kMysqlTableOptions = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
constexpr std::string_view kKeyedText = "VARCHAR(255)";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with_words(std::string_view s, std::string_view prefix) { return upper(s.substr(0, prefix.size())) == prefix; }

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != '(') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    if (j < s.size() && s[j] == '(') ++j;  // "t(a, b)": the name ends at the parenthesis
    i = j;
  }
  return out;
}

// Splits at top-level separators (outside parentheses and quotes).
std::vector<std::string_view> split_top(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  int depth = 0;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == sep && depth == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

// The column names inside the first "( … )" of s.
std::vector<std::string> column_list(std::string_view s) {
  std::vector<std::string> out;
  const auto open = s.find('('), close = s.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return out;
  for (auto part : split_top(s.substr(open + 1, close - open - 1), ',')) {
    auto w = words(part);
    if (!w.empty()) out.emplace_back(w[0]);
  }
  return out;
}

struct CreateTable {
  std::string_view head;                // "CREATE TABLE name"
  std::string table;
  std::vector<std::string_view> items;  // column definitions and table constraints
};

std::optional<CreateTable> as_create_table(std::string_view stmt) {
  if (!starts_with_words(stmt, "CREATE TABLE")) return std::nullopt;
  const auto open = stmt.find('('), close = stmt.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  CreateTable t;
  t.head = trim(stmt.substr(0, open));
  auto w = words(t.head);
  if (w.empty()) return std::nullopt;
  t.table = std::string(w.back());
  for (auto item : split_top(stmt.substr(open + 1, close - open - 1), ',')) t.items.push_back(trim(item));
  return t;
}

bool is_table_constraint(std::string_view item) {
  for (std::string_view k : {"PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CONSTRAINT", "CHECK"})
    if (starts_with_words(item, k)) return true;
  return false;
}

bool has_word(std::string_view item, std::string_view word) {
  for (auto w : words(item))
    if (upper(w) == word) return true;
  return false;
}

using KeyedColumns = std::set<std::pair<std::string, std::string>>;  // (table, column)

void collect_keys(std::string_view stmt, KeyedColumns& keyed) {
  if (auto t = as_create_table(stmt)) {
    for (auto item : t->items) {
      if (is_table_constraint(item)) {
        if (starts_with_words(item, "PRIMARY KEY") || starts_with_words(item, "UNIQUE"))
          for (auto& c : column_list(item)) keyed.emplace(t->table, c);
      } else if (has_word(item, "PRIMARY") || has_word(item, "UNIQUE")) {
        auto w = words(item);
        if (!w.empty()) keyed.emplace(t->table, std::string(w[0]));
      }
    }
    return;
  }
  if (starts_with_words(stmt, "CREATE INDEX") || starts_with_words(stmt, "CREATE UNIQUE INDEX")) {
    const auto on = upper(stmt).find(" ON ");
    if (on == std::string::npos) return;
    auto rest = stmt.substr(on + 4);
    auto w = words(rest);
    if (w.empty()) return;
    for (auto& c : column_list(rest)) keyed.emplace(std::string(w[0]), c);
  }
}

std::string rewrite_column(std::string_view item, const std::string& table, const KeyedColumns& keyed) {
  std::string out(item);
  if (const auto at = out.find("INTEGER PRIMARY KEY AUTOINCREMENT"); at != std::string::npos)
    out.replace(at, std::string_view("INTEGER PRIMARY KEY AUTOINCREMENT").size(), "BIGINT AUTO_INCREMENT PRIMARY KEY");
  auto w = words(item);
  if (w.size() >= 2 && upper(w[1]) == "TEXT" && keyed.contains({table, std::string(w[0])})) {
    const auto type_at = static_cast<std::size_t>(w[1].data() - item.data());
    out.replace(type_at, w[1].size(), kKeyedText);
  }
  return out;
}

}  // namespace

std::string mysql_ddl(std::string_view portable_script) {
  const auto statements = split_top(portable_script, ';');
  KeyedColumns keyed;
  for (auto stmt : statements) collect_keys(trim(stmt), keyed);
  std::string out;
  for (auto raw : statements) {
    const auto stmt = trim(raw);
    if (stmt.empty()) continue;
    if (auto t = as_create_table(stmt)) {
      out += t->head;
      out += " (";
      for (std::size_t i = 0; i < t->items.size(); ++i) {
        if (i) out += ", ";
        out += is_table_constraint(t->items[i]) ? std::string(t->items[i]) : rewrite_column(t->items[i], t->table, keyed);
      }
      out += ")";
      out += kMysqlTableOptions;
    } else {
      out += stmt;
    }
    out += ";\n";
  }
  return out;
}

std::string upsert_tail(Dialect d, std::string_view conflict_columns, std::string_view assignments) {
  if (d != Dialect::mysql) return " ON CONFLICT (" + std::string(conflict_columns) + ") DO UPDATE SET " + std::string(assignments);
  std::string set(assignments);
  constexpr std::string_view kExcluded = "excluded.";
  for (auto at = set.find(kExcluded); at != std::string::npos; at = set.find(kExcluded, at)) {
    auto end = at + kExcluded.size();
    while (end < set.size() && (std::isalnum(static_cast<unsigned char>(set[end])) || set[end] == '_')) ++end;
    const std::string column = set.substr(at + kExcluded.size(), end - at - kExcluded.size());
    const std::string replacement = "VALUES(" + column + ")";
    set.replace(at, end - at, replacement);
    at += replacement.size();
  }
  return " ON DUPLICATE KEY UPDATE " + set;
}

std::string ignore_duplicates_tail(Dialect d, std::string_view conflict_columns, std::string_view key_column) {
  if (d != Dialect::mysql) return " ON CONFLICT (" + std::string(conflict_columns) + ") DO NOTHING";
  return " ON DUPLICATE KEY UPDATE " + std::string(key_column) + " = " + std::string(key_column);
}

}  // namespace tzr::storage
