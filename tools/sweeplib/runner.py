"""Running a sweep's runs: through batch workers (or one process per run), status files, progress,
workers.

A run is `BINARY run BASE -o DIR/runs/<index>.h5 --quiet --seed S --set ...`, killed when its
time is up. It runs in a fresh child of the job slot's batch worker (sweeplib.batch: the same
code path, without a process start per run), or as a process of its own when the slot has no
worker. When it ends, `DIR/status/<index>.json` records how (ok, failed or timeout), written
atomically: a run counts as done only when its status says ok AND its output exists, so a sweep
killed at any moment and resumed re-runs exactly the runs that had not finished. Nothing a run
writes depends on which worker ran it or when: the seed comes from the manifest.

Runs die with the sweep: workers and run processes are started with PR_SET_PDEATHSIG=SIGKILL
(Linux), and so is each worker's child, so a sweep killed with kill -9 leaves no simulator writing
into DIR behind its back (only a stale `<index>.h5.XXXXXX.partial`, which the next start of that
run removes).
"""
import collections
import contextlib
import errno
import fcntl
import glob
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

from sweeplib import batch

STDERR_TAIL = 2000
OK, FAILED, TIMEOUT, KILLED, PENDING = "ok", "failed", "timeout", "killed", "pending"
STATES = (OK, FAILED, TIMEOUT, KILLED, PENDING)


def _current_umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode():
    """The mode a file created with open() gets: 0666 less the umask (mkstemp would give 0600)."""
    return 0o666 & ~_current_umask()


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
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


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


def index_ranges(indices):
    """'0-3, 7, 9-10' for the sorted run indices [0, 1, 2, 3, 7, 9, 10]."""
    parts, start = [], None
    for k, i in enumerate(indices):
        if start is None:
            start = i
        if k + 1 == len(indices) or indices[k + 1] != i + 1:
            parts.append(f"{start}" if start == i else f"{start}-{i}")
            start = None
    return ", ".join(parts)


def why_not_ok(status):
    """One line on why a run did not finish ok: its last line on stderr, else its exit code."""
    tail = ((status or {}).get("stderr") or "").strip().splitlines()
    return tail[-1] if tail else f"exit code {(status or {}).get('exit_code')}"


def is_done(directory, index):
    """True when run `index` finished ok and its output is there."""
    status = read_status(directory, index)
    return bool(status and status["status"] == OK and os.path.isfile(output_path(directory, index)))


@contextlib.contextmanager
def replacing(path):
    """A temporary name beside `path` to write to; it replaces `path` when the block succeeds and is
    removed when it fails. Its mode follows the umask (mkstemp's 0600 would hide the file from
    colleagues sharing a project directory)."""
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp",
                               dir=os.path.dirname(os.path.abspath(path)))
    os.fchmod(fd, file_mode())
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def has_results(directory):
    """True when the directory holds runs or status files (of a sweep or a calibration)."""
    for sub in ("runs", "status"):
        path = os.path.join(directory, sub)
        if os.path.isdir(path) and any(not n.startswith(".") for n in os.listdir(path)):
            return True
    return False


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _remove_partials(output):
    """A run's temporary outputs: the simulator writes OUT.XXXXXX.partial (a name of its own) and
    removes it itself unless it is killed with SIGKILL, as a timed-out or abandoned run is."""
    for path in glob.glob(glob.escape(output) + ".*.partial") + [output + ".partial"]:
        _remove(path)


def remove_stale_partials(directory):
    """Partial outputs left by runs killed with their sweep."""
    runs = os.path.join(directory, "runs")
    if os.path.isdir(runs):
        for name in os.listdir(runs):
            if name.endswith(".partial") or name.endswith(".tmp"):
                _remove(os.path.join(runs, name))


def _same_runs(a, b):
    key = lambda m: (m["base"], [(r["point"], r["replication"], r["seed"], r["set"], r.get("base")) for r in m["runs"]])  # noqa: E731
    return key(a) == key(b)


