"""Values the docs allow must run: every shipped scenario, shortened to one year, runs at the
documented extremes of the choice model's and the magnitude keys (docs/scenario.md) and writes no
NaN or inf, except NaN where docs/output.md says a variable may hold it. Values just outside the
documented ranges are rejected by `validate` with a located message and the reason.

Longer sweeps of the extremes (full horizons) are in tools/validate.py (`make validate`).
"""
import glob
import os
import re
import subprocess
import sys
import unittest

import h5py
import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SOURCE, TempDirTest, cloudmarket  # noqa: E402

# The `_replay` variants differ from their strategic scenario only in pricing rules (cost_plus,
# scheduled) that the other scenarios cover here; `make validate` runs them at the corners too.
SCENARIOS = sorted(p for p in glob.glob(os.path.join(SOURCE, "scenarios", "*.yaml")) +
                   glob.glob(os.path.join(SOURCE, "scenarios", "bench", "*.yaml")) if not p.endswith("_replay.yaml"))

# The documented extremes (docs/scenario.md), as corners applied to every element of a scenario.
# Each corner maps a key (by where it lives) to its value; several keys of one corner are set together.
CORNERS = {
    "nesting_min": {"segment.nesting": 0.05},
    "nesting_min_sticky": {"segment.nesting": 0.05, "segment.switching_cost": 20},
    "plain_logit_sticky": {"segment.nesting": 1, "segment.switching_cost": 20},
    "prices_min": {"offer.price": 1e-9, "offer.unit_cost": 1e-9, "offer.capex_per_unit": 0,
                   "startup.api_price": 1e-9},
    "prices_max": {"offer.price": 1e15, "offer.unit_cost": 1e15, "offer.capex_per_unit": 1e15,
                   "startup.api_price": 1e15},
    "money_low": {"vendor.cash": -1e15, "vendor.fixed_cost_per_month": 1e15, "startup.cash": 0,
                  "startup.burn_per_month": 1e15},
    "money_high": {"vendor.cash": 1e15, "budget.scale": 1e15, "startup.cash": 1e15, "startup.valuation": 1e15,
                   "investment.budget": 1e15, "investment.max_ticket": 1e15, "segment.multi_cloud_threshold": 1e15},
    "quantities_max": {"offer.capacity": 1e18, "offer.initial_experience": 1e18, "offer.capex_per_unit": 1e15},
}


def resolved(path):
    proc = cloudmarket("validate", path, "--print")
    if proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return yaml.safe_load(proc.stdout)


def overrides(sc, corner):
    """--set assignments that put `corner` on every element of the resolved scenario `sc`."""
    out = []
    for where_key, value in corner.items():
        where, key = where_key.split(".")
        if where == "segment":
            out += [f"segments.{g['id']}.{key}={value}" for g in sc["segments"]]
        elif where == "budget":  # the scale of a segment's budget distribution
            for g in sc["segments"]:
                scale = "median" if g["budget"]["distribution"] == "lognormal" else "minimum"
                out.append(f"segments.{g['id']}.budget.{scale}={value}")
        elif where == "vendor":
            out += [f"vendors.{v['id']}.{key}={value}" for v in sc["vendors"]]
        elif where == "offer":
            out += [f"vendors.{v['id']}.products.{p}.{key}={value}" for v in sc["vendors"] for p in v["products"]]
        elif where == "investment":
            owners = [f"vendors.{v['id']}.investment" for v in sc["vendors"] if v.get("investment")]
            owners += [f"investors.{i['id']}" for i in sc.get("investors") or []]
            for owner in owners:
                if key == "budget":  # `budget` is short for one capital tranche: it replaces dated capital
                    out.append(f"{owner}.capital=null")
                out.append(f"{owner}.{key}={value}")
        elif where == "startup":
            out += [f"startups.{s['id']}.{key}={value}" for s in sc.get("startups") or []]
        else:
            raise ValueError(where_key)
    return [arg for assignment in out for arg in ("--set", assignment)]


def nan_allowed():
    """Variables whose row in docs/output.md says they may hold NaN."""
    allowed = set()
    with open(os.path.join(SOURCE, "docs", "output.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\| `(\w+)` \|", line)
            if m and "NaN" in line:
                allowed.add(m.group(1))
    return allowed


def non_finite(path, allowed):
    """Datasets (with their group path) holding inf anywhere, or NaN where the docs do not allow it."""
    bad = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f":
            a = obj[()]
            if np.isinf(a).any() or (np.isnan(a).any() and name.split("/")[-1] not in allowed):
                bad.append(name)

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return bad


class DocumentedExtremesRun(TempDirTest):
    def test_docs_name_the_variables_that_may_be_nan(self):
        self.assertEqual(nan_allowed(), {"vendor_gross_margin", "market_share", "hhi", "utilization"})

    def test_every_shipped_scenario_runs_at_every_corner_without_nan_or_inf(self):
        allowed = nan_allowed()
        self.assertGreaterEqual(len(SCENARIOS), 9)
        out = self.path("run.h5")
        for scenario in SCENARIOS:
            sc = resolved(scenario)
            for name, corner in CORNERS.items():
                with self.subTest(scenario=os.path.relpath(scenario, SOURCE), corner=name):
                    args = ["run", scenario, "-o", out, "--quiet", "--set", "time.years=1"] + overrides(sc, corner)
                    proc = cloudmarket(*args)
                    self.assertEqual(proc.returncode, 0, proc.stderr)
                    self.assertEqual(non_finite(out, allowed), [])


class JustOutsideTheRangeIsRejected(unittest.TestCase):
    """`validate` rejects a value just beyond each bound with the key's location and the reason."""

    CASES = [
        ("vendors.aws.products.saas.price=1e-300", "'price' must be 0 or in [1e-09, 1e+15]", "stays finite"),
        ("vendors.aws.products.saas.price=2e15", "'price' must be 0 or in [1e-09, 1e+15]", "stays finite"),
        ("vendors.aws.products.saas.unit_cost=1e-10", "'unit_cost' must be 0 or in [1e-09", "stays finite"),
        ("vendors.aws.cash=1e308", "'cash' must be in [-1e+15, 1e+15]", "money amounts are at most 1e15"),
        ("vendors.aws.cash=-1e308", "'cash' must be in [-1e+15, 1e+15]", "money amounts are at most 1e15"),
        ("vendors.aws.fixed_cost_per_month=1e308", "'fixed_cost_per_month' must be in [0, 1e+15]",
         "money amounts are at most 1e15"),
        ("segments.retail.budget.median=1e16", "'median' must be in (0, 1e+15]", "money amounts"),
        ("vendors.aws.products.saas.capacity=1e19", "'capacity' must be in (0, 1e+18]", "quantities are at most"),
        ("segments.retail.nesting=0.04", "'nesting' must be in [0.05, 1]", ""),
    ]

    def test_out_of_range_values_are_rejected_with_location_and_reason(self):
        baseline = os.path.join(SOURCE, "scenarios", "baseline.yaml")
        for assignment, message, reason in self.CASES:
            with self.subTest(assignment=assignment):
                proc = cloudmarket("validate", baseline, "--set", assignment)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertRegex(proc.stderr, r"^<--set [^>]*>:1:\d+: error: ")
                self.assertIn(message, proc.stderr)
                self.assertIn(reason, proc.stderr)


if __name__ == "__main__":
    unittest.main()
