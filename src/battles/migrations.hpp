#pragma once
#include "storage/migrations.hpp"

#include <vector>

namespace tzr::battles {

// Versions 300–399 (the battles range of the platform database).
std::vector<storage::Migration> migrations();

}  // namespace tzr::battles
