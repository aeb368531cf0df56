#pragma once
// The field tables of a game file (schema cloudmarket-game/1): read by the game loader
// (game/game_loader.cpp) and printed by `cloudmarket schema game` (docs/schema/game.schema.json).
#include "sim/field_table.hpp"

namespace cm::game::fields {

const yaml::MappingSpec& game();
const yaml::MappingSpec& demand();
const yaml::MappingSpec& q_learning();
const yaml::MappingSpec& seller();
const yaml::MappingSpec& grid();
const yaml::MappingSpec& convergence();
const yaml::MappingSpec& impulse();

// Sellers a game may have: with one, the Nash and monopoly prices coincide.
inline constexpr int kMinSellers = 2;
inline constexpr int kMaxSellers = 16;

}  // namespace cm::game::fields