def prepare_directory(directory, manifest, resume, replan=False, lock=True, verb="run", kind="sweep"):
    """Check DIR against the new manifest, lock DIR and write the manifest; returns the lock.
    Raises ValueError for invalid input, Busy if DIR is locked, LockError."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise ValueError(f"{directory} exists and is not a directory")
    old = load_manifest(directory) if os.path.isdir(directory) else None
    if old is not None:
        results = has_results(directory)
        if not _same_runs(old, manifest) and results:
            raise ValueError(f"{directory} holds results of a different {kind} (planned from "
                             f"{old.get('sweep_file') or old.get('base')}); choose another directory")
        if results and not resume and not replan:
            raise ValueError(f"{directory} already holds results of this {kind}; "
                             "use --resume to finish it, or choose another directory")
    elif os.path.isdir(directory) and os.listdir(directory):
        raise ValueError(f"{directory} is not empty and holds no {kind} (no manifest.json); choose another directory")
    for sub in ("", "runs", "status"):
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    held = lock_directory(directory, verb=verb, enabled=lock)  # before the manifest: never rewrite a running sweep's
    try:
        write_json_atomic(manifest_path(directory), manifest)
    except BaseException:
        held.release()
        raise
    return held


class Busy(Exception):
    """Another sweep process holds the directory."""


class LockError(Exception):
    """The directory cannot be locked for another reason (its message says which)."""


# flock(2) errors that mean "this filesystem does not do flock" (NFS without lockd, Lustre mounted
# without -o flock, some FUSE filesystems), as opposed to "someone else holds the lock".
_NO_FLOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)}
_HOST = socket.gethostname()


def _alive(host, pid):
    """False only when the owner is known dead (same host, no such process)."""
    if host != _HOST:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_text(verb):
    return f"{_HOST} {os.getpid()} {verb}\n"


def _read_owner(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            host, pid, verb = (f.read(256).split() + ["?", "0", "?"])[:3]
        return host, int(pid) if pid.isdigit() else 0, verb
    except OSError:
        return None


class DirectoryLock:
    """A lock on a sweep directory for this process's lifetime.

    `sweep run` and `plan` take it exclusive; `run-one` (Slurm array tasks) takes it shared, so
    tasks run side by side but not beside a local `run --resume`. It is flock(2) on DIR/.lock,
    released by the kernel if the process dies. Where the filesystem has no flock, it falls back
    to files: DIR/.lock.d (a directory, created atomically, naming its owner) for the exclusive
    lock and DIR/.tasks/HOST.PID for each shared holder; an owner on this host that has died is
    cleared, one on another host must be removed by hand if it was killed with kill -9.
    """

    def __init__(self, directory, shared=False, verb="run"):
        self.directory, self.shared, self.verb = directory, shared, verb
        self.fd = None
        self.files = []          # fallback: what to remove on release
        self.fallback = False
        path = os.path.join(directory, ".lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            raise LockError(f"cannot open the lock file {path}: {error.strerror}") from None
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise Busy(self._busy_message()) from None
            if error.errno not in _NO_FLOCK:
                raise LockError(f"cannot lock {path}: {error.strerror}") from None
            self.fallback = True
            self._file_lock()
            return
        self.fd = fd
        if not shared:
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, _owner_text(verb).encode(), 0)
            except OSError:
                pass

    def _busy_message(self):
        if self.shared:
            return (f"another sweep is running in {self.directory} (a `sweep run` or `plan`); "
                    "wait for it to end, or run-one after it")
        return (f"another sweep is running in {self.directory} (a `sweep run`, or Slurm array tasks "
                "running `run-one`); wait for it to end (squeue shows array tasks)")

    # -- fallback on filesystems without flock -------------------------------------------------

    def _file_lock(self):
        exclusive = os.path.join(self.directory, ".lock.d")
        tasks = os.path.join(self.directory, ".tasks")
        why = "this filesystem does not support flock, so the sweep locks with files instead"
        if self.shared:
            os.makedirs(tasks, exist_ok=True)
            mine = os.path.join(tasks, f"{_HOST}.{os.getpid()}")
            with open(mine, "w", encoding="utf-8") as f:
                f.write(_owner_text(self.verb))
            self.files.append(mine)
            owner = self._live_exclusive(exclusive)
            if owner:
                self.release()
                raise Busy(f"another sweep is running in {self.directory} ({owner[2]} on {owner[0]}, pid "
                           f"{owner[1]}; {why}: if it is gone, remove {exclusive})")
            return
        for _ in range(2):  # a second try after clearing the lock of an owner that died
            try:
                os.mkdir(exclusive)
                break
            except FileExistsError:
                owner = self._live_exclusive(exclusive)
                if owner:
                    raise Busy(f"another sweep is running in {self.directory} ({owner[2]} on {owner[0]}, pid "
                               f"{owner[1]}; {why}: if it is gone, remove {exclusive})") from None
            except OSError as error:
                raise LockError(f"cannot create {exclusive}: {error.strerror}") from None
        else:
            raise Busy(f"another sweep is running in {self.directory} ({why}: if none is, remove {exclusive})")
        self.files.append(exclusive)
        with open(os.path.join(exclusive, "owner"), "w", encoding="utf-8") as f:
            f.write(_owner_text(self.verb))
        self.files.insert(0, os.path.join(exclusive, "owner"))
        live = []
        for name in sorted(os.listdir(tasks)) if os.path.isdir(tasks) else []:
            owner = _read_owner(os.path.join(tasks, name))
            if owner and _alive(owner[0], owner[1]):
                live.append(f"{owner[2]} on {owner[0]}, pid {owner[1]}")
            else:
                _remove(os.path.join(tasks, name))
        if live:
            self.release()
            more = f" and {len(live) - 3} more" if len(live) > 3 else ""
            raise Busy(f"another sweep is running in {self.directory} ({'; '.join(live[:3])}{more}; {why}: "
                       f"if they are gone, remove their files in {tasks})")

    def _live_exclusive(self, exclusive):
        """The owner (host, pid, verb) of DIR/.lock.d if it may still be running; clears a dead one."""
        if not os.path.isdir(exclusive):
            return None
        owner = _read_owner(os.path.join(exclusive, "owner"))
        if owner is None:  # being created this instant, or its owner died before naming itself
            time.sleep(0.2)
            owner = _read_owner(os.path.join(exclusive, "owner"))
        if owner is not None and not _alive(owner[0], owner[1]):
            _remove(os.path.join(exclusive, "owner"))
            try:
                os.rmdir(exclusive)
            except OSError:
                pass
            return None
        return owner or ("?", 0, "a sweep")

    def release(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        for path in self.files:
            try:
                os.rmdir(path) if os.path.isdir(path) else os.unlink(path)
            except OSError:
                pass
        self.files = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


class NoLock:
    """--no-lock: nothing guards the directory (the user vouches that one sweep process uses it)."""
    fallback = False

    def release(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def lock_directory(directory, shared=False, verb="run", enabled=True):
    """A DirectoryLock (or NoLock when `enabled` is False); raises Busy or LockError."""
    return DirectoryLock(directory, shared, verb) if enabled else NoLock()


# ------------------------------------------------------------------------------------------------
# One run
# ------------------------------------------------------------------------------------------------

def run_arguments(base, directory, run):
    """The arguments of `cloudmarket run` for one run of a sweep."""
    args = [run.get("base", base), "-o", output_path(directory, run["index"]), "--quiet", "--seed", str(run["seed"])]
    for assignment in run["set"]:
        args += ["--set", assignment]
    return args


def run_command(binary, base, directory, run):
    return [binary, "run", *run_arguments(base, directory, run)]


def _log_path(log):
    """A path this process's open temporary file `log` can be opened by (the worker's child
    appends to it): the file has no name, so nothing is left behind whatever kills the sweep."""
    return f"/proc/{os.getpid()}/fd/{log.fileno()}"


class RunProcess:
    """One run being executed: in the batch worker of `slot` (a batch.Slot) when it has one, else
    as a process of its own. Construct to start it; `poll` or `wait` for its status dict."""

    def __init__(self, directory, manifest, index, binary, slot=None):
        self.directory, self.index = directory, index
        self.run = manifest["runs"][index]
        self.output = output_path(directory, index)
        self.timeout = float(manifest["timeout_seconds"])
        self.timed_out = False
        self.status = None
        self.slot, self.worker, self.proc, self.pid = slot, None, None, None  # pid: the run's process
        # Forget any earlier attempt first: its status, then its output, then a partial.
        _remove(status_path(directory, index))
        _remove(self.output)
        _remove_partials(self.output)
        os.makedirs(os.path.dirname(self.output), exist_ok=True)
        os.makedirs(os.path.dirname(status_path(directory, index)), exist_ok=True)
        self.log = tempfile.TemporaryFile()
        self.start = time.monotonic()
        self.deadline = self.start + self.timeout
        args = run_arguments(manifest["base"], directory, self.run)
        started = slot.start(_log_path(self.log), args) if slot is not None else None
        if started is not None:
            self.worker, self.pid = started
            return
        try:
            self.proc = subprocess.Popen([binary, "run", *args],
                                         stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                         start_new_session=True, preexec_fn=batch.die_with_parent(os.getpid()))
            self.pid = self.proc.pid
        except OSError as error:
            self._finish(127, f"cannot run {binary}: {error.strerror}")

    @property
    def via(self):
        return batch.BATCH if self.worker is not None else batch.PROCESS

    def fileno(self):
        """For select(): readable when the run in the batch worker has ended (None: not in one)."""
        return self.worker.fileno() if self.worker is not None else None

    def poll(self, now=None):
        """The status dict once the run has ended (killing it when its time is up), else None."""
        if self.status is not None:
            return self.status
        if self.worker is not None:
            return self._poll_worker(now)
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
        if self.worker is not None:
            return self._poll_worker(None, wait=True)
        try:
            rc = self.proc.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.kill()
            rc = self.proc.wait()
        return self._finish(rc)

    def _poll_worker(self, now, wait=False):
        try:
            left = self.deadline - (now if now is not None else time.monotonic())
            ended = self.worker.result(timeout=max(0.0, left) if wait else 0)
            if ended is None:
                if left > 0 and not wait:
                    return None
                self.timed_out = True
                self.worker.kill_run()
                ended = self.worker.result(timeout=batch.ANSWER_SECONDS)
                if ended is None:
                    raise batch.Died("the batch worker did not answer after killing its run")
        except batch.Died as died:
            self.slot.discard()  # its run died with it, by SIGKILL (PR_SET_PDEATHSIG)
            return self._finish(-signal.SIGKILL, f"\nsweep: {died}")
        return self._finish(ended.exit_code, cpu_seconds=ended.cpu_seconds)

    def kill(self):
        if self.worker is not None:
            self.worker.kill_run()
        elif self.proc is not None and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def abandon(self, why="the sweep was stopped"):
        """Kill the run (the sweep itself is stopping): remove its partial output and record it
        as killed, so that nobody mistakes it for a run still going; --resume runs it again."""
        if self.status is not None:
            return self.status
        rc = None
        if self.worker is not None:
            self.slot.discard()  # the worker and its run, at once
            rc = -signal.SIGKILL
        else:
            self.kill()
            if self.proc is not None:
                rc = self.proc.wait()
        return self._finish(rc, f"\nsweep: killed: {why}", killed=True)

    def _finish(self, rc, message="", killed=False, cpu_seconds=None):
        wall = time.monotonic() - self.start
        self.log.seek(0, os.SEEK_END)
        size = self.log.tell()
        self.log.seek(max(0, size - 4 * STDERR_TAIL))
        tail = (self.log.read().decode("utf-8", "replace") + message)[-STDERR_TAIL:]
        self.log.close()
        if killed:
            state = KILLED
        elif self.timed_out:
            state = TIMEOUT
            tail = (tail + f"\nsweep: killed after {self.timeout:g} s (timeout_seconds)")[-STDERR_TAIL:]
        elif rc == 0 and os.path.isfile(self.output):
            state = OK
        else:
            state = FAILED
        if state != OK:
            _remove_partials(self.output)
        self.status = {
            "index": self.index, "point": self.run["point"], "replication": self.run["replication"],
            "seed": self.run["seed"], "status": state, "exit_code": rc, "wall_seconds": round(wall, 6),
            "cpu_seconds": cpu_seconds, "via": self.via, "stderr": tail, "host": socket.gethostname(),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        write_json_atomic(status_path(self.directory, self.index), self.status)
        return self.status


def run_one(directory, manifest, index, binary, slot=None):
    """Run one run to its end (used by `run-one` and by MPI workers), in `slot` (a batch.Slot kept
    across runs) or a slot of its own; returns its status dict. Interrupted (SIGTERM from scancel,
    Ctrl-C), it kills the run, removes its partial output and records it as killed before passing
    the interruption on."""
    own = slot is None
    slot = batch.Slot(binary) if own else slot
    try:
        rp = RunProcess(directory, manifest, index, binary, slot)
        try:
            return rp.wait()
        except BaseException as stop:
            rp.abandon(_why(stop))
            raise
    finally:
        if own:
            slot.close()


def _why(stop):
    if isinstance(stop, KeyboardInterrupt):
        return "interrupted (SIGINT)"
    if isinstance(stop, SystemExit) and stop.code == 128 + signal.SIGTERM:
        return "terminated (SIGTERM: scancel, a time limit or kill)"
    return f"the sweep stopped ({type(stop).__name__})"


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

    def __init__(self, total, skipped=0, stream=None, quiet=False, label="sweep"):
        self.label = label
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
            print(f"{label}: {skipped} of {total} runs already done, skipped", file=self.stream)

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
            self.stream.write(f"\r{self.label}: [{bar}] {done}/{self.total} runs, {tail}\x1b[K")
            if done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            decile = done * 10 // self.total  # one line per 10% step reached, however many at once
            if decile >= self.next_decile:
                print(f"{self.label}: {decile * 10}% ({done}/{self.total} runs), {tail}", file=self.stream)
                self.next_decile = decile + 1
                self.stream.flush()

    def close(self):
        if self.tty and not self.quiet and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


# ------------------------------------------------------------------------------------------------
# Local and MPI execution
# ------------------------------------------------------------------------------------------------

def run_local(directory, manifest, indices, binary, jobs, progress, pool=None):
    """Run `indices`, `jobs` at a time, each job slot's runs in its batch worker (`pool`, a
    batch.Pool of `jobs` slots kept across calls, or one of this call's). Returns their statuses."""
    own = pool is None
    pool = batch.Pool(binary, jobs) if own else pool
    pending = collections.deque(indices)
    running, statuses = [], []
    try:
        while pending or running:
            while pending and len(running) < jobs:
                running.append(RunProcess(directory, manifest, pending.popleft(), binary, pool.take()))
            now = time.monotonic()
            still = []
            for rp in running:
                status = rp.poll(now)
                if status is None:
                    still.append(rp)
                else:
                    pool.give_back(rp.slot)
                    statuses.append(status)
                    progress.update(status)
            if len(still) == len(running):
                _wait_for_any(running, min(rp.deadline for rp in running) - now)
            running = still
    except BaseException as stop:
        for rp in running:  # interrupted: no run is left going or half-written
            rp.abandon(_why(stop))
        raise
    finally:
        if own:
            pool.close()
    return statuses


