#pragma once
// `cloudmarket run`: one scenario to one output file. The file is written as OUT.partial and
// renamed to OUT only when the run succeeded, so a file named OUT is always complete.
#include <string>

#include "sim/scenario.hpp"

namespace cm {

struct RunOptions {
  std::string output_path;
  bool progress = false;  // draw a progress line on stderr
};

// Throws on failure (after removing the partial file).
void run_to_file(const Scenario& scenario, const RunOptions& options);

}  // namespace cm
