#pragma once
// Tables of the site bridge (versions 500–599): the agent's finished jobs and the hub's jobs.
#include "storage/migrations.hpp"

#include <vector>

namespace tzr::bridge {

std::vector<storage::Migration> migrations();

}  // namespace tzr::bridge
