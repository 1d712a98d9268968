#pragma once
#include "storage/migrations.hpp"

#include <vector>

namespace tzr::registration {

// Platform-database tables of the registration feature (versions 100–199).
std::vector<storage::Migration> migrations();

}  // namespace tzr::registration
