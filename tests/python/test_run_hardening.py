"""`cloudmarket run` and `validate` against hostile inputs and faults: no hang, no crash, no lost
file. Invalid input exits 2 before any work; a failure while running exits 1 with a message; a
signal removes the run's temporary file and exits 128 + the signal's number."""
import filecmp
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

from common import BASELINE, BINARY, SMALL, SOURCE, TempDirTest, cloudmarket

MILLION = os.path.join(SOURCE, "scenarios", "bench", "million.yaml")
FULL_DISK_LIB = os.environ.get("CM_FULL_DISK_LIB", "")


def leftovers(directory):
    return sorted(n for n in os.listdir(directory) if ".partial" in n)


class NonRegularInputs(TempDirTest):
    def test_fifo_scenario_and_extends_target_are_refused_without_blocking(self):
        fifo = self.path("scenario.fifo")
        os.mkfifo(fifo)
        with open(self.path("child.yaml"), "w") as f:
            f.write("extends: scenario.fifo\n")
        for path, expected in ((fifo, fifo + ": error: "), (self.path("child.yaml"), self.path("child.yaml") + ":1:10: error: ")):
            with self.subTest(path=path):
                proc = cloudmarket("validate", path, timeout=20)  # blocked forever before
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertTrue(proc.stderr.startswith(expected), proc.stderr)
                self.assertIn("FIFO", proc.stderr)

    def test_devices_and_directories_are_refused(self):
        for path, kind in (("/dev/zero", "character device"), (self.tmp, "directory")):
            with self.subTest(path=path):
                proc = cloudmarket("validate", path, timeout=20)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(kind, proc.stderr)


class Overrides(TempDirTest):
    def peak_kib(self, *args):
        """Exit code, stderr and peak resident memory (KiB) of one `cloudmarket` process."""
        probe = ("import resource, subprocess, sys\n"
                 "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
                 "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
                 "sys.stderr.write(p.stderr)\nsys.exit(p.returncode)\n")
        proc = subprocess.run([sys.executable, "-c", probe, BINARY, *args], capture_output=True, text=True,
                              timeout=120)
        return proc.returncode, proc.stderr, int(proc.stdout)

    def test_long_set_paths_and_values_are_rejected_in_bounded_memory(self):
        _, _, baseline = self.peak_kib("validate", SMALL)
        deep = ".".join(["a"] * 16000) + "=1"          # took ~1 GB before it was rejected
        wide = "vendors=[" + ",".join(["1"] * 20000) + "]"  # took ~800 MB
        for assignment, message in ((deep, "deeper than 64 levels"), (wide, "at most 256 are allowed")):
            with self.subTest(length=len(assignment)):
                code, stderr, peak = self.peak_kib("validate", SMALL, "--set", assignment)
                self.assertEqual(code, 2, stderr)
                self.assertIn(message, stderr)
                self.assertTrue(stderr.startswith("<--set "), stderr)
                self.assertLess(len(stderr.splitlines()[0]), 300, "the message quotes a long override cut short")
                self.assertLess(peak - baseline, 64 * 1024, f"peak {peak} KiB against {baseline} KiB for a plain validate")

    def test_seed_must_be_a_whole_number_in_range(self):
        for seed in ("", "abc", "-1", "1e3", "7.5", " 7", "1000000000000001", "99999999999999999999999"):
            with self.subTest(seed=seed):
                proc = cloudmarket("validate", SMALL, "--seed", seed)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("--seed", proc.stderr)
                self.assertIn("whole number", proc.stderr)
        self.assertEqual(cloudmarket("validate", SMALL, "--seed", "1000000000000000").returncode, 0)


