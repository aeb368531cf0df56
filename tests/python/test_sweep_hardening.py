"""Hardening of the sweep tools (issue 8, items 9-18): hostile inputs, broken pipes, incomplete
sweeps, Slurm limits, filesystems without flock, SIGTERM of MPI ranks, the directory lock of
run-one, file modes, missing Python packages and the cost of run-one.

Runs use tests/sweeps/small_grid.yaml (8 runs of well under a second each).
"""
import contextlib
import errno
import glob
import importlib.util
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import unittest
from unittest import mock

from common import BINARY, SOURCE, TempDirTest, processes_marked

SWEEP = os.path.join(SOURCE, "tools", "sweep.py")
SMALL = os.path.join(SOURCE, "tests", "scenarios", "small.yaml")
GRID = os.path.join(SOURCE, "tests", "sweeps", "small_grid.yaml")
SALTELLI = os.path.join(SOURCE, "tests", "sweeps", "small_saltelli.yaml")

sys.path.insert(0, os.path.join(SOURCE, "tools"))


def sweep(*args, timeout=120, binary=None, env=None, umask=None, stdout=subprocess.PIPE):
    if not BINARY:
        raise unittest.SkipTest("CLOUDMARKET is not set (run through ctest)")
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run([sys.executable, SWEEP, *args, "--binary", binary or BINARY], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})), preexec_fn=preexec)


