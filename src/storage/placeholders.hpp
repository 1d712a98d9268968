#pragma once
// Private to storage/: rewrites the portable `?` placeholders for PostgreSQL, which wants $1..$n.
#include <cstddef>
#include <string>
#include <string_view>

namespace tzr::storage::detail {

struct NumberedSql {
  std::string sql;
  std::size_t placeholders = 0;
};

// Replaces each `?` that is a placeholder with $1, $2, … in order. A `?` is left alone inside
// 'string literals' (also E'…' with backslash escapes), "quoted identifiers", $tag$ dollar
// quotes $tag$, -- line comments and /* block comments */ (nested, as PostgreSQL allows).
NumberedSql number_placeholders(std::string_view sql);

}  // namespace tzr::storage::detail
