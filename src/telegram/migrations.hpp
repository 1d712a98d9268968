#pragma once
#include "storage/migrations.hpp"

#include <vector>

namespace tzr::telegram {

// Platform-database tables of the Telegram bot (versions 200–299).
std::vector<storage::Migration> migrations();

}  // namespace tzr::telegram
