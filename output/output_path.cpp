#include "output/output_path.hpp"

#include <sys/stat.h>

#include "sim/file_kind.hpp"

namespace cm::output {

std::optional<std::string> output_path_problem(const std::string& out, const std::vector<std::string>& inputs) {
  if (out.empty()) return "the output path is empty";
  if (out.back() == '/') return "'" + out + "' ends with '/': give the output file's name, e.g. " + out + "run.h5";
  struct stat target {};
  if (::stat(out.c_str(), &target) != 0) return std::nullopt;  // a new file: nothing to compare with
  if (!S_ISREG(target.st_mode))
    return "'" + out + "' is " + file_kind_name(target.st_mode) + "; the output must be a regular file";
  for (const auto& input : inputs) {
    struct stat in {};
    if (::stat(input.c_str(), &in) == 0 && in.st_dev == target.st_dev && in.st_ino == target.st_ino)
      return "'" + out + "' is the input file '" + input + "'; writing the output there would destroy it";
  }
  return std::nullopt;
}

}  // namespace cm::output
