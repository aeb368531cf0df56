"""tools/price_war_report.py: its yearly prices and margins against values computed from the file."""
import os
import subprocess
import sys
import unittest

import h5py
import numpy as np
import yaml

from common import SOURCE, TempDirTest, cloudmarket

TOOL = os.path.join(SOURCE, "tools", "price_war_report.py")
MAAS = os.path.join(SOURCE, "scenarios", "maas_price_war_2024.yaml")
MAAS_REPLAY = os.path.join(SOURCE, "scenarios", "maas_price_war_2024_replay.yaml")


def report(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, timeout=120)


def tables(stdout):
    """{product: {(year, vendor): [numbers...]}} and {(year, kind): [numbers...]} from the report."""
    prices, margins, product = {}, {}, None
    for line in stdout.splitlines():
        if line.startswith("mean list price of "):
            product = line.split()[4]
            prices[product] = {}
        elif line.startswith("gross margin by product kind"):
            product = "margin"
        elif line[:4].isdigit():
            cols = line.split()
            numbers = [float("nan") if c == "n/a" else float(c) for c in cols[2:]]
            if product == "margin":
                margins[(int(cols[0]), cols[1])] = numbers
            else:
                prices[product][(int(cols[0]), cols[1])] = numbers
    return prices, margins


class Direct:
    """The figures straight from the HDF5 file with h5py (no xarray, no tool code)."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            self.price = f["price"][()]
            self.revenue = f["revenue"][()]
            self.cogs = f["cost_of_goods"][()]
            self.vendors = [v.decode() if isinstance(v, bytes) else str(v) for v in f["vendor"][()]]
            self.products = [p.decode() if isinstance(p, bytes) else str(p) for p in f["product"][()]]
            start = f.attrs["start_date"]
            start = start.decode() if isinstance(start, bytes) else str(start)
            days = f["time"][()]
            scenario = f.attrs["scenario_yaml"]
            scenario = yaml.safe_load(scenario.decode() if isinstance(scenario, bytes) else str(scenario))
        first = np.datetime64(start, "D")
        self.years = np.array([int(str(first + np.timedelta64(int(d), "D"))[:4]) for d in days])
        self.kinds = {p["id"]: p["kind"] for p in scenario["products"]}

    def mean_price(self, year, vendor, product):
        rows = self.years == year
        return self.price[rows, self.vendors.index(vendor), self.products.index(product)].mean()

    def margin(self, year, kind):
        rows = self.years == year
        cols = [i for i, p in enumerate(self.products) if self.kinds[p] == kind]
        r = self.revenue[rows][:, :, cols].sum()
        return (r - self.cogs[rows][:, :, cols].sum()) / r


class PriceWarReport(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._dir = tempfile.TemporaryDirectory()
        cls.strategic = os.path.join(cls._dir.name, "strategic.h5")
        cls.replay = os.path.join(cls._dir.name, "replay.h5")
        for scenario, out in ((MAAS, cls.strategic), (MAAS_REPLAY, cls.replay)):
            proc = cloudmarket("run", scenario, "-o", out, "--quiet", "--set", "time.years=2")
            if proc.returncode != 0:
                raise AssertionError(proc.stderr)

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def test_one_file_prices_and_margins_match_the_file(self):
        proc = report(self.strategic)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        prices, margins = tables(proc.stdout)
        d = Direct(self.strategic)
        self.assertEqual(sorted(prices), sorted(d.products))
        self.assertEqual(sorted({y for y, _ in margins}), [2024, 2025])
        for product in d.products:
            for vendor in d.vendors:
                for year in (2024, 2025):
                    got = prices[product][(year, vendor)][0]
                    self.assertAlmostEqual(got, d.mean_price(year, vendor, product),
                                           delta=1e-5 * abs(got), msg=(product, vendor, year))
        for kind in ("compute", "model"):
            for year in (2024, 2025):
                self.assertAlmostEqual(margins[(year, kind)][0], 100 * d.margin(year, kind), delta=0.051)
        self.assertNotIn((2024, "software"), margins)  # no software product in this scenario

    def test_two_files_give_both_columns_and_their_difference(self):
        proc = report(self.replay, self.strategic, "--products", "maas,iaas_gpu", "--from", "2025", "--to", "2025")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        prices, margins = tables(proc.stdout)
        self.assertEqual(sorted(prices), ["iaas_gpu", "maas"])
        a, b = Direct(self.replay), Direct(self.strategic)
        for product in ("maas", "iaas_gpu"):
            self.assertEqual({y for y, _ in prices[product]}, {2025})
            for vendor in a.vendors:
                pa, pb = a.mean_price(2025, vendor, product), b.mean_price(2025, vendor, product)
                got = prices[product][(2025, vendor)]
                self.assertAlmostEqual(got[0], pa, delta=1e-5 * pa)
                self.assertAlmostEqual(got[1], pb, delta=1e-5 * pb)
                self.assertAlmostEqual(got[2], 100 * (pb - pa) / pa, delta=0.051)
        ma, mb = 100 * a.margin(2025, "model"), 100 * b.margin(2025, "model")
        self.assertAlmostEqual(margins[(2025, "model")][2], mb - ma, delta=0.11)

    def test_strategic_maas_run_generates_a_price_war_among_model_sellers(self):
        # The war is an outcome: every model seller's lite-tier price in December 2024 is under
        # half its January price, and model APIs stay sold above their cost (positive margin).
        d = Direct(self.strategic)
        p = d.products.index("maas")
        for v, vendor in enumerate(d.vendors):
            self.assertLess(d.price[11, v, p], 0.5 * d.price[0, v, p], vendor)
        self.assertGreater(d.margin(2024, "model"), 0)

    def test_bad_input_exits_2_with_a_message_and_no_traceback(self):
        not_hdf5, empty = self.not_run_files()
        cases = [
            ([self.path("missing.h5")], "cannot open"),
            ([not_hdf5], "cannot open"),
            ([empty], "not a cloudmarket run file"),
            ([self.strategic, "--products", "iaas_cpu"], "no product 'iaas_cpu'"),
            ([self.strategic, "--vendors", "aws"], "no vendor 'aws'"),
            ([self.strategic, "--from", "2025", "--to", "2024"], "after --to"),
            ([self.strategic, "--from", "2030", "--to", "2031"], "no year"),
            ([self.strategic, self.replay, self.replay], "one or two run files"),
            ([self.strategic, "--from", "soon"], "invalid int value"),
        ]
        for args, message in cases:
            with self.subTest(args=args[1:]):
                proc = report(*args)
                self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
                self.assertIn(message, proc.stderr)
                self.assertNotIn("Traceback", proc.stderr)
                self.assertEqual(proc.stdout, "")


if __name__ == "__main__":
    unittest.main()
