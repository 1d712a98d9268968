#pragma once
#include "core/config.hpp"

#include <span>

namespace tzr::app {

// Every configuration key the program knows, in the order the example file lists them.
std::span<const ConfigKey> config_schema();

}  // namespace tzr::app
