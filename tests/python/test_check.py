"""Targets files and `cloudmarket check` (docs/calibration.md).

Moments are measured on hand-made output files whose answers are known by hand (sums, growth,
ratios, fiscal-year periods, currency conversion), then `check` is run as a user runs it: on a run,
on replications, on a sweep directory, and on bad targets files (located errors, exit 2).
"""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import h5py
import numpy as np

from common import BINARY, SOURCE

sys.path.insert(0, os.path.join(SOURCE, "tools"))

from calibratelib import targets as tg  # noqa: E402

PYTHON = "/usr/bin/python3"
HEADER = "schema: cloudmarket-targets/1\nexchange_rates: {USD: 1, CNY: 7.0}\n"


def write_run(path, revenue, profit, start="2023-01-01", currency="USD", period="month"):
    """A minimal run output: two vendors, `revenue` and `profit` arrays (time, vendor)."""
    with h5py.File(path, "w") as f:
        f.attrs["start_date"] = start
        f.attrs["currency"] = currency
        f.attrs["output_period"] = period
        f["time"] = np.arange(len(revenue), dtype=float)
        f["vendor"] = np.array([b"aws", b"alibaba"])
        for name, data in (("vendor_revenue", revenue), ("vendor_profit", profit)):
            f[name] = np.asarray(data, dtype=float)
            f[name].attrs["units"] = f"{currency}/{period}"
        f["market_revenue"] = np.asarray(revenue, dtype=float).sum(axis=1)
        f["market_revenue"].attrs["units"] = f"{currency}/{period}"


def targets_file(directory, moments, extra=""):
    path = os.path.join(directory, "targets.yaml")
    with open(path, "w") as f:
        f.write(HEADER + extra + "moments:\n" + textwrap.indent(textwrap.dedent(moments), "  "))
    return path


def check(*args):
    return subprocess.run([BINARY, "check", *args], capture_output=True, text=True, timeout=120)


