#pragma once
// `cloudmarket run`: one scenario to one output file. The file is written under a temporary name of
// the run's own (OUT.XXXXXX.partial) and renamed to OUT only when the run succeeded, so a file
// named OUT is always complete; see output/partial_file.hpp.
#include <string>

#include "sim/scenario.hpp"

namespace cm {

struct RunOptions {
  std::string output_path;
  bool progress = false;  // draw a progress line on stderr
};

// Throws on failure (after removing the partial file). Check the output path first
// (output/output_path.hpp): this only finds out by trying.
void run_to_file(const Scenario& scenario, const RunOptions& options);

}  // namespace cm