def _wait_for_any(running, until_deadline):
    """Sleep until a run may have ended: on the workers' answers when every run is in one, else
    polling processes every 10 ms; at most until the next deadline."""
    if all(rp.worker is not None for rp in running):
        try:
            select.select(running, [], [], max(0.0, min(1.0, until_deadline)))
        except InterruptedError:
            pass
    else:
        time.sleep(max(0.001, min(0.01, until_deadline)))


_READY, _DONE, _KILLED = "ready", "done", "killed"


def mpi_recv(comm, source, info=None, deadline=None):
    """comm.recv that lets Python run its signal handlers while it waits (a blocking MPI receive
    never returns to Python, so SIGTERM would go unanswered until the rank is killed). Returns
    (message, source rank), or (None, None) at `deadline` (time.monotonic())."""
    from mpi4py import MPI
    info = info if info is not None else MPI.Status()
    source = MPI.ANY_SOURCE if source is None else source
    delay = 0.0002
    while not comm.Iprobe(source=source, tag=MPI.ANY_TAG, status=info):
        if deadline is not None and time.monotonic() >= deadline:
            return None, None
        time.sleep(delay)
        delay = min(2 * delay, 0.02)
    rank = info.Get_source()
    return comm.recv(source=rank, tag=info.Get_tag()), rank


