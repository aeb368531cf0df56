"""The command line: exit codes, help, version, overrides, determinism."""
import filecmp
import os
import unittest

import h5py
import numpy as np

from common import BASELINE, SMALL, TempDirTest, cloudmarket


class ExitCodes(TempDirTest):
    def test_version_and_help(self):
        proc = self.run_ok("--version")
        self.assertRegex(proc.stdout, r"^cloudmarket \d+\.\d+\.\d+ \(scenario schema cloudmarket/1")
        self.assertIn("run SCENARIO.yaml", self.run_ok("--help").stdout)
        self.assertIn("--output", self.run_ok("run", "--help").stdout)
        self.assertIn("--print", self.run_ok("validate", "--help").stdout)

    def test_usage_errors_exit_2(self):
        for args in ([], ["frobnicate"], ["run"], ["run", SMALL], ["run", SMALL, "-o"],
                     ["validate", SMALL, "--no-such-option"]):
            with self.subTest(args=args):
                proc = cloudmarket(*args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertTrue("error" in proc.stderr or proc.stderr.startswith("usage"), proc.stderr)
        self.assertIn("did you mean 'run'", cloudmarket("rnu").stderr)

    def test_missing_scenario_file(self):
        proc = cloudmarket("validate", self.path("nope.yaml"))
        self.assertEqual(proc.returncode, 2)
        self.assertTrue(proc.stderr.startswith(self.path("nope.yaml") + ": error: cannot read file"), proc.stderr)

    def test_failure_while_running_exits_1_and_leaves_nothing(self):
        # The output's directory cannot be created: a file stands where the directory should be.
        blocker = self.path("blocker")
        open(blocker, "w").close()
        proc = cloudmarket("run", SMALL, "-o", os.path.join(blocker, "out.h5"), "--quiet")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("error", proc.stderr)

    def test_bad_override_exits_2_before_work(self):
        out = self.path("out.h5")
        proc = cloudmarket("run", SMALL, "-o", out, "--set", "vendors.nosuch.cash=1")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("<--set vendors.nosuch.cash=1>", proc.stderr)
        proc = cloudmarket("run", SMALL, "-o", out, "--set", "segments.retail.firms=-5")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("'firms' must be in", proc.stderr)
        self.assertEqual(os.listdir(self.tmp), [])


class Runs(TempDirTest):
    def test_run_writes_only_the_final_file(self):
        out = self.path("sub/dir/out.h5")
        self.run_ok("run", SMALL, "-o", out, "--quiet")
        self.assertEqual(os.listdir(self.path("sub/dir")), ["out.h5"])

    def test_same_seed_gives_identical_bytes_other_seed_differs(self):
        a, b, c = self.path("a.h5"), self.path("b.h5"), self.path("c.h5")
        self.run_ok("run", SMALL, "-o", a, "--quiet")
        self.run_ok("run", SMALL, "-o", b, "--quiet")
        self.run_ok("run", SMALL, "-o", c, "--quiet", "--seed", "8")
        self.assertTrue(filecmp.cmp(a, b, shallow=False), "same scenario and seed must give identical files")
        with h5py.File(a) as fa, h5py.File(c) as fc:
            self.assertEqual(fc.attrs["seed"], 8)
            self.assertFalse(np.array_equal(fa["vendor_customers"][...], fc["vendor_customers"][...]))

    def test_set_overrides_values_by_id(self):
        out = self.path("out.h5")
        self.run_ok("run", SMALL, "-o", out, "--quiet", "--set", "vendors.beta.products.iaas_cpu.price=0.07",
                    "--set", "time.years=2")
        with h5py.File(out) as f:
            self.assertEqual(f["time"].shape, (24,))
            self.assertAlmostEqual(f["price"][0, 1, 0], 0.07)
            text = f.attrs["scenario_yaml"]  # h5py reads netCDF text attributes as bytes
            self.assertIn(b"price: 0.07", text if isinstance(text, bytes) else text.encode())

    def test_validate_print_round_trips(self):
        resolved = self.run_ok("validate", BASELINE, "--print").stdout
        path = self.path("resolved.yaml")
        with open(path, "w") as f:
            f.write(resolved)
        self.assertEqual(self.run_ok("validate", path, "--print").stdout, resolved)
        self.assertIn("ok: scenario 'baseline'", self.run_ok("validate", BASELINE).stdout)

    def test_resolved_scenario_in_the_file_reproduces_the_run(self):
        first, second = self.path("first.h5"), self.path("second.h5")
        self.run_ok("run", SMALL, "-o", first, "--quiet", "--set", "segments.retail.growth=0.3")
        with h5py.File(first) as f:
            text = f.attrs["scenario_yaml"]
        with open(self.path("again.yaml"), "w") as f:
            f.write(text if isinstance(text, str) else text.decode())
        self.run_ok("run", self.path("again.yaml"), "-o", second, "--quiet")
        self.assertTrue(filecmp.cmp(first, second, shallow=False))


if __name__ == "__main__":
    unittest.main()
