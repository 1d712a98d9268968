#pragma once
// Multi-row INSERTs of up to 200 rows (one round trip each instead of one per row), with an
// optional tail (ON CONFLICT …) — shared by the antibot's writers. On SQLite, one row per
// statement: the backend reuses the prepared statement.
#include "storage/database.hpp"

#include <string>
#include <utility>
#include <vector>

namespace tzr::antibot {

class BatchInsert {
 public:
  BatchInsert(storage::Session& s, std::string head, std::size_t columns, std::string tail = {})
      : s_(s), head_(std::move(head)), tail_(std::move(tail)), columns_(columns) {}
  Status add(std::vector<storage::Value> row) {
    for (auto& v : row) values_.push_back(std::move(v));
    // On SQLite one cached single-row statement per row (no round trips to save there).
    if (++rows_ == 200 || s_.dialect() == storage::Dialect::sqlite) return flush();
    return {};
  }
  Status flush() {
    if (rows_ == 0) return {};
    std::string sql = head_;
    for (std::size_t r = 0; r < rows_; ++r) {
      sql += r ? ",(" : "(";
      for (std::size_t c = 0; c < columns_; ++c) sql += c ? ",?" : "?";
      sql += ")";
    }
    sql += tail_;
    auto result = s_.query(sql, values_);
    values_.clear();
    rows_ = 0;
    if (!result) return result.error();
    return {};
  }

 private:
  storage::Session& s_;
  std::string head_, tail_;
  std::size_t columns_;
  std::vector<storage::Value> values_;
  std::size_t rows_ = 0;
};

}  // namespace tzr::antibot