def load_sweep_module():
    spec = importlib.util.spec_from_file_location("sweep_tool", SWEEP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Hardening(TempDirTest):
    def assertNoTraceback(self, proc):
        self.assertNotIn("Traceback", proc.stderr)
        self.assertNotIn("Error:", proc.stderr.replace("error:", ""))

    def write(self, name, text, mode="w"):
        path = self.path(name)
        with open(path, mode) as f:
            f.write(text)
        return path

    # -- 9 ----------------------------------------------------------------------------------------
    def test_item9_hostile_sweep_files_get_located_errors(self):
        fifo = self.path("fifo.yaml")
        os.mkfifo(fifo)
        deep = self.write("deep.yaml", "schema: cloudmarket-sweep/1\nbase: x\nparameters: " + "[" * 5000 + "]" * 5000 + "\n")
        garbage = self.write("garbage.yaml", b"schema: cloudmarket-sweep/1\nbase: \xff\xfe\x00\x01\n", "wb")
        nul = self.write("nul.yaml", b"schema: cloudmarket-sweep/1\nbase: a\x00b\n", "wb")
        big = self.path("big.yaml")
        with open(big, "wb") as f:
            f.truncate(17 << 20)
        csv_fifo = self.path("points.csv")
        os.mkfifo(csv_fifo)
        csv_sweep = self.write("csv.yaml", f"schema: cloudmarket-sweep/1\nbase: {SMALL}\n"
                                           "design: {type: csv, file: points.csv}\n")
        cases = {
            "/dev/zero": "/dev/zero: error: cannot read file: it is a character device, not a regular file",
            fifo: f"{fifo}: error: cannot read file: it is a FIFO (named pipe), not a regular file",
            deep: f"{deep}:3:76: error: the sweep file nests lists and mappings more than 64 levels deep",
            garbage: f"{garbage}:2:7: error: the sweep file is not UTF-8 text: byte 0xff",
            nul: f"{nul}:2:8: error: character U+0000 is not allowed in YAML",
            big: f"{big}: error: the sweep file is larger than the limit of 16777216 bytes",
            csv_sweep: f"{csv_sweep}:3:27: error: cannot use design file points.csv: cannot read file: it is a FIFO",
        }
        for path, expected in cases.items():
            with self.subTest(path=path):
                start = time.monotonic()
                proc = sweep("plan", path, "-o", self.path("out"), timeout=30)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(expected, proc.stderr)
                self.assertNoTraceback(proc)
                self.assertLess(time.monotonic() - start, 10)
                self.assertFalse(os.path.exists(self.path("out")))

    # -- 10 ---------------------------------------------------------------------------------------
    def test_item10_a_closed_pipe_is_no_traceback(self):
        planned = self.path("salt")
        self.assertEqual(sweep("plan", SALTELLI, "-o", planned).returncode, 0)
        for args in (["analyze", planned], ["status", planned]):
            with self.subTest(args=args):
                proc = subprocess.Popen([sys.executable, SWEEP, *args, "--binary", BINARY],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                proc.stdout.close()  # `| head -0`: the reader is gone before anything is written
                err = proc.stderr.read()
                proc.wait(timeout=60)
                proc.stderr.close()
                self.assertNotIn("Traceback", err)
                self.assertNotIn("BrokenPipeError", err)
                self.assertIn(proc.returncode, (0, 1))

    # -- 11, 13, 16, 17, 18 -----------------------------------------------------------------------
    def test_items_11_16_17_18_status_collect_lock_modes_and_run_one_ranges(self):
        planned = self.path("planned")
        proc = sweep("plan", GRID, "-o", planned, "--array-max", "3", umask=0o027)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("packing 3 runs per task", proc.stderr)  # 13: 8 runs in at most 3 tasks
        with open(os.path.join(planned, "slurm.sbatch")) as f:
            script = f.read()
        self.assertIn("#SBATCH --array=0-2\n", script)
        self.assertIn('--index "$first-$last" --resume', script)  # 18: one process per task

        # 18: a range in one process; 17: what it writes follows the umask (0027 -> 0640)
        proc = sweep("run-one", planned, "--index", "0-1", umask=0o027)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for name in ("manifest.json", "status/0.json", "status/1.json"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(planned, name)).st_mode), 0o640, name)
        # 18: done runs are skipped at once, without the simulator
        start = time.monotonic()
        proc = sweep("run-one", planned, "--index", "0-1", "--resume", binary="/nonexistent/cloudmarket")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("run 1: already done", proc.stderr)
        self.assertLess(time.monotonic() - start, 5)

        # 11: status and collect tell an incomplete sweep from a complete one
        proc = sweep("status", planned)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("8 runs: 2 ok, 6 pending", proc.stdout)
        self.assertIn("to run: 2-7", proc.stdout)
        proc = sweep("collect", planned, umask=0o027)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("not complete: 6 of 8 runs are not ok", proc.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(planned, "sweep.h5")).st_mode), 0o640)
        self.assertEqual(sweep("collect", planned, "--partial").returncode, 0)

        # 16: run-one holds the directory: a local --resume (or a new plan) waits its turn
        marker, release = self.path("started"), self.path("release")
        # a run that waits (at most 60 s) until the test lets it go (a simulator without a batch
        # worker, so that the run is this script)
        slow = self.write("slow.sh", f"#!/bin/sh\ncase \"$1\" in batch) exit 2;; run) touch {marker}; i=0; "
                                     f"while [ ! -e {release} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done;; "
                                     f"esac\nexec {BINARY} \"$@\"\n")
        os.chmod(slow, 0o755)
        task = subprocess.Popen([sys.executable, SWEEP, "run-one", planned, "--index", "2", "--binary", slow],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 20
            while not os.path.exists(marker) and time.monotonic() < deadline:
                time.sleep(0.02)
            for args in (["run", GRID, "-o", planned, "--resume"], ["plan", GRID, "-o", planned]):
                proc = sweep(*args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("another sweep is running", proc.stderr)
            self.assertIsNone(task.poll(), "the array task was still running")
        finally:
            open(release, "w").close()
            _, err = task.communicate(timeout=90)
        self.assertEqual(task.returncode, 0, err)
        proc = sweep("run", GRID, "-o", planned, "--resume", "--jobs", "2")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("3 of 8 runs already done", proc.stderr)
        proc = sweep("status", planned)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("8 runs: 8 ok", proc.stdout)
        self.assertEqual(sweep("collect", planned).returncode, 0)

    # -- 13 ---------------------------------------------------------------------------------------
    def test_item13_plan_respects_the_clusters_limits(self):
        bin_dir = self.path("bin")
        os.mkdir(bin_dir)
        scontrol = self.write("bin/scontrol", """#!/bin/sh
case "$2" in
  config) echo "MaxArraySize            = 4" ;;
  partition) printf 'PartitionName=short\\n   AllowGroups=ALL Default=YES\\n   MaxTime=00:30:00 State=UP\\n' ;;
esac
""")
        os.chmod(scontrol, 0o755)
        env = {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
        planned = self.path("p")
        proc = sweep("plan", GRID, "-o", planned, "--mem", "1500M", env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(os.path.join(planned, "slurm.sbatch")) as f:
            script = f.read()
        self.assertIn("#SBATCH --array=0-3\n", script)          # MaxArraySize 4: 2 runs per task
        self.assertIn("PER_TASK=2\n", script)
        self.assertIn("#SBATCH --time=0-00:30:00\n", script)    # capped at the partition's MaxTime
        self.assertIn("#SBATCH --mem=1500M\n", script)
        self.assertIn("capped at the MaxTime of partition short", proc.stderr)
        proc = sweep("plan", GRID, "-o", planned, "--time", "1:00:00", env=env)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("exceeds the MaxTime of partition short (0-00:30:00): the job would pend forever", proc.stderr)
        proc = sweep("plan", GRID, "-o", planned, "--time", "soon", env=env)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertNoTraceback(proc)

    # -- 14 ---------------------------------------------------------------------------------------
    def test_item14_without_flock_a_file_lock_takes_over(self):
        """A filesystem without flock is simulated in this process: fcntl.flock fails with ENOLCK,
        as it does on NFS without lockd (Lustre without -o flock gives ENOSYS)."""
        if not BINARY:
            self.skipTest("CLOUDMARKET is not set")
        tool = load_sweep_module()
        runner = tool.runner
        directory = self.path("nolock")

        def call(*args):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = tool.main([*args, "--binary", BINARY])
            return code, err.getvalue()

        previous = signal.getsignal(signal.SIGTERM)
        self.addCleanup(signal.signal, signal.SIGTERM, previous)
        no_flock = OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))
        with mock.patch.object(runner.fcntl, "flock", side_effect=no_flock):
            code, err = call("plan", GRID, "-o", directory)
            self.assertEqual(code, 0, err)
            self.assertEqual(os.listdir(directory + "/.tasks") if os.path.isdir(directory + "/.tasks") else [], [])
            self.assertFalse(os.path.exists(os.path.join(directory, ".lock.d")), "released after plan")
            # an array task holds the directory: a local run is refused, saying why
            task = runner.lock_directory(directory, shared=True, verb="run-one")
            self.assertTrue(task.fallback)
            code, err = call("run", GRID, "-o", directory, "--resume")
            self.assertEqual(code, 2)
            self.assertIn("another sweep is running", err)
            self.assertIn("does not support flock", err)
            task.release()
            # a lock left by a process of this host that died is cleared
            os.mkdir(os.path.join(directory, ".lock.d"))
            dead = subprocess.Popen(["true"])
            dead.wait()
            with open(os.path.join(directory, ".lock.d", "owner"), "w") as f:
                f.write(f"{runner._HOST} {dead.pid} run\n")
            code, err = call("plan", GRID, "-o", directory)
            self.assertEqual(code, 0, err)
            # a live one is not; --no-lock is the documented way round
            held = runner.lock_directory(directory)
            self.assertEqual(call("plan", GRID, "-o", directory)[0], 2)
            code, err = call("plan", GRID, "-o", directory, "--no-lock")
            self.assertEqual(code, 0, err)
            held.release()
        # any other flock failure is told as it is, not as a busy directory
        with mock.patch.object(runner.fcntl, "flock", side_effect=OSError(errno.EIO, os.strerror(errno.EIO))):
            code, err = call("plan", GRID, "-o", directory)
        self.assertEqual(code, 1)
        self.assertIn("Input/output error", err)
        self.assertNotIn("another sweep", err)

    # -- 15 ---------------------------------------------------------------------------------------
    def test_item15_sigterm_of_an_mpi_sweep_cleans_up_every_rank(self):
        mpirun = shutil.which("mpirun")
        try:
            import mpi4py  # noqa: F401
        except ImportError:
            mpirun = None
        if not mpirun or not BINARY:
            self.skipTest("mpirun, mpi4py or the binary is missing")
        # runs far too long to finish, in the worker rank's batch worker
        long = self.write("long.yaml", f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            set: {{time.years: 100, segments.retail.firms: 2000000}}
            parameters:
              - {{path: segments.retail.growth, values: [0.1, 0.2]}}
            """)
        out = self.path("mpi")
        token = f"{os.getpid()}.{time.monotonic_ns()}"  # inherited by every process of the job
        proc = subprocess.Popen([mpirun, "--oversubscribe", "--allow-run-as-root", "-np", "2", sys.executable, SWEEP,
                                 "run", long, "-o", out, "--mpi", "--binary", BINARY],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                                env=dict(os.environ, CM_TEST_JOB=token))
        try:
            deadline = time.monotonic() + 60
            partials = os.path.join(out, "runs", "*.partial")
            while not glob.glob(partials) and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            self.assertTrue(glob.glob(partials), "the run started")
            time.sleep(0.3)
            # as scancel does: SIGTERM to every process of the job (mpirun and the ranks)
            os.killpg(proc.pid, signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(glob.glob(os.path.join(out, "runs", "*.partial")), [])
        with open(os.path.join(out, "status", "0.json")) as f:
            status = json.load(f)
        self.assertEqual(status["status"], "killed", status)
        self.assertEqual(status["via"], "batch")
        self.assertIn("SIGTERM", status["stderr"])
        self.assertNotIn("Traceback", stderr)
        time.sleep(0.3)
        mark = f"CM_TEST_JOB={token}".encode()
        self.assertEqual(processes_marked(mark), [], "a process of the job survived it")  # no worker or run

    # -- 12 (the Python part) --------------------------------------------------------------------
    def test_item12_a_missing_python_package_is_named(self):
        fake = self.path("site")
        os.mkdir(fake)
        with open(os.path.join(fake, "h5py.py"), "w") as f:
            f.write("raise ModuleNotFoundError(\"No module named 'h5py'\", name='h5py')\n")
        env = {"PYTHONPATH": fake}
        out = self.path("out")
        proc = sweep("run", GRID, "-o", out, env=env)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("cloudmarket sweep: error: Python package 'h5py' is missing (Debian: python3-h5py)", proc.stderr)
        self.assertNoTraceback(proc)
        self.assertEqual(glob.glob(os.path.join(out, "runs", "*.h5")), [], "found before any run")
        proc = sweep("collect", out, env=env)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("Python package 'h5py' is missing (Debian: python3-h5py)", proc.stderr)
        self.assertNoTraceback(proc)


if __name__ == "__main__":
    unittest.main()
