#include "output/partial_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <stdexcept>

namespace cm::output {

namespace {

// What the signal handler needs, prepared beforehand: a handler may only call async-signal-safe
// functions (unlink, write, _exit), so no std::string and no allocation in it.
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
char g_temp_path[8192];
char g_final_path[8192];
volatile sig_atomic_t g_armed = 0;  // 1 while the temporary file exists and is ours
bool g_after_progress_line = false;  // stderr is a terminal, which may show a progress line
struct sigaction g_previous[std::size(kSignals)];
bool g_installed = false;

void say(const char* text) {
  std::size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<std::size_t>(n);
  }
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
  }
  return "a signal";
}

extern "C" void on_signal(int sig) {
  if (g_after_progress_line) say("\n");
  say("cloudmarket: interrupted by ");
  say(signal_name(sig));
  if (g_armed) {
    ::unlink(g_temp_path);
    say(": removed ");
    say(g_temp_path);
    say("; ");
    say(g_final_path);
    say(" was not written\n");
  } else {
    say("\n");
  }
  ::_exit(128 + sig);
}

void copy_into(char* buffer, std::size_t size, const std::string& text) {
  if (text.size() >= size) throw std::runtime_error("output path is too long: " + text);
  std::memcpy(buffer, text.c_str(), text.size() + 1);
}

mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

sigset_t cleanup_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kSignals) sigaddset(&set, sig);
  return set;
}

void restore_signals() {
  if (!g_installed) return;
  for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &g_previous[i], nullptr);
  g_installed = false;
}
}  // namespace

void hold_signals() {
  const sigset_t set = cleanup_signals();
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

void take_back_signals() {
  const sigset_t set = cleanup_signals();
  struct Release {  // a signal held off meanwhile arrives once the handlers are right
    const sigset_t& set;
    ~Release() { ::sigprocmask(SIG_UNBLOCK, &set, nullptr); }
  } release{set};
  if (!g_armed) return;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    if (!g_installed) ::sigaction(kSignals[i], nullptr, &g_previous[i]);
    // A signal the process was started ignoring (nohup, a background job of a script) stays
    // ignored, also when a library has installed a handler for it since.
    ::sigaction(kSignals[i], g_previous[i].sa_handler == SIG_IGN ? &g_previous[i] : &action, nullptr);
  }
  g_installed = true;
}

PartialFile::PartialFile(const std::string& final_path) : final_path_(final_path) {
  namespace fs = std::filesystem;
  if (g_armed) throw std::logic_error("PartialFile: only one output at a time");
  // mkstemps replaces the X's with a name no other file has, and creates it with O_EXCL.
  std::string pattern = final_path + ".XXXXXX.partial";
  copy_into(g_temp_path, sizeof g_temp_path, pattern);  // checks the length before anything is made
  copy_into(g_final_path, sizeof g_final_path, final_path_);
  const fs::path out(final_path);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  const int fd = ::mkstemps(pattern.data(), static_cast<int>(std::strlen(".partial")));
  if (fd < 0)
    throw std::runtime_error("cannot create a temporary file next to '" + final_path + "': " + std::strerror(errno));
  // mkstemps makes it 0600; the output is an ordinary file of the user's, readable as the umask says.
  const int chmod_result = ::fchmod(fd, 0666 & ~current_umask());
  const int chmod_errno = errno;
  ::close(fd);
  temp_path_ = pattern;
  if (chmod_result != 0) {
    ::unlink(temp_path_.c_str());
    throw std::runtime_error("cannot set the mode of '" + temp_path_ + "': " + std::strerror(chmod_errno));
  }
  copy_into(g_temp_path, sizeof g_temp_path, temp_path_);
  g_after_progress_line = ::isatty(STDERR_FILENO) == 1;
  g_armed = 1;
  take_back_signals();
}

PartialFile::~PartialFile() {
  if (committed_) return;
  ::unlink(temp_path_.c_str());  // before disarming: a signal in between finds nothing left to do
  g_armed = 0;
  restore_signals();
}

void PartialFile::commit() {
  // Held off while renaming, so that a signal cannot remove a file that is already complete.
  const sigset_t block = cleanup_signals();
  sigset_t previous;
  ::sigprocmask(SIG_BLOCK, &block, &previous);
  const int result = ::rename(temp_path_.c_str(), final_path_.c_str());
  const int rename_errno = errno;
  if (result == 0) {
    committed_ = true;
    g_armed = 0;
    restore_signals();
  }
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (result != 0)
    throw std::runtime_error("cannot rename '" + temp_path_ + "' to '" + final_path_ + "': " +
                             std::strerror(rename_errno));
}

}  // namespace cm::output