class OutputPath(TempDirTest):
    def test_output_paths_that_cannot_be_written_are_refused_before_the_run(self):
        # The million-firm scenario takes seconds to simulate: exit code 2 (not 1 after the run)
        # shows that each problem is found before any work.
        base = self.path("base.yaml")  # a copy: should the check fail, only a copy is destroyed
        shutil.copy(MILLION, base)
        scenario = self.path("scenario.yaml")
        with open(scenario, "w") as f:
            f.write("extends: base.yaml\nname: million_copy\n")
        os.link(scenario, self.path("hard_link.yaml"))
        os.mkdir(self.path("a_directory"))
        with open(scenario, "rb") as f:
            original = f.read()
        with open(base, "rb") as f:
            base_original = f.read()
        cases = {
            scenario: "is the input file",
            self.path("hard_link.yaml"): "is the input file",
            base: "is the input file",  # the extends: target
            "": "empty",
            self.path("sub") + "/": "ends with '/'",
            self.path("a_directory"): "is a directory",
            "/dev/null": "character device",
        }
        for out, message in cases.items():
            with self.subTest(out=out):
                proc = cloudmarket("run", scenario, "-o", out, "--quiet", timeout=30)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(message, proc.stderr)
        for path, before in ((scenario, original), (base, base_original)):
            with open(path, "rb") as f:
                self.assertEqual(f.read(), before, f"{path} must be untouched")
        self.assertFalse(os.path.exists(self.path("sub")))
        self.assertEqual(leftovers(self.tmp), [])

    def test_output_is_readable_as_the_umask_says(self):
        out = self.path("out.h5")
        old = os.umask(0o022)
        try:
            self.run_ok("run", SMALL, "-o", out, "--quiet")
        finally:
            os.umask(old)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o644)


class Concurrency(TempDirTest):
    def test_two_runs_writing_the_same_file_both_succeed_and_the_last_wins(self):
        ref7, ref8, out = self.path("ref7.h5"), self.path("ref8.h5"), self.path("shared/out.h5")
        self.run_ok("run", BASELINE, "-o", ref7, "--quiet", "--seed", "7")
        self.run_ok("run", BASELINE, "-o", ref8, "--quiet", "--seed", "8")
        for _ in range(3):
            procs = [subprocess.Popen([BINARY, "run", BASELINE, "-o", out, "--quiet", "--seed", seed],
                                      stderr=subprocess.PIPE, text=True) for seed in ("7", "8")]
            for p in procs:
                _, err = p.communicate(timeout=300)
                self.assertEqual(p.returncode, 0, err)
            self.assertTrue(filecmp.cmp(out, ref7, shallow=False) or filecmp.cmp(out, ref8, shallow=False))
            self.assertEqual(os.listdir(self.path("shared")), ["out.h5"])


@unittest.skipUnless(FULL_DISK_LIB, "CM_FULL_DISK_LIB is not set (run through ctest)")
class FullDisk(TempDirTest):
    def test_a_full_disk_fails_cleanly_wherever_it_strikes(self):
        # The disk fills at the file's creation, while datasets are written, and at the final flush;
        # HDF5 crashed at exit (SIGSEGV, exit 139) when its file's close had failed.
        for after in (0, 100, 3000, 20000, 60000, 120000):
            with self.subTest(bytes_before_full=after):
                env = dict(os.environ, LD_PRELOAD=FULL_DISK_LIB, CM_FULL_DISK_AFTER=str(after))
                proc = subprocess.run([BINARY, "run", SMALL, "-o", self.path("out.h5"), "--quiet"],
                                      capture_output=True, text=True, env=env, timeout=120)
                self.assertEqual(proc.returncode, 1, proc.stderr)
                self.assertIn("No space left on device", proc.stderr)
                self.assertEqual(os.listdir(self.tmp), [])


class Signals(TempDirTest):
    def test_interrupted_runs_remove_their_temporary_file_and_say_so(self):
        out = self.path("out.h5")
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            with self.subTest(signal=sig.name):
                proc = subprocess.Popen([BINARY, "run", MILLION, "-o", out], stderr=subprocess.PIPE, text=True)
                deadline = time.monotonic() + 60
                while not leftovers(self.tmp) and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.02)
                self.assertTrue(leftovers(self.tmp), "the run should have made its temporary file")
                time.sleep(0.3)  # into the simulation (SimGrid's engine installs its own SIGINT handler)
                proc.send_signal(sig)
                _, err = proc.communicate(timeout=60)
                self.assertEqual(proc.returncode, 128 + sig, err)
                self.assertIn(f"interrupted by {sig.name}", err)
                self.assertIn("was not written", err)
                self.assertEqual(os.listdir(self.tmp), [])


if __name__ == "__main__":
    unittest.main()
