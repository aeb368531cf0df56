"""The batch worker (`cloudmarket batch`, tools/sweeplib/batch.py): its protocol, outputs
byte-identical to single runs, runs that fail, crash, hang or lose their worker, and the fall-back
to one process per run.

Runs use tests/scenarios/small.yaml cut to one year and a few hundred firms; the runs that must be
killed are made long (two million firms over a century) and never left to finish.
"""
import filecmp
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from common import BINARY, SOURCE, SMALL, TempDirTest

sys.path.insert(0, os.path.join(SOURCE, "tools"))

from sweeplib import batch, runner  # noqa: E402

SWEEP = os.path.join(SOURCE, "tools", "sweep.py")
GRID = os.path.join(SOURCE, "tests", "sweeps", "small_grid.yaml")
TINY = ["--set", "time.years=1", "--set", "segments.retail.firms=300"]
LONG = ["segments.retail.firms=2000000", "time.years=100"]


def needs_binary():
    if not BINARY:
        raise unittest.SkipTest("CLOUDMARKET is not set (run through ctest)")


class Protocol(TempDirTest):
    """The worker spoken to directly, line by line."""

    def setUp(self):
        super().setUp()
        needs_binary()
        self.worker = subprocess.Popen([BINARY, "batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, bufsize=1)
        hello = self.worker.stdout.readline().rstrip("\n").split("\t")
        self.assertEqual(hello[:2], ["cloudmarket-batch/1", "ready"])
        self.assertEqual(int(hello[2]), self.worker.pid)

    def tearDown(self):
        if self.worker.poll() is None:
            self.worker.kill()
            self.worker.wait()
        for stream in (self.worker.stdin, self.worker.stdout, self.worker.stderr):
            stream.close()
        super().tearDown()

    def ask(self, log, *args):
        self.worker.stdin.write("\t".join([log, *args]) + "\n")
        self.worker.stdin.flush()
        return self.worker.stdout.readline().rstrip("\n").split("\t")

    def ended(self):
        return self.worker.stdout.readline().rstrip("\n").split("\t")

    def test_runs_are_single_runs_and_failures_are_answered(self):
        # a run: the same bytes as `cloudmarket run`, its stdout and stderr in the log
        single, through = self.path("single.h5"), self.path("through.h5")
        proc = subprocess.run([BINARY, "run", SMALL, "-o", single, "--quiet", "--seed", "4", *TINY],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        started = self.ask(self.path("ok.log"), SMALL, "-o", through, "--quiet", "--seed", "4", *TINY)
        self.assertEqual(started[0], "started")
        kind, code, cpu, rss = self.ended()
        self.assertEqual((kind, code), ("exited", "0"))
        self.assertGreater(float(cpu), 0)
        self.assertGreater(int(rss), 0)
        self.assertTrue(filecmp.cmp(single, through, shallow=False), "a run through the worker differs")
        # invalid input: exit 2 and the message `cloudmarket run` prints, in the log
        bad = ["--set", "segments.retail.firms=-5"]
        proc = subprocess.run([BINARY, "run", SMALL, "-o", self.path("bad.h5"), *bad], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(self.ask(self.path("bad.log"), SMALL, "-o", self.path("bad.h5"), *bad)[0], "started")
        self.assertEqual(self.ended()[:2], ["exited", "2"])
        with open(self.path("bad.log")) as f:
            self.assertEqual(f.read(), proc.stderr)
        self.assertEqual(self.ask(self.path("help.log"), "--help")[0], "started")  # `run --help`, in the child
        self.assertEqual(self.ended()[:2], ["exited", "0"])
        with open(self.path("help.log")) as f:
            self.assertIn("usage: cloudmarket run", f.read())
        # requests that start nothing
        self.assertEqual(self.ask("no tab in this line")[0], "refused")
        answer = self.ask(os.path.join(self.tmp, "no", "such", "dir", "x.log"), SMALL)
        self.assertEqual(answer[0], "refused")
        self.assertIn("cannot open the log", answer[1])
        # the end of input ends the worker
        self.worker.stdin.close()
        self.assertEqual(self.worker.wait(timeout=30), 0)
        self.assertEqual(sorted(n for n in os.listdir(self.tmp) if n.endswith(".h5")), ["single.h5", "through.h5"])

    def test_sigusr1_kills_the_run_and_a_crash_is_answered_the_worker_goes_on(self):
        out = self.path("long.h5")
        started = self.ask(self.path("long.log"), SMALL, "-o", out, "--quiet", "--set", LONG[0], "--set", LONG[1])
        self.assertEqual(started[0], "started")
        time.sleep(0.2)
        os.kill(self.worker.pid, signal.SIGUSR1)
        self.assertEqual(self.ended()[:2], ["signaled", str(int(signal.SIGKILL))])
        started = self.ask(self.path("crash.log"), SMALL, "-o", out, "--quiet", "--set", LONG[0], "--set", LONG[1])
        time.sleep(0.2)
        os.kill(int(started[1]), signal.SIGSEGV)  # a run that crashes
        self.assertEqual(self.ended()[:2], ["signaled", str(int(signal.SIGSEGV))])
        self.assertFalse(os.path.exists(out))
        self.assertEqual(self.ask(self.path("after.log"), SMALL, "-o", out, "--quiet", *TINY)[0], "started")
        self.assertEqual(self.ended()[:2], ["exited", "0"])
        self.assertTrue(os.path.isfile(out))

    def test_a_run_dies_with_its_worker(self):
        started = self.ask(self.path("long.log"), SMALL, "-o", self.path("long.h5"), "--quiet",
                           "--set", LONG[0], "--set", LONG[1])
        child = int(started[1])
        self.worker.kill()
        self.worker.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(child):
            time.sleep(0.02)
        self.assertFalse(_alive(child), "the run outlived its worker")

    def test_usage(self):
        proc = subprocess.run([BINARY, "batch", "--help"], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0)
        self.assertIn("usage: cloudmarket batch", proc.stdout)
        proc = subprocess.run([BINARY, "batch", "extra"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("cloudmarket batch: error: takes no arguments", proc.stderr)


def _alive(pid):
    """True while `pid` runs (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def manifest_of(directory, sets, timeout=60.0):
    """A sweep manifest for runs of SMALL, one per list of assignments, written to `directory`."""
    runs = [{"index": i, "point": i, "replication": 0, "seed": 100 + i, "set": list(s)} for i, s in enumerate(sets)]
    manifest = {"base": SMALL, "timeout_seconds": timeout, "runs": runs}
    os.makedirs(directory, exist_ok=True)
    runner.write_json_atomic(runner.manifest_path(directory), manifest)
    return manifest


class Silent:
    def update(self, status):
        pass


class ThroughTheRunner(TempDirTest):
    """Runs of a sweep directory in batch workers, as `sweep`, `compare` and `calibrate` run them."""

    def setUp(self):
        super().setUp()
        needs_binary()

    def single_run_matches(self, directory, manifest, index):
        """`cloudmarket run` of that run, elsewhere, writes the same bytes."""
        elsewhere = os.path.join(self.tmp, "single")
        proc = subprocess.run(runner.run_command(BINARY, manifest["base"], elsewhere, manifest["runs"][index]),
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return filecmp.cmp(runner.output_path(directory, index), runner.output_path(elsewhere, index), shallow=False)

    def test_failing_crashing_and_timed_out_runs_are_recorded_and_the_others_finish(self):
        out = self.path("out")
        ok = ["time.years=1", "segments.retail.firms=300"]
        manifest = manifest_of(out, [ok, ["segments.retail.firms=-5"], LONG, ok + ["segments.retail.growth=0.2"], ok],
                               timeout=1.0)
        statuses = runner.run_local(out, manifest, range(5), BINARY, 2, Silent())
        by_index = {s["index"]: s for s in statuses}
        self.assertEqual([by_index[i]["status"] for i in range(5)], ["ok", "failed", "timeout", "ok", "ok"])
        self.assertEqual({s["via"] for s in statuses}, {"batch"})
        self.assertEqual(by_index[1]["exit_code"], 2)
        self.assertIn("'firms' must be in", by_index[1]["stderr"])
        self.assertEqual(by_index[2]["exit_code"], -signal.SIGKILL)
        self.assertIn("killed after 1 s (timeout_seconds)", by_index[2]["stderr"])
        self.assertGreater(by_index[0]["cpu_seconds"], 0)
        self.assertEqual(sorted(os.listdir(os.path.join(out, "runs"))), ["0.h5", "3.h5", "4.h5"])
        for i in (0, 3, 4):
            self.assertTrue(self.single_run_matches(out, manifest, i), f"run {i} differs from a single run")

    def test_a_crashed_run_fails_a_dead_worker_is_replaced(self):
        out = self.path("out")
        manifest = manifest_of(out, [LONG, LONG, ["time.years=1", "segments.retail.firms=300"]])
        slot = batch.Slot(BINARY)
        try:
            crashing = runner.RunProcess(out, manifest, 0, BINARY, slot)
            self.assertEqual(crashing.via, "batch")
            worker = slot.worker.proc.pid
            time.sleep(0.2)
            os.kill(crashing.pid, signal.SIGSEGV)
            status = crashing.wait()
            self.assertEqual((status["status"], status["exit_code"]), ("failed", -signal.SIGSEGV))
            orphaned = runner.RunProcess(out, manifest, 1, BINARY, slot)
            self.assertEqual(slot.worker.proc.pid, worker, "a crashed run does not cost the worker")
            time.sleep(0.2)
            os.kill(worker, signal.SIGKILL)  # the worker itself dies: its run with it
            status = orphaned.wait()
            self.assertEqual(status["status"], "failed")
            self.assertIn("the batch worker failed", status["stderr"])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _alive(orphaned.pid):
                time.sleep(0.02)
            self.assertFalse(_alive(orphaned.pid), "the run outlived its worker")
            status = runner.run_one(out, manifest, 2, BINARY, slot)
            self.assertEqual((status["status"], status["via"]), ("ok", "batch"))
            self.assertNotEqual(slot.worker.proc.pid, worker)
        finally:
            slot.close()
        self.assertEqual([n for n in os.listdir(os.path.join(out, "runs"))], ["2.h5"])
        self.assertEqual(runner.read_status(out, 0)["status"], "failed")

    def test_one_process_per_run_when_asked_or_when_the_worker_cannot_start(self):
        out = self.path("out")
        manifest = manifest_of(out, [["time.years=1", "segments.retail.firms=300"]])
        old = os.environ.get("CLOUDMARKET_BATCH")
        os.environ["CLOUDMARKET_BATCH"] = "0"
        try:
            status = runner.run_one(out, manifest, 0, BINARY)
        finally:
            if old is None:
                del os.environ["CLOUDMARKET_BATCH"]
            else:
                os.environ["CLOUDMARKET_BATCH"] = old
        self.assertEqual((status["status"], status["via"], status["cpu_seconds"]), ("ok", "process", None))
        self.assertTrue(self.single_run_matches(out, manifest, 0))
        # a binary without the batch command: its runs go one process each, and the sweep says so
        older = self.write("older.sh", f"""
            #!/bin/sh
            [ "$1" = batch ] && {{ echo "cloudmarket: error: unknown command 'batch'" >&2; exit 2; }}
            exec {BINARY} "$@"
            """)
        os.chmod(older, 0o755)
        proc = subprocess.run([sys.executable, SWEEP, "run", GRID, "-o", self.path("sweep"), "--jobs", "2",
                               "--binary", older], capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("one process per run instead", proc.stderr)
        self.assertIn("unknown command 'batch'", proc.stderr)
        for i in range(8):
            self.assertEqual(runner.read_status(self.path("sweep"), i)["via"], "process")


class SweepThroughTheWorker(TempDirTest):
    def test_outputs_are_those_of_single_runs(self):
        needs_binary()
        out = self.path("sweep")
        proc = subprocess.run([sys.executable, SWEEP, "run", GRID, "-o", out, "--jobs", "2", "--binary", BINARY],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(runner.manifest_path(out)) as f:
            manifest = json.load(f)
        single = self.path("single")
        for run in manifest["runs"]:
            with self.subTest(run=run["index"]):
                status = runner.read_status(out, run["index"])
                self.assertEqual((status["status"], status["via"]), ("ok", "batch"))
                cmd = runner.run_command(BINARY, manifest["base"], single, run)
                self.assertEqual(subprocess.run(cmd, capture_output=True).returncode, 0)
                # `cmp`, as a user would check it
                self.assertEqual(subprocess.run(["cmp", runner.output_path(out, run["index"]),
                                                 runner.output_path(single, run["index"])]).returncode, 0)


if __name__ == "__main__":
    unittest.main()
