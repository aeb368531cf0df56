#pragma once
// Reading a game file (schema cloudmarket-game/1, docs/game.md): every problem is reported at its
// FILE:LINE:COL as an InputError before anything runs.
#include <string>
#include <vector>

#include "game/game_spec.hpp"

namespace cm::game {

// The game in `path`, `extends:` resolved and `--set` overrides applied.
GameSpec load_game(const std::string& path, const std::vector<std::string>& overrides = {},
                   std::vector<std::string>* files_read = nullptr);

// True when `path` is a YAML file whose top-level `schema` is the game schema (a scenario, or a
// file that cannot be read, is not: its own loader reports on it).
bool is_game_file(const std::string& path);

// The fully resolved game, defaults included, as YAML that load_game reads back to the same game.
std::string game_to_yaml(const GameSpec& game);

}  // namespace cm::game
