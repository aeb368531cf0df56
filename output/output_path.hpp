#pragma once
// Checking `-o OUT` before any work: a path that can never receive the output (empty, a
// directory, a device) or that would overwrite one of the run's own inputs is refused up front,
// not found at the final rename after the whole simulation.
#include <optional>
#include <string>
#include <vector>

namespace cm::output {

// Why `out` cannot be the output file, or nothing if it can. `inputs` are the files the run reads
// (the scenario and every `extends:` target); `out` naming any of them, by any path or hard
// link, is refused.
std::optional<std::string> output_path_problem(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace cm::output
