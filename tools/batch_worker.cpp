#include "tools/batch_worker.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "output/heap_policy.hpp"
#include "output/layout_cache.hpp"

namespace cm::batch {

namespace {

constexpr std::size_t kMaxRequestBytes = 1 << 20;  // far above any command line a sweep writes

// The run going on, for the SIGUSR1 handler; 0 when none. It is cleared only while the ended child
// is still a zombie, so a kill aimed at it can never reach a process that reused its pid.
volatile sig_atomic_t g_child = 0;

extern "C" void kill_current_run(int) {
  const pid_t child = g_child;
  if (child > 0) ::kill(child, SIGKILL);
}

// Answers go out with write(2), never through stdio: a buffer holding an answer would be copied
// into the next child by fork.
bool answer(const std::string& line) {
  std::string_view left(line);
  while (!left.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, left.data(), left.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    left.remove_prefix(std::size_t(n));
  }
  return true;
}

// Lines of stdin, read with read(2) for the same reason.
class RequestReader {
 public:
  // The next line, without its newline; false at the end of stdin.
  bool next(std::string& line) {
    for (;;) {
      if (skip_rest_) {  // of a line too long to be a request, already answered
        const auto end = buffer_.find('\n');
        buffer_.erase(0, end == std::string::npos ? buffer_.size() : end + 1);
        skip_rest_ = end == std::string::npos;
      }
      if (!skip_rest_) {
        if (const auto end = buffer_.find('\n'); end != std::string::npos) {
          line = buffer_.substr(0, end);
          buffer_.erase(0, end + 1);
          return true;
        }
        if (buffer_.size() > kMaxRequestBytes) {
          buffer_.clear();
          skip_rest_ = true;
          line.clear();  // answered as malformed
          return true;
        }
      }
      char chunk[65536];
      const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // a last line without a newline is an unfinished request
      buffer_.append(chunk, std::size_t(n));
    }
  }

 private:
  std::string buffer_;
  bool skip_rest_ = false;
};

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

// A child's heap would grow from where the worker's ends, inside a 2 MiB region the worker began
// with ordinary 4 KiB pages: its first megabytes would take hundreds of page faults (a few us each
// here, more than all the rest of the fork). Setting aside, unused, the rest of the worker's last
// heap chunk and of that region (allocated but never touched, so it costs address space, not
// memory) makes the child's heap grow on fresh memory aligned to 2 MiB, which malloc, under
// glibc.malloc.hugetlb=1 (tools/sweeplib/batch.py), asks the kernel to back with huge pages.
void grow_heap_on_huge_pages() {
#ifdef __GLIBC__
  constexpr std::size_t kHugePage = 2 << 20, kSlack = 4096;
  [[maybe_unused]] static void* volatile set_aside;  // volatile: the allocations are the point, kept
  const std::size_t top = mallinfo2().keepcost;  // the free chunk at the heap's end
  if (top > 2 * kSlack) set_aside = std::malloc(top - kSlack);
  const auto end = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  const std::size_t to_boundary = (kHugePage - end % kHugePage) % kHugePage;
  if (to_boundary > 2 * kSlack) set_aside = std::malloc(to_boundary - kSlack);
#endif
}

// The child: exactly `cloudmarket run ARGS...`, its output in the log, its end with the worker's.
[[noreturn]] void run_child(const RunCommand& run, const std::vector<std::string>& args, int log, int no_input,
                            pid_t worker) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != worker) ::_exit(128 + SIGKILL);  // the worker died before prctl took effect
  struct sigaction plain {};
  plain.sa_handler = SIG_DFL;
  ::sigaction(SIGUSR1, &plain, nullptr);
  if (::dup2(no_input, STDIN_FILENO) < 0 || ::dup2(log, STDOUT_FILENO) < 0 || ::dup2(log, STDERR_FILENO) < 0)
    ::_exit(127);
  ::close(log);
  ::close(no_input);
  output::keep_freed_memory();  // before the run's first frees: a heap trimmed early is grown again
  grow_heap_on_huge_pages();
  int code = 0;
  try {
    code = run(args);
  } catch (...) {
    std::terminate();  // as an exception nothing takes ends a single run; never back into the worker's loop
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  // No exit handlers: they are the worker's (and would only tear down libraries the run is done with).
  ::_exit(code);
}

// yaml-cpp builds its scanner's tables and its emitter's state on first use (~0.5 ms): here, once,
// instead of in every child. The text uses what scenarios use: comments, block and flow
// collections, quoted and plain scalars, numbers, dates.
void warm_up_yaml() {
  const YAML::Node node = YAML::Load(
      "# warm-up\n"
      "a: {b: [1, 2.5e+3, -0.1], c: 'x', d: \"y\"}\n"
      "e:\n"
      "  - f: 2023-01-01\n"
      "    g: 3 months\n");
  YAML::Emitter out;
  out << node << YAML::Flow << YAML::BeginSeq << 0.5 << "z" << YAML::EndSeq;
}

std::string seconds_text(const timeval& user, const timeval& system) {
  const double seconds = double(user.tv_sec + system.tv_sec) + 1e-6 * double(user.tv_usec + system.tv_usec);
  char text[64];
  std::snprintf(text, sizeof text, "%.6f", seconds);
  return text;
}

}  // namespace

