"""`cloudmarket compare` and compare(): paired replications with common random numbers, their
means and Student-t intervals, the summary table, figures, and refusals before any run."""
import os
import sys
import unittest

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from common import SMALL, SOURCE, TempDirTest, cloudmarket

sys.path.insert(0, os.path.join(SOURCE, "tools"))

# B: vendor beta doubles its CPU price in February (a dated event: changing the opening price with
# --set would re-calibrate the choice intercepts to the same opening shares); two vendors, 12 months.
DEARER_BETA = "events=[{type: price_change, at: 2023-02-01, vendor: beta, product: iaas_cpu, change: 1.0}]"
DEARER_BETA_SET = {"events": [{"type": "price_change", "at": "2023-02-01", "vendor": "beta", "product": "iaas_cpu",
                               "change": 1.0}]}
FAST = ["--set", "segments.retail.firms=1500"]


class CompareCommand(TempDirTest):
    def compare(self, *args):
        return cloudmarket("compare", *args, *FAST, "--jobs", "2")

    def test_paired_differences_means_intervals_table_and_figures(self):
        out = self.path("cmp")
        proc = self.compare(SMALL, "--set-b", DEARER_BETA, "--replications", "3", "-o", out,
                            "--at", "2023-06-15", "--labels", "base,dear")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("| market_share | alpha | 2023-06 |", proc.stdout)  # the table on the terminal
        with xr.open_dataset(os.path.join(out, "compare.h5"), engine="h5netcdf") as ds:
            self.assertEqual(list(ds["scenario"].values), ["base", "dear"])
            share = ds["market_share"].sel(vendor="beta")  # (scenario, replication, time)
            d = (share.sel(scenario="dear") - share.sel(scenario="base")).values  # (replication, time)
            mean = d.mean(axis=0)
            half = stats.t.ppf(0.975, 2) * d.std(axis=0, ddof=1) / np.sqrt(3)
            np.testing.assert_allclose(ds["market_share_diff"].sel(vendor="beta"), mean, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(ds["market_share_diff_hi"].sel(vendor="beta"), mean + half, rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(ds["market_share_lo"].sel(scenario="dear", vendor="beta"),
                                       share.sel(scenario="dear").mean("replication")
                                       - stats.t.ppf(0.975, 2) * share.sel(scenario="dear").std("replication", ddof=1) / np.sqrt(3),
                                       rtol=1e-9)
            # a dearer beta loses share from March on (the first renewals after the cut), beyond the
            # noise of three replications from April on, when two renewal cohorts have seen it
            self.assertTrue((ds["market_share_diff"].sel(vendor="beta").isel(time=slice(2, None)) < 0).all())
            self.assertTrue((ds["market_share_diff_hi"].sel(vendor="beta").isel(time=slice(3, None)) < 0).all())
            self.assertLess(float(ds["vendor_customers_diff_hi"].sel(vendor="beta").isel(time=-1)), 0)
            np.testing.assert_array_equal(ds["market_share_diff"].isel(time=0), 0)  # the same until the cut
            self.assertEqual(ds.attrs["replications"], 3)
            for name in ("vendor_revenue", "hhi", "cloud_adoption", "price"):  # every time series
                self.assertIn(f"{name}_diff_lo", ds)
            self.assertEqual(ds["vendor_revenue"].attrs["units"], ds["vendor_revenue_diff"].attrs["units"])
        from cf_check import check_file  # the run files' CF conventions hold for compare.h5 too
        self.assertEqual(check_file(os.path.join(out, "compare.h5")), [])
        table = pd.read_csv(os.path.join(out, "summary.csv"))
        self.assertEqual(len(table), 3 * 2)  # share, margin, revenue x 2 vendors at one date
        self.assertEqual(set(table["time"]), {"2023-06"})
        row = table[(table["variable"] == "market_share") & (table["vendor"] == "beta")].iloc[0]
        self.assertAlmostEqual(row["diff"], float(mean[5]), places=12)
        self.assertLess(row["diff_lo"], row["diff"])
        with open(os.path.join(out, "summary.md")) as f:
            self.assertIn("| market_share | beta | 2023-06 | % (pp) |", f.read())
        for name in ("market_share", "vendor_gross_margin", "vendor_revenue"):
            with open(os.path.join(out, "figures", f"{name}.png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

        # finished: another run needs --resume, which reruns nothing and gives the same result
        again = self.compare(SMALL, "--set-b", DEARER_BETA, "--replications", "3", "-o", out,
                             "--labels", "base,dear")
        self.assertEqual(again.returncode, 2)
        self.assertIn("--resume", again.stderr)
        resumed = self.compare(SMALL, "--set-b", DEARER_BETA, "--replications", "3", "-o", out,
                               "--labels", "base,dear", "--resume", "--no-figures")
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertIn("6 of 6 runs already done", resumed.stderr)

    def test_common_random_numbers_make_identical_scenarios_differ_by_exactly_zero(self):
        out = self.path("same")
        proc = self.compare(SMALL, SMALL, "--replications", "2", "-o", out, "--quiet", "--no-figures")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with xr.open_dataset(os.path.join(out, "compare.h5"), engine="h5netcdf") as ds:
            self.assertEqual(list(ds["scenario"].values), ["A", "B"])
            self.assertEqual(float(np.abs(ds["market_share_diff"]).max()), 0.0)
            self.assertEqual(float(np.abs(ds["market_share_diff_hi"]).max()), 0.0)
            # ... while the replications themselves differ (different seeds)
            reps = ds["market_share"].sel(scenario="A", vendor="alpha").values
            self.assertGreater(float(np.abs(reps[0] - reps[1]).max()), 0)

    def test_runs_that_all_fail_exit_1_and_keep_the_directory(self):
        out = self.path("slow")
        proc = self.compare(SMALL, "--set-b", DEARER_BETA, "--replications", "2", "-o", out, "--timeout", "0.01")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("no replication finished in both scenarios", proc.stderr)
        self.assertIn("timeout", proc.stderr)  # each run's fate is told
        self.assertFalse(os.path.exists(os.path.join(out, "compare.h5")))
        self.assertEqual(len(os.listdir(os.path.join(out, "status"))), 4)

    def test_invalid_input_exits_2_before_any_run(self):
        cases = [(["--set-b", "vendors.beta.products.iaas_cpu.prise=1"], "did you mean 'price'"),
                 (["--set-b", DEARER_BETA, "--at", "2031-01-01"], "outside the runs"),
                 (["--set-b", DEARER_BETA, "--at", "June"], "is not a date"),
                 (["--replications", "3"], "--set-b"),
                 (["--set-b", DEARER_BETA, "--labels", "x"], "--labels"),
                 (["--set-b", DEARER_BETA, "--vendors", "alpha,gamma"], "no vendor gamma"),
                 (["--set-b", DEARER_BETA, "--variables", "market_shares"], "did you mean 'market_share'")]
        for k, (extra, message) in enumerate(cases):
            out = self.path(f"bad{k}")
            proc = self.compare(SMALL, "-o", out, *extra)
            self.assertEqual(proc.returncode, 2, (extra, proc.stderr))
            self.assertIn(message, proc.stderr)
            self.assertFalse(os.path.exists(out), extra)
        game = os.path.join(SOURCE, "tests", "scenarios", "game_small.yaml")
        proc = cloudmarket("compare", game, game, "-o", self.path("game"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("game file", proc.stderr)


class ComparePython(TempDirTest):
    def test_compare_from_python_reproduces_its_replications_and_compares_runs_in_memory(self):
        import cloudmarket as cm
        binary = os.environ.get("CLOUDMARKET")
        if not binary:
            raise unittest.SkipTest("CLOUDMARKET is not set (run through ctest)")
        fast = {"segments.retail.firms": 1500}
        dear = {**fast, **DEARER_BETA_SET}
        result = cm.compare(SMALL, replications=2, set=fast, set_b=DEARER_BETA_SET,
                            figures=False, binary=binary)
        self.assertEqual(result.attrs["replications"], 2)
        table = cm.summary(result, ["market_share"], dates=["2023-12-01"])
        self.assertEqual(list(table["vendor"]), ["alpha", "beta"])
        # each replication's seed is kept: run() with it gives the stored series, in both scenarios
        seed = int(result["seed"].values[1])
        a = cm.run(SMALL, seed=seed, set=fast, binary=binary)
        b = cm.run(SMALL, seed=seed, set=dear, binary=binary)
        np.testing.assert_array_equal(result["hhi"].sel(scenario="A").isel(replication=1), a["hhi"])
        np.testing.assert_array_equal(result["hhi"].sel(scenario="B").isel(replication=1), b["hhi"])
        # compare() of runs already in memory: the same analysis, paired by position
        a2 = cm.run(SMALL, seed=seed + 1, set=fast, binary=binary)
        b2 = cm.run(SMALL, seed=seed + 1, set=dear, binary=binary)
        paired = cm.compare([a, a2], [b, b2], labels=("base", "dear"))
        d = np.stack([(b["hhi"] - a["hhi"]).values, (b2["hhi"] - a2["hhi"]).values])
        np.testing.assert_allclose(paired["hhi_diff"], d.mean(axis=0), rtol=1e-12)
        half = stats.t.ppf(0.975, 1) * d.std(axis=0, ddof=1) / np.sqrt(2)
        np.testing.assert_allclose(paired["hhi_diff_lo"], d.mean(axis=0) - half, rtol=1e-9)

    def test_invalid_input_raises_with_the_located_message(self):
        import cloudmarket as cm
        binary = os.environ.get("CLOUDMARKET")
        if not binary:
            raise unittest.SkipTest("CLOUDMARKET is not set (run through ctest)")
        with self.assertRaises(cm.CloudmarketError) as caught:
            cm.compare(SMALL, set_b={"vendors.gamma.products.iaas_cpu.price": 1}, binary=binary)
        self.assertEqual(caught.exception.exit_code, 2)
        self.assertIn("gamma", str(caught.exception))


class Intervals(unittest.TestCase):
    def test_student_t_interval_ignores_nan_and_needs_two_values(self):
        from cloudmarket.intervals import mean_interval
        values = np.array([[1.0, 2.0, np.nan], [3.0, np.nan, np.nan], [5.0, 4.0, 7.0]])
        mean, lo, hi, n = mean_interval(values, axis=0)
        np.testing.assert_array_equal(n, [3, 2, 1])
        np.testing.assert_allclose(mean, [3.0, 3.0, 7.0])
        np.testing.assert_allclose(hi[0] - mean[0], stats.t.ppf(0.975, 2) * 2.0 / np.sqrt(3))
        np.testing.assert_allclose(hi[1] - mean[1], stats.t.ppf(0.975, 1) * np.sqrt(2) / np.sqrt(2))
        self.assertTrue(np.isnan(lo[2]) and np.isnan(hi[2]))


if __name__ == "__main__":
    unittest.main()
