"""`capacity: {utilization: u}`: an offer's opening capacity sized to its opening demand.

The capacity is D / u, D the units the opening customers want at the opening prices, so the first
month's utilisation is u (up to the first month's renewals), whatever the market's size: doubling
every budget doubles the capacity. A resolved scenario prints the form back; bad values are
located errors.
"""
import os

import h5py
import numpy as np

from common import SMALL, TempDirTest, cloudmarket

SIZED = """schema: cloudmarket/1
extends: {small}
name: sized
vendors:
  - id: alpha
    products: {{iaas_cpu: {{capacity: {{utilization: {u}}}}}}}
"""


class OpeningCapacity(TempDirTest):
    def scenario(self, u):
        path = self.path(f"sized_{u}.yaml")
        with open(path, "w") as f:
            f.write(SIZED.format(small=SMALL, u=u))
        return path

    def first_month(self, path, *sets):
        out = self.path("out.h5")
        self.run_ok("run", path, "-o", out, "--quiet", "--set", "time.years=1", *sets)
        with h5py.File(out, "r") as f:
            return f["capacity"][0, 0, 0], f["quantity"][0, 0, 0], f["utilization"][0, 0, 0]

    def test_utilization_and_scale(self):
        capacity, quantity, utilization = self.first_month(self.scenario(0.5))
        self.assertAlmostEqual(utilization, 0.5, delta=0.02)
        self.assertAlmostEqual(quantity / capacity, utilization, places=12)
        doubled, _, _ = self.first_month(self.scenario(0.5), "--set", "segments.retail.budget.median=2e6")
        self.assertAlmostEqual(doubled / capacity, 2.0, delta=0.05)
        tighter, _, u = self.first_month(self.scenario(0.8))
        self.assertAlmostEqual(tighter / capacity, 0.5 / 0.8, places=9)
        self.assertAlmostEqual(u, 0.8, delta=0.03)

    def test_print_round_trips_and_bad_values(self):
        proc = cloudmarket("validate", self.scenario(0.5), "--print")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("capacity: {utilization: 0.5}", proc.stdout)
        for u, why in (("0", "'utilization' must be in (0, 1]"), ("1.5", "'utilization' must be in (0, 1]"),
                       ("{share: 1}", "'utilization' must be a number, got a mapping")):
            path = self.path("bad.yaml")
            with open(path, "w") as f:
                f.write(SIZED.format(small=SMALL, u=u))
            proc = cloudmarket("validate", path)
            self.assertEqual(proc.returncode, 2, proc.stdout)
            self.assertIn(why, proc.stderr)
            self.assertRegex(proc.stderr, r"bad\.yaml:6:\d+: error")
