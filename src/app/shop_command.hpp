#pragma once
// `tzrhost shop snapshot --shop CODE`: one snapshot of one shop from the command line, with
// progress per category, stored like a scheduled one. Exit 0 when every category was read,
// 1 when the snapshot is partial or failed (the reason on stderr).
#include "app/commands.hpp"

#include <string>

namespace tzr::app {

int cmd_shop_snapshot(const GlobalOptions& global, const std::string& shop);

}  // namespace tzr::app
