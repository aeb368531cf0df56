#pragma once
// Where a value came from, and the error users see for bad input:
// "file:line:col: error: message", exit code 2.
#include <stdexcept>
#include <string>

namespace cm {

struct SourceLocation {
  std::string file;  // path as the user gave it, or "<--set>" for command-line overrides
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
};

// Invalid input (scenario, sweep file, command line). Always reported before any work starts.
class InputError : public std::runtime_error {
 public:
  InputError(SourceLocation where, const std::string& message)
      : std::runtime_error(format(where, message)), where_(std::move(where)) {}
  const SourceLocation& where() const { return where_; }

  // "file:line:col: error: message"; `severity` "warning" for a warning (exit code unchanged).
  static std::string format(const SourceLocation& where, const std::string& message,
                            const char* severity = "error") {
    std::string prefix = where.file;
    if (where.line > 0) prefix += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
    return prefix + ": " + severity + ": " + message;
  }

 private:
  SourceLocation where_;
};

}  // namespace cm
