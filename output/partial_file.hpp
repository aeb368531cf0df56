#pragma once
// A run's output under a temporary name of its own: OUT.XXXXXX.partial, created exclusively next
// to OUT, so that two runs writing the same OUT never share (or delete) each other's temporary
// file. commit() renames it to OUT (the last run to finish wins); otherwise the destructor removes
// it. While it exists, SIGINT, SIGTERM and SIGHUP remove it, say so on stderr and end the process
// with exit code 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM).
#include <string>

namespace cm::output {

class PartialFile {
 public:
  // Creates the temporary file (mode 0666 less the umask, like any file the user creates), and
  // the parent directories of `final_path`. Throws std::runtime_error if it cannot.
  explicit PartialFile(const std::string& final_path);
  ~PartialFile();  // removes the temporary file unless committed
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  const std::string& path() const { return temp_path_; }
  // Renames the temporary file to the final path, atomically, with the signals held off.
  void commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  bool committed_ = false;
};

// Around code that installs its own handlers (SimGrid's engine takes SIGINT when it starts):
// hold_signals() holds SIGINT, SIGTERM and SIGHUP off; take_back_signals() puts the clean-up
// handlers back (when a PartialFile exists) and then lets the held signals in.
void hold_signals();
void take_back_signals();

// hold_signals() for a scope: take_back_signals() when it ends, also by an exception.
struct SignalsHeld {
  SignalsHeld() { hold_signals(); }
  ~SignalsHeld() { take_back_signals(); }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;
};

}  // namespace cm::output
