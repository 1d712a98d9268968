#pragma once
// The shop's tables (versions 400–499), SQLite and PostgreSQL.
#include "storage/migrations.hpp"

#include <vector>

namespace tzr::shop {
std::vector<storage::Migration> migrations();
}
