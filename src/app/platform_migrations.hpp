#pragma once
#include "storage/migrations.hpp"

#include <vector>

namespace tzr::app {

// Every migration of the platform database, from every feature, in one list.
std::vector<storage::Migration> platform_migrations();

}  // namespace tzr::app
