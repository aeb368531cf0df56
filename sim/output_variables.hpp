#pragma once
// The time series a run's output file (schema cloudmarket-output/1) holds, with their dimensions,
// as the run recorder (output/run_recorder.cpp) declares them. Tools that check names of output
// variables before any run (the sweep and calibration files) ask `cloudmarket schema
// output-variables` for this list instead of keeping their own.
#include <string>
#include <utility>
#include <vector>

namespace cm {

// Every variable whose first dimension is `time`, by name, with its dimensions in order. Made by
// letting the recorder declare its variables in a scratch file in `scratch_dir`, then reading them back.
std::vector<std::pair<std::string, std::vector<std::string>>> output_time_series(const std::string& scratch_dir);

// The same as a JSON object {"name": ["time", ...], ...}, sorted by name.
std::string output_time_series_json(const std::string& scratch_dir);

}  // namespace cm
