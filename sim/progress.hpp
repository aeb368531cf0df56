#pragma once
// The progress line of a long run: simulated date, % done and speed, redrawn on stderr at most
// ten times a second, only when stderr is a terminal.
#include <chrono>
#include <string>

namespace cm {

class Progress {
 public:
  Progress(bool enabled, int total_months);
  void update(int months_done, const std::string& simulated_date);
  void finish();

 private:
  bool enabled_;
  int total_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

// True when stderr is a terminal (the only case where a progress line helps).
bool stderr_is_terminal();

}  // namespace cm
