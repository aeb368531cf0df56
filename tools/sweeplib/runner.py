"""Running a sweep's runs: one simulator process per run, status files, progress, workers.

A run is `BINARY run BASE -o DIR/runs/<index>.h5 --quiet --seed S --set ...`, killed when its
time is up. When it ends, `DIR/status/<index>.json` records how (ok, failed or timeout), written
atomically: a run counts as done only when its status says ok AND its output exists, so a sweep
killed at any moment and resumed re-runs exactly the runs that had not finished. Nothing a run
writes depends on which worker ran it or when: the seed comes from the manifest.

Children die with their parent: each is started with PR_SET_PDEATHSIG=SIGKILL (Linux), so a sweep
killed with kill -9 leaves no simulator writing into DIR behind its back (only a stale
`<index>.h5.partial`, which the next start of that run removes).
"""
import collections
import ctypes
import ctypes.util
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

STDERR_TAIL = 2000
OK, FAILED, TIMEOUT, PENDING = "ok", "failed", "timeout", "pending"


# ------------------------------------------------------------------------------------------------
# Files of a sweep directory
# ------------------------------------------------------------------------------------------------

def manifest_path(directory):
    return os.path.join(directory, "manifest.json")


def output_path(directory, index):
    return os.path.join(directory, "runs", f"{index}.h5")


def status_path(directory, index):
    return os.path.join(directory, "status", f"{index}.json")


def write_atomic(path, text):
    """Write `text` to `path` so that readers see the old file or the whole new one, never a part."""
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json_atomic(path, obj):
    write_atomic(path, json.dumps(obj, indent=1, sort_keys=False) + "\n")


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def load_manifest(directory):
    manifest = read_json(manifest_path(directory))
    if not isinstance(manifest, dict) or "runs" not in manifest:
        return None
    return manifest


def read_status(directory, index):
    status = read_json(status_path(directory, index))
    return status if isinstance(status, dict) and "status" in status else None


def is_done(directory, index):
    """True when run `index` finished ok and its output is there."""
    status = read_status(directory, index)
    return bool(status and status["status"] == OK and os.path.isfile(output_path(directory, index)))


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove_stale_partials(directory):
    """Partial outputs left by runs killed with their sweep."""
    runs = os.path.join(directory, "runs")
    if os.path.isdir(runs):
        for name in os.listdir(runs):
            if name.endswith(".partial") or name.endswith(".tmp"):
                _remove(os.path.join(runs, name))


class Busy(Exception):
    pass


