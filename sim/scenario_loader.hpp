#pragma once
// Loading a scenario: parse, resolve `extends:`, apply `--set` overrides, then decode and validate
// everything into a Scenario. Any problem is an InputError (file:line:col: error: ...), raised
// before any simulation work starts.
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/yaml_tree.hpp"

namespace cm {

// `files_read`, if given, receives every file read: the scenario and its `extends:` chain.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {},
                       std::vector<std::string>* files_read = nullptr);

// Decode and validate a resolved document tree.
Scenario decode_scenario(const yaml::NodePtr& root);

// The fully resolved scenario, defaults included, as YAML that load_scenario reads back to an
// equal Scenario (written into every output file and printed by `cloudmarket validate --print`).
std::string scenario_to_yaml(const Scenario& scenario);

}  // namespace cm
