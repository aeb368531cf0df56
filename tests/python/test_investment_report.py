"""tools/investment_report.py: its yearly tables and events against values computed from the file with h5py."""
import contextlib
import importlib.util
import io
import os
import subprocess
import sys
import unittest

import h5py
import numpy as np
import yaml

from common import SOURCE, TempDirTest, cloudmarket

TOOL = os.path.join(SOURCE, "tools", "investment_report.py")
STARTUPS = os.path.join(SOURCE, "tests", "scenarios", "startups.yaml")
YEARS = (2023, 2024, 2025)
# Run A: s1 burns more than its model earns, so its second round is priced below its first's post-money.
RUN_A = ("--set", "startups.s1.burn_per_month=3.0e7")
# Run B: beta hosts every startup's model (hybrid), so it backs s1 and s2 with exclusive deals that
# move their training from alpha to beta; s2 burns far more than it can raise and fails.
RUN_B = ("--set", "vendors.beta.ai_strategy=hybrid", "--set", "startups.s2.burn_per_month=2.0e8")


def report(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, timeout=120)


def report_in_process(*args):
    """main() of the tool in this process (no interpreter start-up): (exit code, stdout, stderr)."""
    spec = importlib.util.spec_from_file_location("investment_report", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = tool.main(list(args))
    return code, out.getvalue(), err.getvalue()


def parse(stdout):
    """{title: {(year, key): [numbers...]}} and the event lines (date, words) of each run."""
    tables, events, title, run = {}, {}, None, None
    for line in stdout.splitlines():
        if line.startswith("failures and down rounds, run "):
            run = line.split()[5]
            events[run] = []
            title = None
        elif line[:4].isdigit() and line[4:5] == " " and title is not None:
            cols = line.split()
            tables[title][(int(cols[0]), cols[1])] = [float("nan") if c == "n/a" else float(c) for c in cols[2:]]
        elif line[:4].isdigit() and line[4:5] == "-" and run is not None:
            events[run].append((line[:10], line.split()[1:]))
        elif " [" in line and not line.startswith("year"):
            title = line.split(" [")[0]
            tables[title] = {}
    return tables, events


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


class Direct:
    """The figures straight from the HDF5 file with h5py (no xarray, no tool code)."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            self.vendors = [text(v) for v in f["vendor"][()]]
            self.startups = [text(s) for s in f["startup"][()]]
            units = [text(u) for u in f["product_unit"][()]]
            self.gpu = units.index("gpu_hour")
            self.revenue = f["revenue"][()]
            self.roundtrip = f["roundtrip_revenue"][()]
            self.spend = f["startup_compute_spend"][()]
            self.quality = f["startup_quality"][()]
            self.valuation = f["startup_valuation"][()]
            self.alive = f["startup_alive"][()]
            self.gpu_hours = f["startup_gpu_hours"][()]
            start = np.datetime64(text(f.attrs["start_date"]), "D")
            self.period = text(f.attrs["output_period"])
            scenario = yaml.safe_load(text(f.attrs["scenario_yaml"]))
            self.days = f["time"][()]
            deals = f["events/deals"]
            self.deals = [dict(time=start + np.timedelta64(int(deals["time"][i] * 86400), "s"),
                               startup=text(deals["startup_id"][i]), investor=text(deals["investor_id"][i]),
                               amount=deals["amount"][i], credits=deals["credits"][i],
                               commitment=deals["commitment"][i], exclusive=deals["exclusive"][i],
                               down_round=deals["down_round"][i])
                          for i in range(deals["time"].shape[0])]
            fails = f["events/failures"]
            self.failures = [(str(start + np.timedelta64(int(fails["time"][i]), "D")), text(fails["id"][i]))
                             for i in range(fails["time"].shape[0])]
        self.month = [start + np.timedelta64(int(d), "D") for d in self.days]
        self.years = np.array([int(str(m)[:4]) for m in self.month])
        self.trains_on = {s["id"]: s["trains_on"] for s in scenario["startups"]}

    def training_vendor(self, row, startup):
        """trains_on, moved by every exclusive deal with a vendor signed in a month up to this period's."""
        vendor = self.trains_on[startup]
        period_month = str(self.month[row])[:7]
        for d in sorted(self.deals, key=lambda d: d["time"]):
            if d["startup"] == startup and d["exclusive"] and d["investor"] in self.vendors \
                    and str(d["time"])[:7] <= period_month:
                vendor = d["investor"]
        return vendor

    def gpu_revenue(self, year, vendor):
        return self.revenue[self.years == year, self.vendors.index(vendor), self.gpu].sum()

    def spend_on(self, year, vendor):
        return sum(self.spend[r, j] for r in np.nonzero(self.years == year)[0]
                   for j, s in enumerate(self.startups) if self.training_vendor(r, s) == vendor)

    def year_end(self, values, year, startup):
        return values[np.nonzero(self.years == year)[0][-1], self.startups.index(startup)]

    def deal_sum(self, year, investor, what):
        return sum(d[what] for d in self.deals if d["investor"] == investor and int(str(d["time"])[:4]) == year)


class InvestmentReport(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._dir = tempfile.TemporaryDirectory()
        cls.a = os.path.join(cls._dir.name, "a.h5")
        cls.b = os.path.join(cls._dir.name, "b.h5")
        for out, extra in ((cls.a, RUN_A), (cls.b, RUN_B)):
            proc = cloudmarket("run", STARTUPS, "-o", out, "--quiet", *extra)
            if proc.returncode != 0:
                raise AssertionError(proc.stderr)

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def close(self, got, want, what, bn=True):
        scale = 1e9 if bn else 1.0
        self.assertAlmostEqual(got, want / scale, delta=0.00051, msg=what)

    def test_one_file_matches_the_file(self):
        proc = report(self.a)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        tables, events = parse(proc.stdout)
        d = Direct(self.a)
        self.assertEqual(d.period, "month")
        for year in YEARS:
            for v in d.vendors:
                self.close(tables["GPU revenue (revenue of the GPU product)"][(year, v)][0], d.gpu_revenue(year, v), (year, v))
                self.close(tables["round-trip revenue (paid with the vendor's credits or under a commitment to it)"][(year, v)][0],
                           d.roundtrip[d.years == year, d.vendors.index(v)].sum(), (year, v))
                self.close(tables["startups' compute spend on the vendor (their training vendor)"][(year, v)][0],
                           d.spend_on(year, v), (year, v))
            total = d.spend[d.years == year].sum()
            self.close(tables["startups' compute spend, all startups"][(year, "all")][0], total, year)
            gpu_all = sum(d.gpu_revenue(year, v) for v in d.vendors)
            self.assertAlmostEqual(tables["share of startups' compute in all vendors' GPU revenue"][(year, "all")][0],
                                   100 * total / gpu_all, delta=0.0051)
            for s in d.startups:
                j = d.startups.index(s)
                self.close(tables["startup compute spend"][(year, s)][0], d.spend[d.years == year, j].sum(), (year, s))
                self.assertAlmostEqual(tables["startup quality at year end"][(year, s)][0],
                                       d.year_end(d.quality, year, s), delta=0.00006)
                self.close(tables["startup valuation at year end"][(year, s)][0], d.year_end(d.valuation, year, s), (year, s))
                self.assertEqual(tables["startup alive at year end"][(year, s)][0], d.year_end(d.alive, year, s))
                self.close(tables["startup GPU-hours rented"][(year, s)][0],
                           d.gpu_hours[d.years == year, j].sum() * 1e3, (year, s))  # million GPU-hours
            for investor in ("alpha", "beta"):
                for what in ("amount", "credits", "commitment"):
                    self.close(tables[f"deals signed, Σ {what}"][(year, investor)][0],
                               d.deal_sum(year, investor, what), (year, investor, what))
        # Startups' spend by training vendor adds up to all startups' spend.
        for year in YEARS:
            by_vendor = sum(tables["startups' compute spend on the vendor (their training vendor)"][(year, v)][0]
                            for v in d.vendors)
            self.assertAlmostEqual(by_vendor, tables["startups' compute spend, all startups"][(year, "all")][0], delta=0.002)
        downs = [(str(x["time"])[:10], x["startup"]) for x in d.deals if x["down_round"]]
        self.assertTrue(downs)  # s1's second round in run A
        self.assertEqual([(date, w[3]) for date, w in events["A"] if w[:2] == ["down", "round"]], sorted(downs))

    def test_several_files_give_each_run_and_the_differences_with_the_first(self):
        proc = report(self.a, self.b, self.a, "--vendors", "alpha,beta", "--startups", "s1,s2", "--from", "2023", "--to", "2024")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        tables, events = parse(proc.stdout)
        a, b = Direct(self.a), Direct(self.b)
        on_vendor = tables["startups' compute spend on the vendor (their training vendor)"]
        self.assertEqual(sorted(on_vendor), [(y, v) for y in (2023, 2024) for v in ("alpha", "beta")])
        for year in (2023, 2024):
            for v in ("alpha", "beta"):
                want_a, want_b = a.spend_on(year, v), b.spend_on(year, v)
                got = on_vendor[(year, v)]
                self.assertEqual(len(got), 5)  # A, B, C, B-A, C-A
                self.close(got[0], want_a, (year, v))
                self.close(got[1], want_b, (year, v))
                self.close(got[2], want_a, (year, v))
                self.close(got[3], want_b - want_a, (year, v))
                self.assertEqual(got[4], 0.0)
            for s in ("s1", "s2"):
                got = tables["startup alive at year end"][(year, s)]
                self.assertEqual(got[1] - got[0], got[3])
        # The exclusive deals moved s1's and s2's training to beta in run B: beta earns their compute.
        self.assertEqual(b.training_vendor(b.years.tolist().index(2024), "s1"), "beta")
        self.assertGreater(on_vendor[(2024, "beta")][3], 0)
        self.assertEqual(tables["startup alive at year end"][(2023, "s2")][:2], [1.0, 0.0])
        self.assertNotIn((2023, "lab"), tables["startup compute spend"])
        self.assertEqual(len(tables["share of startups' compute in all vendors' GPU revenue"]), 2)
        self.assertIn((b.failures[0][0], ["failure", "startup", "s2"]), [(date, w[:3]) for date, w in events["B"]])
        self.assertEqual(events["C"], events["A"])

    def test_bad_input_exits_2_with_a_message_and_no_traceback(self):
        not_hdf5, empty = self.not_run_files()
        cases = [
            ([self.path("missing.h5")], "cannot open"),
            ([not_hdf5], "cannot open"),
            ([empty], "not a cloudmarket run file"),
            ([self.a, self.path("missing.h5")], "cannot open"),
            ([self.a, "--vendors", "aws"], "no vendor 'aws'"),
            ([self.a, "--startups", "s1,openai"], "no startup 'openai'"),
            ([self.a, "--vendors", ","], "names no vendor"),
            ([self.a, "--from", "2025", "--to", "2024"], "after --to"),
            ([self.a, "--from", "2030", "--to", "2031"], "no year"),
            ([self.a, "--from", "soon"], "invalid int value"),
        ]
        for k, (args, message) in enumerate(cases):
            with self.subTest(args=args):
                if k in (0, len(cases) - 1):  # the program itself: its exit status
                    proc = report(*args)
                    code, out, err = proc.returncode, proc.stdout, proc.stderr
                else:
                    code, out, err = report_in_process(*args)
                self.assertEqual(code, 2, out + err)
                self.assertIn(message, err)
                self.assertIn("investment_report.py: error:", err)
                self.assertNotIn("Traceback", err)
                self.assertEqual(out, "")


if __name__ == "__main__":
    unittest.main()
