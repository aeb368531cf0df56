#include "sim/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace cm {

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

Progress::Progress(bool enabled, int total, std::string unit)
    : enabled_(enabled), total_(total), unit_(std::move(unit)), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::update(int done, const std::string& where) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r  %s  %3d%%  %.1f %s/s   ", where.c_str(), 100 * done / total_,
               seconds > 0 ? done / seconds : 0.0, unit_.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (enabled_ && drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace cm
