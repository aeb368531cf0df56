#pragma once
// The names game files use for each enumerated value: read by the game loader, written by
// game_to_yaml and the game's output (as sim/scenario_names.hpp is for scenarios).
#include "game/game_spec.hpp"
#include "sim/scenario_names.hpp"

namespace cm::game {

inline const NameTable<DemandModel>& demand_model_names() {
  static const NameTable<DemandModel> names{{"logit", DemandModel::logit}, {"nested_logit", DemandModel::nested_logit}};
  return names;
}

inline const NameTable<Exploration>& exploration_names() {
  static const NameTable<Exploration> names{{"epsilon", Exploration::epsilon_greedy},
                                            {"boltzmann", Exploration::boltzmann}};
  return names;
}

inline const NameTable<QInit>& q_init_names() {
  static const NameTable<QInit> names{{"expected", QInit::expected}, {"zero", QInit::zero}};
  return names;
}

inline const NameTable<Moves>& moves_names() {
  static const NameTable<Moves> names{{"synchronous", Moves::synchronous}, {"asynchronous", Moves::asynchronous}};
  return names;
}

inline const std::string& name_of(DemandModel v) { return name_in(demand_model_names(), v); }
inline const std::string& name_of(Exploration v) { return name_in(exploration_names(), v); }
inline const std::string& name_of(QInit v) { return name_in(q_init_names(), v); }
inline const std::string& name_of(Moves v) { return name_in(moves_names(), v); }

}  // namespace cm::game
