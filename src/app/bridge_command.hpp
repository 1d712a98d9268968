#pragma once
// `tzrhost bridge sign|verify|encrypt|decrypt`: the bridge's primitives on stdin/stdout, with the
// configuration's secrets, for operators debugging a site integration (DESIGN.md operator contract).
#include "app/commands.hpp"

#include <string>

namespace tzr::app {

int cmd_bridge(const GlobalOptions& global, const std::string& action);

}  // namespace tzr::app
