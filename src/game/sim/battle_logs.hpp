#pragma once
// The game simulator's battle-log request (battles.md §5.2): `<POST t="//blook ID" />` from a
// logged-in session is answered with the log of that battle, read from a folder of .tzb files
// ({id / 50000}/{id}.tzb as `tzrhost battles synth` writes them, or {id}.tzb), wrapped in
// <BLOOK> when the file is not. An unknown id is answered <ERR code="NO_BATTLE"/>.
#include "game/sim/sim_state.hpp"

#include <filesystem>

namespace tzr::game::sim {

void add_battle_log_handler(SimState& state, std::filesystem::path folder, std::size_t max_bytes = 64u << 20);

}  // namespace tzr::game::sim
