#pragma once
// A game's output file (schema cloudmarket-game-output/1, docs/game.md "Output"): the game's
// benchmarks and grids, and per session its outcome, impulse response and greedy strategies.
#include <string>
#include <vector>

#include "game/game_setup.hpp"
#include "game/session.hpp"

namespace cm::game {

// Whether the sessions' greedy strategies (sessions x sellers x states) are small enough to write.
bool writes_greedy(const GameSetup& game);

// Writes everything to `path` (a netCDF-4 file; the caller renames it into place).
void write_game(const std::string& path, const GameSetup& game, const std::vector<SessionResult>& sessions,
                const std::string& resolved_yaml);

}  // namespace cm::game