class MomentsOnHandMadeRuns(unittest.TestCase):
    """Every reduction against a figure computed by hand."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        months = np.arange(24)
        # aws earns 1 bn a month in 2023 and 1.2 bn in 2024; alibaba 0.5 bn CNY-equivalent; profit a tenth.
        aws = np.where(months < 12, 1.0e9, 1.2e9)
        alibaba = np.full(24, 0.5e9)
        self.revenue = np.stack([aws, alibaba], axis=1)
        self.run = os.path.join(self.dir.name, "run.h5")
        write_run(self.run, self.revenue, self.revenue * 0.1)

    def tearDown(self):
        self.dir.cleanup()

    def measure(self, moment_yaml):
        path = targets_file(self.dir.name, moment_yaml)
        return tg.evaluate(tg.load(path), self.run)

    def test_sum_growth_ratio_share_and_fiscal_year(self):
        values = self.measure("""\
            - {name: rev, variable: vendor_revenue, select: {vendor: aws}, period: 2023, value: 12, units: bn USD, se: 1, source: s}
            - {name: gr, variable: vendor_revenue, select: {vendor: aws}, period: 2024, reduce: growth, value: 20, units: "%", se: 1, source: s}
            - name: margin
              ratio: {numerator: {variable: vendor_profit, select: {vendor: aws}}, denominator: {variable: vendor_revenue, select: {vendor: aws}}}
              period: 2024-Q2
              value: 0.1
              units: "1"
              se: 0.01
              source: s
            - name: share
              ratio: {numerator: {variable: vendor_revenue, select: {vendor: [aws]}}, denominator: {variable: market_revenue}}
              period: 2023
              value: 0.6
              units: "1"
              se: 0.1
              source: s
            - {name: fy, variable: vendor_revenue, select: {vendor: aws}, period: {from: 2023-07, to: 2024-06}, value: 13.2, units: bn USD, se: 1, source: s}
            - {name: both, variable: vendor_revenue, select: {vendor: [aws, alibaba]}, period: 2023-03, value: 1.5, units: bn USD, se: 1, source: s}
            - {name: cny, variable: vendor_revenue, select: {vendor: alibaba}, period: 2023, value: 42, units: bn CNY, se: 1, source: s}
            - {name: mean, variable: vendor_revenue, select: {vendor: aws}, period: 2024, reduce: mean, value: 1.2, units: bn USD/month, se: 1, source: s}
            - {name: last, variable: vendor_revenue, across: mean, period: 2023, reduce: last, value: 0.75, units: bn USD/month, se: 1, source: s}
            """)
        expected = [12.0, 20.0, 0.1, 12 / 18, 6 * 1.0 + 6 * 1.2, 1.5, 6 * 7.0, 1.2, 0.75]
        np.testing.assert_allclose(values, expected, rtol=1e-12)

    def test_quarterly_output_and_periods_that_do_not_fit(self):
        quarterly = os.path.join(self.dir.name, "q.h5")
        write_run(quarterly, self.revenue.reshape(8, 3, 2).sum(axis=1), self.revenue.reshape(8, 3, 2).sum(axis=1),
                  period="quarter")
        path = targets_file(self.dir.name, """\
            - {name: h1, variable: vendor_revenue, select: {vendor: aws}, period: {from: 2024-01, to: 2024-06}, value: 7.2, units: bn USD, se: 1, source: s}
            """)
        np.testing.assert_allclose(tg.evaluate(tg.load(path), quarterly), [7.2])
        for period, why in (("2023-02", "does not fall on whole output periods"), ("2025", "is not inside the run")):
            path = targets_file(self.dir.name, f"""\
                - {{name: m, variable: vendor_revenue, select: {{vendor: aws}}, period: {period}, value: 1, units: bn USD, se: 1, source: s}}
                """)
            with self.assertRaises(tg.MomentError) as caught:
                tg.evaluate(tg.load(path), quarterly)
            self.assertIn(why, str(caught.exception))
            self.assertIn("targets.yaml:4:5: error: moment 'm'", str(caught.exception))

    def test_unknown_vendor_and_units_that_do_not_match(self):
        for moment, why in (
                ("{name: m, variable: vendor_revenue, select: {vendor: awz}, period: 2023, value: 1, units: bn USD, se: 1, source: s}",
                 "no vendor 'awz' in the run (did you mean 'aws'?)"),
                ("{name: m, variable: vendor_revenue, select: {vendor: aws}, period: 2023, value: 1, units: '%', se: 1, source: s}",
                 "not a dimensionless"),
                ("{name: m, variable: vendor_revenue, select: {vendor: aws}, period: 2023, value: 1, units: bn EUR, se: 1, source: s}",
                 "no exchange rate for EUR")):
            path = targets_file(self.dir.name, "- " + moment + "\n")
            with self.assertRaises(tg.MomentError) as caught:
                tg.evaluate(tg.load(path), self.run)
            self.assertIn(why, str(caught.exception))

    def test_check_passes_and_fails_with_the_right_exit_code(self):
        passing = targets_file(self.dir.name, """\
            - {name: rev, variable: vendor_revenue, select: {vendor: aws}, period: 2023, value: 12.5, units: bn USD, se: 0.5, source: s}
            - {name: holdout, variable: vendor_revenue, select: {vendor: aws}, period: 2024, value: 20, units: bn USD, se: 0.5, weight: 0, source: s}
            """)
        result = check(self.run, passing)
        self.assertEqual(result.returncode, 0, result.stderr)  # an untargeted moment out of its band
        self.assertRegex(result.stdout, r"holdout .* -11\.20\s+\(out\)")
        self.assertIn("(1 with weight 0 shown only", result.stdout)
        self.assertRegex(result.stdout, r"rev\s+2023\s+12\s+n/a\s+12\.5\s+bn USD\s+0\.5\s+-1\.00\s+pass")
        self.assertIn("1 of 1 moments within 2 standard errors; J = 1", result.stdout)
        # the same miss with a tighter error fails; a tolerance is a hard band
        failing = targets_file(self.dir.name, """\
            - {name: rev, variable: vendor_revenue, select: {vendor: aws}, period: 2023, value: 12.5, units: bn USD, se: 0.2, source: s}
            - {name: tol, variable: vendor_revenue, select: {vendor: aws}, period: 2023, value: 12.5, units: bn USD, tolerance: 0.49, source: s}
            """)
        result = check(self.run, failing)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertRegex(result.stdout, r"rev .* -2\.50\s+FAIL")
        self.assertRegex(result.stdout, r"tol .* -2\.04\s+FAIL")

    def test_replications_report_mean_and_spread(self):
        other = os.path.join(self.dir.name, "run2.h5")
        write_run(other, self.revenue * 1.1, self.revenue * 0.1)
        path = targets_file(self.dir.name, """\
            - {name: rev, variable: vendor_revenue, select: {vendor: aws}, period: 2023, value: 12.6, units: bn USD, se: 0.5, source: s}
            """)
        result = check(self.run, other, path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        sd = np.std([12.0, 13.2], ddof=1)
        self.assertRegex(result.stdout, rf"rev\s+2023\s+12\.6\s+{sd:.4g}\s+12\.6")
        self.assertIn("2 replications", result.stdout)


class BadTargetsFiles(unittest.TestCase):
    """Every mistake is reported at its place, all at once, with exit code 2."""

    CASES = [
        ("schema: cloudmarket-sweep/1\nmoments: []\n", ["1:9: error: 'schema' must be 'cloudmarket-targets/1'",
                                                         "2:10: error: 'moments' must list at least one moment"]),
        (HEADER + "moments:\n  - {name: a, variable: vendor_revenu, period: 2023, value: 1, units: bn USD, se: 1, source: s}\n",
         ["4:25: error: unknown output variable 'vendor_revenu' (did you mean 'vendor_revenue'?)"]),
        (HEADER + "moments:\n  - {name: a, variable: hhi, period: 2023-13, value: 1, units: '1', se: 1, sorce: s}\n",
         ["4:38: error: 'period' must be a year", "4:76: error: unknown key 'sorce' in a moment (did you mean 'source'?)",
          "4:5: error: missing required key 'source' in a moment"]),
        (HEADER + "moments:\n  - {name: a, variable: hhi, period: 2023, value: 1, units: '1', se: 1, tolerance: 2, source: s}\n",
         ["4:73: error: a moment needs exactly one of 'se', 'se_relative', 'tolerance', 'tolerance_relative', got se, tolerance"]),
        (HEADER + "moments:\n  - {name: a, variable: hhi, select: {vendor: aws}, period: 2023, value: 1, units: billion USD, se: 0, source: s}\n",
         ["4:39: error: variable 'hhi' has no dimension 'vendor'", "4:101: error: 'se' must be > 0",
          "4:84: error: 'units' must be \"1\", \"%\", or a scale and a unit"]),
        (HEADER + "moments:\n  - {name: a, variable: hhi, period: {from: 2024-01, to: 2023-12}, value: 1, units: '1', se: 1, source: s}\n"
                  "  - {name: a, ratio: {numerator: {variable: hhi}}, period: 2023, reduce: growth, value: 1, units: '1', se: 1, source: s}\n",
         ["4:38: error: 'period.to' is before 'period.from'", "5:5: error: duplicate moment name 'a'",
          "5:22: error: missing required key 'denominator' in ratio", "5:74: error: 'reduce: growth' is for one variable"]),
        (HEADER + "moments:\n  - {name: a, variable: hhi, period: 2023, value: 1, units: '1', se: 1, source: s}\n"
                  "calibrate:\n  parameters:\n    - {path: vendors.aws.cash, min: 2, max: 1}\n"
                  "    - {name: size, multiply: [segments.smb.firms], min: 0, max: 2, scale: log}\n"
                  "    - {path: segments.smb.firms, min: 1, max: 2}\n"
                  "  derived:\n    - {path: vendors.others.initial_share, one_minus: [vendors.aws.initial_share, vendors.others.initial_share]}\n"
                  "  search: {global: {design: sobol, samples: 12}, local: {method: bfgs}}\n",
         ["7:45: error: 'max' must be greater than 'min' (2)", "8:75: error: 'scale: log' needs 'min' > 0",
          "9:7: error: 'segments.smb.firms' is already set by parameter 'size'",
          "11:7: error: 'vendors.others.initial_share' cannot be derived from itself",
          "12:45: error: 'samples' of a sobol design must be a power of 2, got 12",
          "12:66: error: 'method' must be one of nelder-mead, powell"]),
        (HEADER + "moments:\n  - {name: a, variable: hhi, period: 2023, value: 1, units: '1', se: 1, source: s}\n"
                  "calibrate:\n  parameters:\n    - {path: vendors.aws.cash, from: 2024-01-01, min: 1, max: 2}\n"
                  "    - {path: vendors.aws.cash, from: 2024-01-01, min: 1, max: 2}\n"
                  "    - {name: m, multiply: [vendors.aws.cash], from: 2024-01-01, min: 1, max: 2}\n"
                  "    - {path: vendors.azure.cash, from: 2024, min: 1, max: 2}\n"
                  "  derived:\n    - {path: vendors.others.initial_share, one_minus: [vendors.aws.cash]}\n",
         ["8:7: error: 'vendors.aws.cash' from 2024-01-01 is already set by parameter 'vendors.aws.cash@2024-01-01'",
          "9:53: error: 'from' is for one scenario value ('path'), not a multiplier",
          "10:40: error: 'from' must be a date YYYY-MM-DD",
          "12:7: error: 'vendors.aws.cash' has a dated parameter: a derived value needs one value"]),
    ]

    def test_each_bad_file(self):
        with tempfile.TemporaryDirectory() as d:
            run = os.path.join(d, "run.h5")
            write_run(run, np.ones((12, 2)), np.ones((12, 2)))
            for text, expected in self.CASES:
                with self.subTest(text=text):
                    path = os.path.join(d, "bad.yaml")
                    with open(path, "w") as f:
                        f.write(text)
                    result = check(run, path)
                    self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                    self.assertNotIn("Traceback", result.stderr)
                    for message in expected:
                        self.assertIn(f"{path}:{message}", result.stderr)

    def test_files_that_are_not_runs(self):
        with tempfile.TemporaryDirectory() as d:
            path = targets_file(d, "- {name: a, variable: hhi, period: 2023, value: 1, units: '1', se: 1, source: s}\n")
            for target, why in ((os.path.join(d, "none.h5"), "no such file"), (path, "not an HDF5 file"),
                                (d, "not a sweep directory")):
                result = check(target, path)
                self.assertEqual(result.returncode, 2)
                self.assertIn(why, result.stderr)


class CheckOnSimulatedRuns(unittest.TestCase):
    """A real run and a sweep's replications through the command line."""

    def test_run_and_sweep(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "b.h5")
            scenario = os.path.join(SOURCE, "scenarios", "baseline.yaml")
            subprocess.run([BINARY, "run", scenario, "-o", out, "--quiet", "--set", "time.years=1"], check=True)
            truth = float(h5py.File(out, "r")["market_revenue"][...].sum()) / 1e9
            path = targets_file(d, f"""\
                - {{name: size, variable: market_revenue, period: 2023, value: {truth * 1.01}, units: bn USD, se_relative: 0.01, source: s}}
                - {{name: aws_share, variable: market_share, select: {{vendor: aws}}, period: 2023-12, reduce: last, value: 0.3, units: "1", se: 0.3, source: s}}
                """)
            result = check(out, path)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertRegex(result.stdout, r"size .* -0\.99\s+pass")
            sweep = os.path.join(d, "sweep.yaml")
            with open(sweep, "w") as f:
                f.write(f"schema: cloudmarket-sweep/1\nbase: {scenario}\nreplications: 3\nset: {{time.years: 1}}\n"
                        "parameters: [{path: segments.retail.switching_cost, values: [1.0, 2.0]}]\n")
            subprocess.run([BINARY, "sweep", sweep, "-o", os.path.join(d, "sw"), "--jobs", "2"], check=True,
                           capture_output=True)
            result = check(os.path.join(d, "sw"), path)
            self.assertEqual(result.returncode, 2)
            self.assertIn("the sweep has 2 design points; choose one with --point", result.stderr)
            result = check(os.path.join(d, "sw"), path, "--point", "1")
            self.assertIn("3 runs against", result.stdout)
            self.assertIn("3 replications", result.stdout)


if __name__ == "__main__":
    unittest.main()
