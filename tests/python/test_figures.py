"""The figure tools (tools/plot.py, plot_startups.py, plot_sweep.py) and their shared style
(tools/plotting.py): each draws a PNG from a small run or sweep, a vendor keeps one colour across
figures, plot_sweep draws every result asked for and says what it leaves out, and the interval of
the mean is the Student-t interval computed by hand."""
import contextlib
import io
import os
import subprocess
import sys
import unittest

import h5py
import numpy as np

from common import BINARY, SMALL, SOURCE, TempDirTest, cloudmarket

TOOLS = os.path.join(SOURCE, "tools")
sys.path.insert(0, TOOLS)
import plot  # noqa: E402
import plot_startups  # noqa: E402
import plot_sweep  # noqa: E402
import plotting  # noqa: E402

STARTUPS = os.path.join(SOURCE, "tests", "scenarios", "startups.yaml")
PNG = b"\x89PNG\r\n\x1a\n"


class Captured:
    """Runs a tool's main() in this process and keeps the figure it would save (and saves it)."""

    def __init__(self):
        self.figures = []

    def __enter__(self):
        self._save = plotting.save

        def keep(fig, path, title=None):
            self.figures.append(fig)
            if title:
                fig.suptitle(title)
            fig.savefig(path, dpi=40)

        plotting.save = keep
        return self

    def __exit__(self, *exc):
        plotting.save = self._save


def run_main(module, *args):
    """(exit code, stdout, stderr, figure) of module.main(args)."""
    out, err = io.StringIO(), io.StringIO()
    with Captured() as captured, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = module.main(list(args))
    return code, out.getvalue(), err.getvalue(), (captured.figures[-1] if captured.figures else None)


def gid_colours(fig, prefix):
    """{id: set of colours} of the lines whose gid is prefix:id, over all panels."""
    colours = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            gid = line.get_gid() or ""
            if gid.startswith(prefix + ":"):
                colours.setdefault(gid.split(":", 1)[1], set()).add(line.get_color())
    return colours


class Intervals(unittest.TestCase):
    def test_mean_interval_by_hand(self):
        # 1, 2, 3, 4: mean 2.5, s = sqrt(5/3), t(0.975, 3) = 3.182446305 (Student t table)
        mean, lower, upper, n = plotting.mean_interval([1.0, 2.0, 3.0, 4.0])
        half = 3.182446305 * np.sqrt(5.0 / 3.0) / 2.0
        self.assertEqual(int(n), 4)
        self.assertAlmostEqual(float(mean), 2.5)
        self.assertAlmostEqual(float(lower), 2.5 - half, places=6)
        self.assertAlmostEqual(float(upper), 2.5 + half, places=6)

    def test_nan_is_left_out_and_one_value_has_no_interval(self):
        table = np.array([[1.0, np.nan, 3.0],     # n 2: mean 2, s sqrt(2), t(0.975, 1) = 12.70620474
                          [5.0, np.nan, np.nan],  # n 1: a mean, no interval
                          [np.nan, np.nan, np.nan]])
        mean, lower, upper, n = plotting.mean_interval(table, axis=1)
        np.testing.assert_array_equal(n, [2, 1, 0])
        self.assertAlmostEqual(mean[0], 2.0)
        self.assertAlmostEqual(upper[0] - mean[0], 12.70620474 * np.sqrt(2.0) / np.sqrt(2.0), places=6)
        self.assertEqual(mean[1], 5.0)
        self.assertTrue(np.isnan(lower[1]) and np.isnan(upper[1]) and np.isnan(mean[2]))

    def test_confidence_band_of_a_data_array(self):
        import xarray as xr
        da = xr.DataArray(np.array([[1.0, 10.0], [3.0, 10.0], [2.0, 10.0]]), dims=("replication", "time"),
                          coords={"time": [0, 1]})
        band = plotting.confidence_band(da, "replication")
        self.assertEqual(band["mean"].dims, ("time",))
        np.testing.assert_allclose(band["mean"].values, [2.0, 10.0])
        half = 4.30265273 * 1.0 / np.sqrt(3.0)  # s = 1, t(0.975, 2) = 4.30265273
        self.assertAlmostEqual(float(band["upper"][0]), 2.0 + half, places=6)
        self.assertEqual(float(band["upper"][1]), 10.0)  # no spread, no width


class Units(unittest.TestCase):
    def test_money_in_readable_units(self):
        self.assertEqual(plotting.money_label("CNY/month", "CNY", [2.5e9, 4e10]), (1e9, "bn CNY / month"))
        self.assertEqual(plotting.money_label("USD", "USD", [3e6]), (1e6, "million USD"))
        self.assertEqual(plotting.money_label("USD/unit", "USD", [0.04], "vcpu_hour"), (1.0, "USD per vCPU hour"))
        self.assertEqual(plotting.money_label("FLOP/s", "USD", [1e20]), (1.0, "FLOP/s"))

    def test_vendor_colours_follow_first_appearance_and_are_okabe_ito(self):
        palette = plotting.VendorPalette(["b", "others", "a"], ["a", "c"])
        self.assertEqual(palette.order, ["b", "others", "a", "c"])
        self.assertEqual([palette.color(v) for v in ("b", "a", "c")], list(plotting.OKABE_ITO[:3]))
        self.assertEqual(palette.color("others"), plotting.RESIDUAL_GREY)
        many = plotting.VendorPalette([f"v{k}" for k in range(10)])
        self.assertEqual(many.color("v8"), many.color("v0"))
        self.assertNotEqual(many.style("v8").get("marker"), many.style("v0").get("marker"))


