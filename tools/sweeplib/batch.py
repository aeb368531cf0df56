"""The batch worker's client: runs through `BINARY batch`, one worker per job slot.

A worker loads the simulator once and forks a fresh child per run, which runs exactly `cloudmarket
run` with the run's arguments; so a run costs a fork, not a process start with its dynamic loading
(protocol: tools/batch_worker.hpp). A Slot keeps one worker for the runs of one job slot: it starts
it when first needed and again after it died; when it cannot start (a binary without `batch`, or
CLOUDMARKET_BATCH=0 in the environment), the slot's runs go one process per run, as before, and
their status files say which path ran them ("via": "batch" or "process").
"""
import ctypes
import ctypes.util
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

PROTOCOL = "cloudmarket-batch/1"
BATCH, PROCESS = "batch", "process"
START_SECONDS = 60.0     # for the worker to load and say it is ready (a cold node's filesystem is slow)
ANSWER_SECONDS = 60.0    # for an answer the worker owes at once (started, refused, a killed run's end)

_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent):
    """A preexec_fn: the child gets SIGKILL when `parent` dies (Linux), even by kill -9."""
    def preexec():
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(137)
    return preexec


def enabled():
    """False when CLOUDMARKET_BATCH=0 asks for one process per run."""
    return os.environ.get("CLOUDMARKET_BATCH", "1").strip() not in ("0", "no", "off", "false")


def carries(args):
    """True when the request line can hold these arguments (no tab or newline in any)."""
    return not any("\t" in a or "\n" in a for a in args)


def worker_environment(environ=None):
    """The worker's environment: this one, and what makes each fork cheaper, read by the dynamic
    loader and glibc when the worker starts. LD_BIND_NOW binds every library call once, in the
    worker, instead of again in every child; glibc.malloc.hugetlb=1 lets malloc's heap use
    transparent huge pages, so a child faults its memory in with far fewer page faults
    (docs/sweep.md, "The batch worker")."""
    env = dict(os.environ if environ is None else environ)
    env["LD_BIND_NOW"] = "1"
    tunables = [t for t in env.get("GLIBC_TUNABLES", "").split(":") if t]
    if not any(t.startswith("glibc.malloc.hugetlb=") for t in tunables):
        env["GLIBC_TUNABLES"] = ":".join([*tunables, "glibc.malloc.hugetlb=1"])
    return env


class Unavailable(Exception):
    """The worker did not start (its reason is the message)."""


class Died(Exception):
    """The worker ended or stopped answering while it owed an answer."""


class Refused(Exception):
    """The worker started no run for a request (its reason is the message)."""


class Ended:
    """How a run in the worker ended: its exit code (negative: the signal that killed it), and the
    CPU seconds and peak memory its child used (wait4)."""

    def __init__(self, exit_code, cpu_seconds, max_rss_kb):
        self.exit_code, self.cpu_seconds, self.max_rss_kb = exit_code, cpu_seconds, max_rss_kb


