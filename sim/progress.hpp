#pragma once
// The progress line of long work: where it is, % done and speed (a run: simulated date and months/s;
// a game: sessions/s), redrawn on stderr at most ten times a second, only when stderr is a terminal.
#include <chrono>
#include <string>

namespace cm {

class Progress {
 public:
  Progress(bool enabled, int total, std::string unit = "months");
  // `where`: "simulated 2025-03", "session 12", ...
  void update(int done, const std::string& where);
  void finish();

 private:
  bool enabled_;
  int total_;
  std::string unit_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

// True when stderr is a terminal (the only case where a progress line helps).
bool stderr_is_terminal();

}  // namespace cm
