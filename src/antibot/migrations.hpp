#pragma once
#include "storage/migrations.hpp"

#include <vector>

namespace tzr::antibot {

// Versions 600–699 (analytics/antibot range of the platform database).
std::vector<storage::Migration> migrations();

}  // namespace tzr::antibot