int serve(const RunCommand& run) {
  // What can be set up before a fork is set up once here: HDF5's library state, yaml-cpp's tables
  // (and, at the process's start, the scenario loader's regular expressions), the slot in which
  // runs pass their output file's layout on. A SimGrid engine
  // cannot (one per process, and it must be the run's own), so each child creates its own.
  H5open();
  warm_up_yaml();
  output::share_layouts_across_forks();  // a run builds its file's layout once for its successors
  struct sigaction on_usr1 {};
  on_usr1.sa_handler = kill_current_run;
  on_usr1.sa_flags = SA_RESTART;
  ::sigemptyset(&on_usr1.sa_mask);
  ::sigaction(SIGUSR1, &on_usr1, nullptr);
  const int no_input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (no_input < 0) {
    std::cerr << "cloudmarket batch: error: cannot open /dev/null: " << std::strerror(errno) << "\n";
    return 1;
  }
  const pid_t self = ::getpid();
  if (!answer(std::string(kProtocol) + "\tready\t" + std::to_string(self) + "\n")) return 1;
  RequestReader requests;
  std::string line;
  while (requests.next(line)) {
    const auto fields = fields_of(line);
    if (fields.size() < 2 || fields.front().empty()) {
      if (!answer("refused\texpected LOG<TAB>ARG...: the run's log file, then the arguments of `cloudmarket run`\n"))
        return 1;
      continue;
    }
    const std::string& log_path = fields.front();
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (log < 0) {
      if (!answer("refused\tcannot open the log " + log_path + ": " + std::strerror(errno) + "\n")) return 1;
      continue;
    }
    const std::vector<std::string> args(fields.begin() + 1, fields.end());
    const pid_t child = ::fork();
    if (child == 0) run_child(run, args, log, no_input, self);
    ::close(log);
    if (child < 0) {
      if (!answer(std::string("refused\tcannot fork: ") + std::strerror(errno) + "\n")) return 1;
      continue;
    }
    g_child = child;
    const bool heard = answer("started\t" + std::to_string(child) + "\n");
    if (!heard) ::kill(child, SIGKILL);  // nobody would learn how the run ended
    siginfo_t ended{};
    while (::waitid(P_PID, id_t(child), &ended, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    g_child = 0;  // the child is a zombie until reaped: its pid is still its own
    int status = 0;
    struct rusage usage {};
    while (::wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    if (!heard) return 1;
    const std::string cpu = seconds_text(usage.ru_utime, usage.ru_stime);
    const std::string rss = std::to_string(usage.ru_maxrss);
    const std::string how = WIFSIGNALED(status) ? "signaled\t" + std::to_string(WTERMSIG(status))
                                                : "exited\t" + std::to_string(WEXITSTATUS(status));
    if (!answer(how + "\t" + cpu + "\t" + rss + "\n")) return 1;
  }
  return 0;
}

}  // namespace cm::batch