class FigureTest(TempDirTest):
    def assertPng(self, path):
        with open(path, "rb") as f:
            self.assertEqual(f.read(8), PNG)


@unittest.skipUnless(BINARY, "CLOUDMARKET is not set (run through ctest)")
class RunFigures(FigureTest):
    def run_scenario(self, name, scenario, *extra):
        out = self.path(name)
        self.run_ok("run", scenario, "-o", out, "--quiet", *extra)
        return out

    def test_plot_runs_overlaid_banded_and_startups_with_one_colour_per_vendor(self):
        a = self.run_scenario("a.h5", STARTUPS)
        b = self.run_scenario("b.h5", STARTUPS, "--set", "vendors.beta.pricing.strategy=undercut")
        a2 = self.run_scenario("a2.h5", STARTUPS, "--seed", "99")

        code, _, err, single = run_main(plot, a, "-o", self.path("one.png"))
        self.assertEqual(code, 0, err)
        self.assertPng(self.path("one.png"))
        # a panel per product: the startups scenario has iaas_cpu, saas and a GPU product
        products = [str(p) for p in plotting.open_run(a, "test")["product"].values]
        titles = [ax.get_title() for ax in single.axes]
        for p in products:
            self.assertTrue(any(t.startswith(f"List price of {p}") for t in titles), titles)

        code, _, err, overlaid = run_main(plot, a, b, "-o", self.path("two.png"), "--products", products[0])
        self.assertEqual(code, 0, err)
        legend = [t.get_text() for t in overlaid.legends[0].get_texts()]
        self.assertTrue(any("vendors.beta.pricing.strategy=undercut" in t for t in legend), legend)
        styles = {str(line.get_linestyle()) for line in overlaid.axes[0].get_lines()}
        self.assertEqual(len(styles), 2, "one line style per run")

        code, _, err, banded = run_main(plot, a, a2, "--band", "-o", self.path("band.png"))
        self.assertEqual(code, 0, err)
        self.assertTrue(any(c.__class__.__name__ == "PolyCollection" for c in banded.axes[0].collections),
                        "a shaded band across the two seeds")

        code, _, err, startups = run_main(plot_startups, a, "-o", self.path("startups.png"))
        self.assertEqual(code, 0, err)
        self.assertPng(self.path("startups.png"))

        # Every vendor has exactly one colour, the same in all four figures.
        seen = {}
        for fig in (single, overlaid, banded, startups):
            for vendor, colours in gid_colours(fig, "vendor").items():
                seen.setdefault(vendor, set()).update(colours)
        self.assertEqual(set(seen), {"alpha", "beta"})
        for vendor, colours in seen.items():
            self.assertEqual(len(colours), 1, f"{vendor} drawn in {colours}")
        self.assertNotEqual(seen["alpha"], seen["beta"])

    def test_unknown_product_is_refused(self):
        a = self.run_scenario("a.h5", SMALL)
        proc = subprocess.run([sys.executable, os.path.join(TOOLS, "plot.py"), a, "-o", self.path("x.png"),
                               "--products", "nonesuch"], capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("nonesuch", proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)

    def test_plot_sweep_of_a_real_grid(self):
        sweep = self.write("grid.yaml", f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            replications: 2
            design: {{type: grid}}
            set: {{time.years: 1, segments.retail.firms: 400}}
            parameters:
              - {{path: segments.retail.switching_cost, values: [0.5, 2.0]}}
              - {{path: vendors.alpha.pricing.strategy, values: [cost_plus, undercut]}}
            metrics:
              - {{name: hhi_final, variable: hhi}}
              - {{name: share, variable: market_share}}
              - {{name: profit, variable: vendor_profit, reduce: sum}}
            """)
        proc = cloudmarket("sweep", sweep, "-o", self.path("grid"), "--quiet", "--jobs", "2")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        code, out, err, fig = run_main(plot_sweep, self.path("grid"), "-o", self.path("grid.png"))
        self.assertEqual(code, 0, err)
        self.assertPng(self.path("grid.png"))
        self.assertEqual(len(fig.axes), 3, "a panel per metric")
        drawn = set(gid_colours(fig, "result"))
        self.assertEqual(drawn, {"hhi_final", "share[alpha]", "share[beta]", "profit[alpha]", "profit[beta]"})
        self.assertIn("drew 5 results of 3 metrics in 3 panels", out)
        self.assertIn("nothing left out", out)
        # vendors keep their run colours in the sweep's figure
        run = plotting.VendorPalette.of(plotting.open_run(os.path.join(self.path("grid"), "runs", "0.h5"), "t"))
        self.assertEqual(gid_colours(fig, "result")["share[beta]"], {run.color("beta")})


class SweepFileFigures(FigureTest):
    """sweep.h5 files laid out as `cloudmarket sweep collect` writes them (docs/sweep.md)."""

    def make_sweep(self, vendors, statuses, replications=2):
        import h5netcdf
        directory = self.path("sweep")
        os.makedirs(directory)
        n = len(statuses)
        runs = np.arange(n)
        point = runs // replications
        rng = np.random.default_rng(3)
        with h5netcdf.File(os.path.join(directory, "sweep.h5"), "w") as f:
            f.attrs.update({"schema": "cloudmarket-sweep-output/1", "title": "cloudmarket sweep 'test'",
                            "design": "grid", "replications": replications,
                            "parameters": "segments.retail.switching_cost",
                            "metrics": "hhi_final share profit " + " ".join(f"m{k}" for k in range(6)),
                            "fixed_set": "time.years=1"})
            f.dimensions = {"run": n, "vendor": len(vendors)}
            f.create_variable("run", ("run",), data=runs.astype(np.int64))
            f.create_variable("vendor", ("vendor",), dtype=h5py.string_dtype(),
                              data=np.array(vendors, dtype=object))
            f.create_variable("point", ("run",), data=point.astype(np.int64))
            f.create_variable("replication", ("run",), data=(runs % replications).astype(np.int64))
            f.create_variable("status", ("run",), dtype=h5py.string_dtype(), data=np.array(statuses, dtype=object))
            f.create_variable("segments.retail.switching_cost", ("run",), data=0.5 * (1 + point).astype(float))
            ok = np.array([s == "ok" for s in statuses])
            for name in ["hhi_final"] + [f"m{k}" for k in range(6)]:
                var = f.create_variable(name, ("run",), data=np.where(ok, rng.uniform(0, 1, n), np.nan))
                var.attrs.update({"units": "1", "long_name": f"final value of {name}", "variable": "hhi"})
            share = np.where(ok[:, None], rng.uniform(0, 1, (n, len(vendors))), np.nan)
            share[:, -1] = np.nan  # the last vendor never has a value: to be reported, not drawn
            var = f.create_variable("share", ("run", "vendor"), data=share)
            var.attrs.update({"units": "1", "long_name": "final value of market_share", "variable": "market_share"})
            var = f.create_variable("profit", ("run", "vendor"),
                                    data=np.where(ok[:, None], rng.uniform(1e8, 4e9, (n, len(vendors))), np.nan))
            var.attrs.update({"units": "USD", "long_name": "total over the run of vendor_profit",
                              "variable": "vendor_profit"})
        return directory

    def test_every_result_is_drawn_and_what_is_left_out_is_said(self):
        vendors = [f"v{k}" for k in range(10)]
        statuses = ["ok"] * 5 + ["failed"] + ["ok"] * 2
        directory = self.make_sweep(vendors, statuses)
        code, out, err, fig = run_main(plot_sweep, directory, "-o", self.path("all.png"))
        self.assertEqual(code, 0, err)
        self.assertPng(self.path("all.png"))
        self.assertEqual(len(fig.axes), 9, "a panel per metric, none dropped")
        drawn = set(gid_colours(fig, "result"))
        expected = {"hhi_final"} | {f"m{k}" for k in range(6)} | {f"share[v{k}]" for k in range(9)} \
            | {f"profit[v{k}]" for k in range(10)}
        self.assertEqual(drawn, expected)  # 26 results: more than the 12 the old tool stopped at
        self.assertIn("drew 26 results of 9 metrics in 9 panels", out)
        self.assertIn("left out 1 run with status 'failed' (no metrics): 5", out)
        self.assertIn("left out share[v9]: no finished run has a value", out)
        self.assertIn("no interval at 1 design point(s) with fewer than two finished runs", out)
        profit_axis = next(ax for ax in fig.axes if ax.get_title().startswith("profit"))
        self.assertEqual(profit_axis.get_ylabel(), "bn USD")
        share_axis = next(ax for ax in fig.axes if ax.get_title().startswith("share"))
        self.assertEqual(share_axis.get_ylabel(), "%")

    def test_metrics_asked_for_and_unknown_ones(self):
        directory = self.make_sweep(["a", "b"], ["ok"] * 4)
        code, out, _, fig = run_main(plot_sweep, directory, "-o", self.path("some.png"),
                                     "--metrics", "hhi_final,profit")
        self.assertEqual(code, 0)
        self.assertEqual(len(fig.axes), 2)
        self.assertEqual(set(gid_colours(fig, "result")), {"hhi_final", "profit[a]", "profit[b]"})
        code, _, err, _ = run_main(plot_sweep, directory, "-o", self.path("none.png"), "--metrics", "nonesuch")
        self.assertEqual(code, 2)
        self.assertIn("no metric nonesuch", err)


if __name__ == "__main__":
    unittest.main()
