#pragma once
// `tzrhost telegram-bot`: the registration bot (registration.md §2.6) by Bot API long polling,
// until SIGINT/SIGTERM. Uses the same use cases, game server and databases as `serve`.
#include "app/commands.hpp"

namespace tzr::app {

// Prints "tzrhost: telegram-bot polling <api_base>" once it starts polling.
int cmd_telegram_bot(const GlobalOptions& global);

}  // namespace tzr::app