class MpiMaster:
    """Rank 0: hands out run indices to the worker ranks as they ask, then tells them the exit code.
    Worker ranks stopped by a signal report it (their run recorded as killed) and leave."""

    def __init__(self, comm):
        self.comm = comm
        self.working = set(range(1, comm.Get_size()))   # may still send us something
        self.waiting = set()                            # told to stop, waiting for the exit code

    def run(self, indices, progress):
        pending = collections.deque(indices)
        statuses = []
        while self.working:
            (kind, status), rank = mpi_recv(self.comm, None)
            if status is not None:
                statuses.append(status)
                progress.update(status)
            if kind == _KILLED:
                self.working.discard(rank)
                continue
            if pending:
                self.comm.send(pending.popleft(), dest=rank)
            else:
                self.comm.send(None, dest=rank)
                self.working.discard(rank)
                self.waiting.add(rank)
        return statuses

    def finish(self, code):
        for rank in sorted(self.waiting):
            self.comm.send(code, dest=rank)
        self.waiting.clear()

    def stop(self, code, grace=5.0):
        """Rank 0 itself was stopped: release the waiting workers, give the working ones (which got
        the same signal from mpirun or Slurm) `grace` seconds to clean up and report; True when
        every worker is accounted for."""
        self.finish(code)
        deadline = time.monotonic() + grace
        while self.working:
            message, rank = mpi_recv(self.comm, None, deadline=deadline)
            if rank is None:
                return False
            kind, _ = message
            if kind == _KILLED:
                self.working.discard(rank)
            else:  # a run ended normally: hand out nothing more
                self.comm.send(None, dest=rank)
                self.working.discard(rank)
                self.waiting.add(rank)
                self.finish(code)
        return True


def mpi_worker(comm, directory, manifest, binary):
    """Other ranks: ask rank 0 for an index, run it, report, until told to stop; returns the exit
    code rank 0 sends. Stopped by a signal, the run is killed and recorded as such (run_one), rank 0
    is told, and the signal's exception goes on."""
    comm.send((_READY, None), dest=0)
    stopped = False
    index = None
    slot = batch.Slot(binary)
    try:
        while True:
            index, _ = mpi_recv(comm, 0)
            if index is None:
                stopped = True
                code, _ = mpi_recv(comm, 0)
                return code
            status = run_one(directory, manifest, index, binary, slot)
            index = None
            comm.send((_DONE, status), dest=0)
    except BaseException:
        if not stopped:
            status = read_status(directory, index) if index is not None else None
            try:
                comm.send((_KILLED, status), dest=0)
            except Exception:
                pass
        raise
    finally:
        slot.close()
