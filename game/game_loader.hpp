#pragma once
// Reading a game file (schema cloudmarket-game/1, docs/game.md): every problem is reported at its
// FILE:LINE:COL as an InputError before anything runs.
#include <string>
#include <vector>

#include "game/game_spec.hpp"
#include "sim/yaml_tree.hpp"

namespace cm::game {

// The game in `path`, `extends:` resolved and `--set` overrides applied.
GameSpec load_game(const std::string& path, const std::vector<std::string>& overrides = {},
                   std::vector<std::string>* files_read = nullptr);

// Decode and validate a resolved document tree (`path` names the game when it has no `name`).
GameSpec decode_game(const yaml::NodePtr& root, const std::string& path);

// True when a document's top-level `schema` is the game schema: how `run` and `validate` tell a
// game from a scenario.
bool is_game(const yaml::Node& root);

// The fully resolved game, defaults included, as YAML that load_game reads back to the same game.
std::string game_to_yaml(const GameSpec& game);

}  // namespace cm::game