class Worker:
    """One `BINARY batch` process, in a session of its own (Ctrl-C in the terminal goes to the
    sweep, which then stops its runs itself), dying with this process."""

    def __init__(self, binary):
        self.errors = tempfile.TemporaryFile()
        self.buffer = b""
        try:
            self.proc = subprocess.Popen([binary, "batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self.errors, bufsize=0, start_new_session=True,
                                         env=worker_environment(), preexec_fn=die_with_parent(os.getpid()))
        except OSError as error:
            self.errors.close()
            raise Unavailable(f"cannot start {binary} batch: {error.strerror}") from None
        try:
            hello = self._line(time.monotonic() + START_SECONDS)
        except Died as died:
            hello = None
            why = str(died)
        else:
            why = f"it did not say it was ready within {START_SECONDS:g} s" if hello is None else \
                f"it answered {hello[:80]!r}, not {PROTOCOL}"
        if hello is None or hello.split("\t")[:2] != [PROTOCOL, "ready"]:
            self.stop()
            raise Unavailable(f"{binary} batch: {why}")

    def fileno(self):
        """Readable when an answer (or the worker's end) has come: for select()."""
        return self.proc.stdout.fileno()

    def start(self, log_path, args):
        """Start `cloudmarket run ARGS...` with its stdout and stderr appended to `log_path`;
        returns the child's pid. Raises Refused, or Died when the worker is gone."""
        request = memoryview(("\t".join([log_path, *args]) + "\n").encode())
        try:
            while request:
                request = request[os.write(self.proc.stdin.fileno(), request):]
        except OSError as error:
            raise Died(self._why_died(f"cannot send it a run: {error.strerror}")) from None
        answer = self._line(time.monotonic() + ANSWER_SECONDS)
        if answer is None:
            raise Died(self._why_died(f"no answer to a run within {ANSWER_SECONDS:g} s"))
        kind, _, rest = answer.partition("\t")
        if kind == "started":
            return int(rest)
        if kind == "refused":
            raise Refused(rest)
        raise Died(self._why_died(f"it answered {answer[:80]!r}"))

    def result(self, timeout=None):
        """The Ended of the run started last, or None when it has not ended within `timeout`
        seconds (None: wait as long as it takes). Raises Died."""
        answer = self._line(None if timeout is None else time.monotonic() + max(0.0, timeout))
        if answer is None:
            return None
        fields = answer.split("\t")
        if len(fields) == 4 and fields[0] in ("exited", "signaled"):
            code = int(fields[1])
            return Ended(code if fields[0] == "exited" else -code, float(fields[2]), int(fields[3]))
        raise Died(self._why_died(f"it answered {answer[:80]!r}"))

    def kill_run(self):
        """Kill the current run (SIGKILL, by the worker, which then answers how it ended)."""
        try:
            os.kill(self.proc.pid, signal.SIGUSR1)
        except ProcessLookupError:
            pass

    def close(self):
        """No more runs: the worker ends at the end of its input (killed if it does not)."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.stop()

    def stop(self):
        """Kill the worker and its run at once (they share a process group)."""
        if self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.errors.close()

    def _line(self, deadline):
        """The next line from the worker, or None at `deadline` (time.monotonic(); None: no
        limit). Raises Died at the end of its output."""
        while b"\n" not in self.buffer:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                ready, _, _ = select.select([self.proc.stdout], [], [], wait)
            except InterruptedError:
                continue
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise Died(self._why_died("it ended"))
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace")

    def _why_died(self, what):
        code = self.proc.poll()
        if code is None:
            try:
                code = self.proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
        how = "" if code is None else f", exit code {code}" if code >= 0 else f", killed by signal {-code}"
        self.errors.seek(0)
        tail = self.errors.read()[-500:].decode("utf-8", "replace").strip()
        return f"the batch worker failed: {what}{how}" + (f": {tail}" if tail else "")


class Slot:
    """Where one job slot's runs go: its worker while it can have one, else one process per run."""

    def __init__(self, binary):
        self.binary = binary
        self.worker = None
        self.unavailable = None if enabled() else "CLOUDMARKET_BATCH=0"

    def start(self, log_path, args):
        """Start a run in this slot's worker; returns (the worker, the child's pid), or None when the
        run is to go as a process of its own. A worker that died is replaced once."""
        if self.unavailable or not carries([log_path, *args]):
            return None
        for _ in range(2):
            if self.worker is None:
                try:
                    self.worker = Worker(self.binary)
                except Unavailable as why:
                    self.unavailable = str(why)
                    _note(f"{why}; one process per run instead")
                    return None
            try:
                return self.worker, self.worker.start(log_path, args)
            except Refused:
                return None
            except Died:
                self.discard()
        return None

    def discard(self):
        """The worker is done for (died, or killed with its run): the next run starts a new one."""
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def close(self):
        if self.worker is not None:
            self.worker.close()
            self.worker = None


class Pool:
    """`jobs` slots, taken by runs and given back; closing it ends their workers."""

    def __init__(self, binary, jobs):
        self.free = [Slot(binary) for _ in range(jobs)]
        self.all = list(self.free)

    def take(self):
        return self.free.pop()

    def give_back(self, slot):
        self.free.append(slot)

    def close(self):
        for slot in self.all:
            slot.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_noted = set()


def _note(message):
    """Say once per process why runs go one process each."""
    if message not in _noted:
        _noted.add(message)
        print(f"cloudmarket: note: {message}", file=sys.stderr)
