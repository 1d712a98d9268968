#include "storage/placeholders.hpp"

namespace tzr::storage::detail {
namespace {

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// If sql[i] starts a dollar-quote opening tag ($$ or $tag$), returns the tag including both $.
std::string_view dollar_tag(std::string_view sql, std::size_t i) {
  // $1 is a parameter, not a tag; a tag must not start with a digit.
  std::size_t j = i + 1;
  if (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') return {};
  while (j < sql.size() && is_ident_char(sql[j])) ++j;
  if (j < sql.size() && sql[j] == '$') return sql.substr(i, j - i + 1);
  return {};
}

}  // namespace

NumberedSql number_placeholders(std::string_view sql) {
  NumberedSql out;
  out.sql.reserve(sql.size() + 16);
  std::size_t i = 0;
  const std::size_t n = sql.size();
  // Copies sql[from, to) verbatim.
  auto copy = [&](std::size_t from, std::size_t to) { out.sql.append(sql.substr(from, to - from)); };

  while (i < n) {
    const char c = sql[i];
    if (c == '\'') {
      // E'…' strings take backslash escapes; the E must not be the tail of an identifier.
      const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !is_ident_char(sql[i - 2]));
      std::size_t j = i + 1;
      while (j < n) {
        if (escapes && sql[j] == '\\' && j + 1 < n) {
          j += 2;
        } else if (sql[j] == '\'') {
          if (j + 1 < n && sql[j + 1] == '\'') {
            j += 2;  // '' is an escaped quote, the literal goes on
          } else {
            break;
          }
        } else {
          ++j;
        }
      }
      j = j < n ? j + 1 : n;
      copy(i, j);
      i = j;
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < n) {
        if (sql[j] == '"') {
          if (j + 1 < n && sql[j + 1] == '"') {
            j += 2;  // "" is an escaped quote inside the identifier
            continue;
          }
          break;
        }
        ++j;
      }
      j = j < n ? j + 1 : n;
      copy(i, j);
      i = j;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      std::size_t j = sql.find('\n', i);
      j = j == std::string_view::npos ? n : j;
      copy(i, j);
      i = j;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      std::size_t j = i + 2;
      int depth = 1;
      while (j < n && depth > 0) {
        if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      copy(i, j);
      i = j;
    } else if (c == '$' && (i == 0 || !is_ident_char(sql[i - 1]))) {
      const std::string_view tag = dollar_tag(sql, i);
      if (tag.empty()) {
        out.sql.push_back(c);
        ++i;
        continue;
      }
      const std::size_t close = sql.find(tag, i + tag.size());
      const std::size_t j = close == std::string_view::npos ? n : close + tag.size();
      copy(i, j);
      i = j;
    } else if (c == '?') {
      out.sql.push_back('$');
      out.sql.append(std::to_string(++out.placeholders));
      ++i;
    } else {
      out.sql.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace tzr::storage::detail
