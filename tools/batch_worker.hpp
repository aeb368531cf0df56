#pragma once
// `cloudmarket batch`: the worker the sweep machinery (tools/sweeplib/batch.py) runs its runs
// through. The process loads the simulator's libraries once, then forks a fresh child per run, so
// a run costs a fork instead of a process start with its dynamic loading. No SimGrid engine exists
// in the worker: each child creates its own, as a single `cloudmarket run` does.
//
// Protocol, one line each way, fields separated by tabs (docs/sweep.md, "The batch worker"):
//   worker, once ready:  cloudmarket-batch/1 <TAB> ready <TAB> WORKER_PID
//   request on stdin:    LOG <TAB> ARG <TAB> ARG ...   the arguments of `cloudmarket run`; the
//                        run's stdout and stderr are appended to the file LOG
//   answers:             started <TAB> CHILD_PID, then when it ends
//                        exited <TAB> EXIT_CODE <TAB> CPU_SECONDS <TAB> MAX_RSS_KB, or
//                        signaled <TAB> SIGNAL <TAB> CPU_SECONDS <TAB> MAX_RSS_KB;
//                        refused <TAB> WHY when no run was started (a malformed line, a log that
//                        cannot be opened, fork failing)
//   SIGUSR1 to the worker kills its current run (SIGKILL); the run's answer follows as usual.
// The worker ends when stdin ends. A child dies with the worker (PR_SET_PDEATHSIG).
#include <functional>
#include <string>
#include <vector>

namespace cm::batch {

constexpr const char* kProtocol = "cloudmarket-batch/1";

// Runs `cloudmarket run ARGS...` in the calling process and returns its exit code.
using RunCommand = std::function<int(const std::vector<std::string>& args)>;

// Serves requests on stdin until it ends; returns the worker's exit code (1 when its client
// stopped reading its answers).
int serve(const RunCommand& run);

}  // namespace cm::batch