def lock_directory(directory):
    """An exclusive lock on DIR for this process's lifetime (released by the kernel if it dies)."""
    fd = os.open(os.path.join(directory, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise Busy(f"another sweep is running in {directory}")
    return fd


# ------------------------------------------------------------------------------------------------
# One run
# ------------------------------------------------------------------------------------------------

_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent):
    def preexec():
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(137)
    return preexec


def run_command(binary, base, directory, run):
    cmd = [binary, "run", base, "-o", output_path(directory, run["index"]), "--quiet", "--seed", str(run["seed"])]
    for assignment in run["set"]:
        cmd += ["--set", assignment]
    return cmd


class RunProcess:
    """One run being executed. Construct to start it; `poll` or `wait` for its status dict."""

    def __init__(self, directory, manifest, index, binary):
        self.directory, self.index = directory, index
        self.run = manifest["runs"][index]
        self.output = output_path(directory, index)
        self.timeout = float(manifest["timeout_seconds"])
        self.timed_out = False
        self.status = None
        # Forget any earlier attempt first: its status, then its output, then a partial.
        _remove(status_path(directory, index))
        _remove(self.output)
        _remove(self.output + ".partial")
        os.makedirs(os.path.dirname(self.output), exist_ok=True)
        os.makedirs(os.path.dirname(status_path(directory, index)), exist_ok=True)
        self.log = tempfile.TemporaryFile()
        self.start = time.monotonic()
        self.deadline = self.start + self.timeout
        try:
            self.proc = subprocess.Popen(run_command(binary, manifest["base"], directory, self.run),
                                         stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                         start_new_session=True, preexec_fn=_die_with_parent(os.getpid()))
        except OSError as error:
            self.proc = None
            self._finish(127, f"cannot run {binary}: {error.strerror}")

    def poll(self, now=None):
        """The status dict once the run has ended (killing it when its time is up), else None."""
        if self.status is not None:
            return self.status
        rc = self.proc.poll()
        if rc is None:
            if (now if now is not None else time.monotonic()) < self.deadline:
                return None
            self.timed_out = True
            self.kill()
            rc = self.proc.wait()
        return self._finish(rc)

    def wait(self):
        if self.status is not None:
            return self.status
        try:
            rc = self.proc.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.kill()
            rc = self.proc.wait()
        return self._finish(rc)

    def kill(self):
        if self.proc is not None and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def abandon(self):
        """Kill the run without recording a status (the sweep itself is stopping)."""
        self.kill()
        if self.proc is not None:
            self.proc.wait()
        _remove(self.output + ".partial")
        self.log.close()

    def _finish(self, rc, message=""):
        wall = time.monotonic() - self.start
        self.log.seek(0, os.SEEK_END)
        size = self.log.tell()
        self.log.seek(max(0, size - 4 * STDERR_TAIL))
        tail = (self.log.read().decode("utf-8", "replace") + message)[-STDERR_TAIL:]
        self.log.close()
        if self.timed_out:
            state = TIMEOUT
            tail = (tail + f"\nsweep: killed after {self.timeout:g} s (timeout_seconds)")[-STDERR_TAIL:]
        elif rc == 0 and os.path.isfile(self.output):
            state = OK
        else:
            state = FAILED
        if state != OK:
            _remove(self.output + ".partial")
        self.status = {
            "index": self.index, "point": self.run["point"], "replication": self.run["replication"],
            "seed": self.run["seed"], "status": state, "exit_code": rc, "wall_seconds": round(wall, 6),
            "stderr": tail, "host": socket.gethostname(),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        write_json_atomic(status_path(self.directory, self.index), self.status)
        return self.status


def run_one(directory, manifest, index, binary):
    """Run one run to its end (used by `run-one` and by MPI workers); returns its status dict."""
    return RunProcess(directory, manifest, index, binary).wait()


# ------------------------------------------------------------------------------------------------
# Progress
# ------------------------------------------------------------------------------------------------

def _clock(seconds):
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}"


class Progress:
    """Runs done, failed, rate and ETA on stderr: a live bar on a terminal, else a line per 10%."""

    def __init__(self, total, skipped=0, stream=None, quiet=False):
        self.stream = stream or sys.stderr
        self.total, self.skipped = total, skipped
        self.done, self.failed = skipped, 0
        self.counts = collections.Counter()
        self.failures = []
        self.start = time.monotonic()
        self.quiet = quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last_draw = 0.0
        self.next_decile = (self.done * 10 // total + 1) if total else 11
        if not quiet and skipped:
            print(f"sweep: {skipped} of {total} runs already done, skipped", file=self.stream)

    def update(self, status):
        self.done += 1
        self.counts[status["status"]] += 1
        if status["status"] != OK:
            self.failed += 1
            self.failures.append(status)
        self._show()

    def _line(self):
        ran = self.done - self.skipped
        elapsed = time.monotonic() - self.start
        rate = ran / elapsed if elapsed > 0 else 0.0
        left = self.total - self.done
        eta = _clock(left / rate) if rate > 0 else "?"
        return self.done, rate, f"{self.failed} failed, {rate:.3g} runs/s, ETA {eta}"

    def _show(self, force=False):
        if self.quiet or not self.total:
            return
        done, _, tail = self._line()
        if self.tty:
            now = time.monotonic()
            if not force and now - self.last_draw < 0.1 and done < self.total:
                return
            self.last_draw = now
            width = 30
            filled = width * done // self.total
            bar = "=" * filled + (">" if filled < width else "") + " " * (width - filled - 1)
            self.stream.write(f"\rsweep: [{bar}] {done}/{self.total} runs, {tail}\x1b[K")
            if done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            decile = done * 10 // self.total  # one line per 10% step reached, however many at once
            if decile >= self.next_decile:
                print(f"sweep: {decile * 10}% ({done}/{self.total} runs), {tail}", file=self.stream)
                self.next_decile = decile + 1
                self.stream.flush()

    def close(self):
        if self.tty and not self.quiet and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


# ------------------------------------------------------------------------------------------------
# Local and MPI execution
# ------------------------------------------------------------------------------------------------

def run_local(directory, manifest, indices, binary, jobs, progress):
    """Run `indices`, `jobs` at a time, in this process's children. Returns their statuses."""
    pending = collections.deque(indices)
    running, statuses = [], []
    try:
        while pending or running:
            while pending and len(running) < jobs:
                running.append(RunProcess(directory, manifest, pending.popleft(), binary))
            now = time.monotonic()
            still = []
            for rp in running:
                status = rp.poll(now)
                if status is None:
                    still.append(rp)
                else:
                    statuses.append(status)
                    progress.update(status)
            if len(still) == len(running):
                next_deadline = min(rp.deadline for rp in running)
                time.sleep(max(0.001, min(0.01, next_deadline - now)))
            running = still
    finally:
        for rp in running:  # interrupted: no run is left going or half-written
            rp.abandon()
    return statuses


_READY, _DONE = "ready", "done"


def mpi_master(comm, indices, progress):
    """Rank 0: hand out run indices to the worker ranks as they ask; returns their statuses."""
    from mpi4py import MPI
    pending = collections.deque(indices)
    workers = comm.Get_size() - 1
    statuses = []
    info = MPI.Status()
    while workers:
        kind, status = comm.recv(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=info)
        if kind == _DONE:
            statuses.append(status)
            progress.update(status)
        if pending:
            comm.send(pending.popleft(), dest=info.Get_source())
        else:
            comm.send(None, dest=info.Get_source())
            workers -= 1
    return statuses


def mpi_worker(comm, directory, manifest, binary):
    """Other ranks: ask rank 0 for an index, run it, report, until told to stop."""
    comm.send((_READY, None), dest=0)
    while True:
        index = comm.recv(source=0)
        if index is None:
            return
        comm.send((_DONE, run_one(directory, manifest, index, binary)), dest=0)
