#pragma once
// Plays every session of a game, in parallel threads (no SimGrid here: a game has no calendar and
// no actors), and writes the output file under a temporary name, renamed when complete.
#include <string>

#include "game/game_spec.hpp"

namespace cm::game {

struct GameOptions {
  std::string output_path;
  int jobs = 1;           // threads; results do not depend on it
  bool progress = false;  // a progress line on stderr
};

void play_game_to_file(const GameSpec& game, const GameOptions& options, const std::string& resolved_yaml);

}  // namespace cm::game
