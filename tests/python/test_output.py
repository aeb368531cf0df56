"""The output file as users read it: xarray (h5netcdf and netCDF4 engines), netCDF4, and the
accounting identities the model must satisfy in every period."""
import os
import subprocess
import sys
import unittest

import netCDF4
import numpy as np
import xarray as xr

from common import BASELINE, SMALL, SOURCE, TempDirTest, cloudmarket

CONTRACT = {  # the output contract (docs/output.md): variable -> dims
    "price": ("time", "vendor", "product"),
    "quantity": ("time", "vendor", "product"),
    "revenue": ("time", "vendor", "product"),
    "cost_of_goods": ("time", "vendor", "product"),
    "capacity": ("time", "vendor", "product"),
    "utilization": ("time", "vendor", "product"),
    "vendor_revenue": ("time", "vendor"),
    "vendor_profit": ("time", "vendor"),
    "vendor_cash": ("time", "vendor"),
    "vendor_gross_margin": ("time", "vendor"),
    "market_share": ("time", "vendor"),
    "vendor_customers": ("time", "vendor"),
    "hhi": ("time",),
    "market_revenue": ("time",),
    "consumer_surplus": ("time",),
    "cloud_adoption": ("time", "segment"),
    "ai_adoption": ("time", "segment"),
    "on_premises_cost": ("time", "segment"),
    "repatriations": ("time", "segment"),
    "returns_to_cloud": ("time", "segment"),
    "roundtrip_revenue": ("time", "vendor"),
    "startup_cash": ("time", "startup"),
    "startup_quality": ("time", "startup"),
    "startup_revenue": ("time", "startup"),
    "startup_alive": ("time", "startup"),
}


class OutputFile(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._dir = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls._dir.name, "baseline.h5")
        proc = cloudmarket("run", BASELINE, "-o", cls.out, "--quiet", "--set", "time.years=2")
        if proc.returncode != 0:
            raise AssertionError(proc.stderr)
        cls.ds = xr.open_dataset(cls.out, engine="h5netcdf")

    @classmethod
    def tearDownClass(cls):
        cls.ds.close()
        cls._dir.cleanup()

    def test_contract_variables_dims_and_units(self):
        ds = self.ds
        self.assertEqual(dict(ds.sizes), {"time": 24, "vendor": 6, "product": 4, "segment": 5, "startup": 0,
                                          "investor": 0, "nv": 2})
        for name, dims in CONTRACT.items():
            with self.subTest(variable=name):
                self.assertEqual(ds[name].dims, dims)
        for name in list(ds.data_vars) + ["vendor", "product", "segment"]:
            with self.subTest(variable=name):
                self.assertIn("long_name", ds[name].attrs)
                if ds[name].dtype.kind in "fi":
                    self.assertIn("units", ds[name].attrs)
        self.assertEqual(list(ds["vendor"].values), ["aws", "azure", "alibaba", "google", "huawei", "others"])
        self.assertEqual(str(ds["time"].values[0])[:10], "2023-01-01")
        self.assertEqual(str(ds["time"].values[13])[:10], "2024-02-01")
        self.assertEqual(ds["revenue"].attrs["units"], "USD")  # summed over the month (docs/output.md, "Units")
        self.assertEqual(ds["revenue"].attrs["cell_methods"], "time: sum")
        self.assertEqual(ds.attrs["Conventions"], "CF-1.8")
        self.assertEqual(ds.attrs["schema"], "cloudmarket-output/1")
        for key in ("cloudmarket_version", "scenario_yaml", "seed", "start_date"):
            self.assertIn(key, ds.attrs)

    def test_opens_with_netcdf4_too(self):
        with netCDF4.Dataset(self.out) as nc:
            self.assertEqual(nc.data_model, "NETCDF4")
            self.assertTrue(nc.dimensions["time"].isunlimited())
            self.assertEqual(nc["price"].dimensions, ("time", "vendor", "product"))
            self.assertIn("price_changes", nc["events"].groups)
        alt = xr.open_dataset(self.out, engine="netcdf4")
        xr.testing.assert_identical(alt, self.ds)
        alt.close()

    def test_money_is_conserved_every_period(self):
        ds = self.ds
        paid = ds["segment_spend"].sum("segment").values
        earned = ds["vendor_revenue"].sum("vendor").values
        np.testing.assert_allclose(paid, earned, rtol=1e-12)
        np.testing.assert_allclose(ds["market_revenue"].values, earned, rtol=1e-12)
        np.testing.assert_allclose(ds["revenue"].values, (ds["price"] * ds["quantity"]).values, rtol=1e-12)
        np.testing.assert_allclose(ds["revenue"].sum("product").values, ds["vendor_revenue"].values, rtol=1e-12)
        gross = (ds["revenue"] - ds["cost_of_goods"]).sum("product") / ds["vendor_revenue"]
        np.testing.assert_allclose(gross.values, ds["vendor_gross_margin"].values, rtol=1e-9)

    def test_shares_sum_to_one_and_hhi_follows(self):
        ds = self.ds
        np.testing.assert_allclose(ds["market_share"].sum("vendor").values, 1.0, rtol=1e-12)
        np.testing.assert_allclose(ds["hhi"].values, ((100 * ds["market_share"]) ** 2).sum("vendor").values, rtol=1e-12)
        self.assertTrue(((ds["hhi"] > 0) & (ds["hhi"] <= 10000)).all())

    def test_capacity_is_never_exceeded(self):
        self.assertTrue((self.ds["quantity"] <= self.ds["capacity"] * (1 + 1e-12)).all())
        self.assertTrue((self.ds["utilization"] <= 1 + 1e-12).all())

    def test_cash_accumulates_profit(self):
        ds = self.ds
        cash = ds["vendor_cash"].values
        profit = ds["vendor_profit"].values
        np.testing.assert_allclose(cash[1:] - cash[:-1], profit[1:], rtol=1e-9)

    def test_failures_table_opens_even_when_empty(self):
        failures = xr.open_dataset(self.out, engine="h5netcdf", group="events/failures")
        self.assertEqual(failures.sizes["failure"], 0)
        self.assertEqual(set(failures.data_vars), {"time", "kind", "id", "cash", "customers", "written_off"})
        failures.close()

    def test_price_change_events(self):
        events = xr.open_dataset(self.out, engine="h5netcdf", group="events/price_changes")
        self.assertGreater(events.sizes["change"], 0)
        frame = events.to_dataframe()
        self.assertTrue((frame["effective"] > frame["announced"]).all())
        self.assertTrue(set(frame["vendor_id"]) <= set(self.ds["vendor"].values))
        events.close()


class StartupsOutput(TempDirTest):
    def test_startup_series_and_deal_tables_open_with_xarray(self):
        out = self.path("startups.h5")
        self.run_ok("run", os.path.join(SOURCE, "tests", "scenarios", "startups.yaml"), "-o", out, "--quiet")
        ds = xr.open_dataset(out, engine="h5netcdf")
        self.assertEqual(list(ds["startup"].values), ["s1", "s2", "lab"])
        for name in ("startup_cash", "startup_quality", "startup_revenue", "startup_alive", "startup_compute_spend",
                     "startup_valuation", "startup_planned_spend", "startup_gpu_hours"):
            self.assertEqual(ds[name].dims, ("time", "startup"))
            self.assertIn("units", ds[name].attrs)
        np.testing.assert_allclose(ds["market_revenue"].values,
                                   ds["segment_spend"].sum("segment").values
                                   + ds["startup_compute_spend"].sum("startup").values, rtol=1e-12)
        self.assertTrue((ds["roundtrip_revenue"] <= ds["vendor_revenue"] * (1 + 1e-12)).all())
        self.assertGreater(float(ds["roundtrip_revenue"].sum()), 0)
        deals = xr.open_dataset(out, engine="h5netcdf", group="events/deals")
        self.assertGreater(deals.sizes["deal"], 0)
        self.assertTrue(set(deals["investor_id"].values) <= {"alpha", "beta", "fund"})
        self.assertTrue((deals["amount"] > 0).all())
        # A down round is a round priced below the previous post-money.
        np.testing.assert_array_equal(deals["down_round"].values,
                                      ((deals["last_post_money"] > 0) & (deals["pre_money"] < deals["last_post_money"])).values)
        runs = xr.open_dataset(out, engine="h5netcdf", group="events/training_runs")
        self.assertGreater(runs.sizes["run"], 0)
        self.assertTrue((runs["end"] > runs["start"]).all())
        # The sweep tool keeps its own list of output variables for checking metrics before any run:
        # it must name every time series a run writes, with the same dimensions.
        sys.path.insert(0, os.path.join(SOURCE, "tools"))
        from sweeplib.sweepfile import OUTPUT_VARIABLES
        written = {name: ds[name].dims for name in ds.data_vars
                   if ds[name].dims[:1] == ("time",) and name != ds["time"].attrs["bounds"]}
        self.assertEqual(written, dict(OUTPUT_VARIABLES))
        for d in (ds, deals, runs):
            d.close()
        png = self.path("startups.png")
        proc = subprocess.run([sys.executable, os.path.join(SOURCE, "tools", "plot_startups.py"), out, "-o", png],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


    def test_startups_api_price_changes_table(self):
        scenario = os.path.join(SOURCE, "tests", "scenarios", "startups.yaml")
        out = self.path("api.h5")
        self.run_ok("run", scenario, "-o", out, "--quiet",
                    "--set", "startups.s1.api_price=8", "--set", "startups.s2.api_price=12",
                    "--set", "startups.s1.pricing={strategy: best_response, review_every: 1 month}",
                    "--set", "startups.s2.pricing={strategy: undercut, undercut: 0.1, min_margin: 0.5}")
        events = xr.open_dataset(out, engine="h5netcdf", group="events/api_price_changes")
        frame = events.to_dataframe()
        events.close()
        self.assertGreater(len(frame), 0)
        self.assertTrue(set(frame["startup_id"]) <= {"s1", "s2"})
        self.assertTrue(set(frame["reason"]) <= {"best_response", "undercut"})
        self.assertTrue((frame["effective"] > frame["announced"]).all())
        # Buyers pay the API prices, and still what they pay is what the vendors earn.
        ds = xr.open_dataset(out, engine="h5netcdf")
        np.testing.assert_allclose(ds["market_revenue"].values,
                                   ds["segment_spend"].sum("segment").values
                                   + ds["startup_compute_spend"].sum("startup").values, rtol=1e-12)
        ds.close()
        # Without a startup pricing its API, the table is not written.
        plain = self.path("plain.h5")
        self.run_ok("run", scenario, "-o", plain, "--quiet")
        with netCDF4.Dataset(plain) as nc:
            self.assertNotIn("api_price_changes", nc["events"].groups)

    def test_runs_with_startups_and_mailboxes_are_reproducible(self):
        import filecmp
        scenario = os.path.join(SOURCE, "tests", "scenarios", "startups.yaml")
        a, b = self.path("a.h5"), self.path("b.h5")
        self.run_ok("run", scenario, "-o", a, "--quiet")
        self.run_ok("run", scenario, "-o", b, "--quiet")
        self.assertTrue(filecmp.cmp(a, b, shallow=False))

    def test_inference_served_and_unserved_add_up_to_the_tokens_sold(self):
        import yaml
        out = self.path("inference.h5")
        self.run_ok("run", os.path.join(SOURCE, "tests", "scenarios", "startups.yaml"), "-o", out, "--quiet")
        ds = xr.open_dataset(out, engine="h5netcdf")
        scenario = yaml.safe_load(ds.attrs["scenario_yaml"])
        served, unserved = ds["vendor_inference_served"], ds["vendor_inference_unserved"]
        for v in (served, unserved):
            self.assertEqual(v.dims, ("time", "vendor"))
            self.assertEqual((v.attrs["units"], v.attrs["cell_methods"]), ("1", "time: sum"))
            self.assertIn("FLOP", v.attrs["long_name"])
            self.assertTrue((v >= 0).all())
        # Both vendors host models all along (alpha s1 and s2, beta its lab), so every token their
        # model product sold is inference the hosted models want: demand = flops per token x tokens.
        self.assertTrue((ds["startup_alive"] == 1).all())
        model = [p["id"] for p in scenario["products"] if p["kind"] == "model"]
        demand = scenario["market"]["flops_per_million_tokens"] * ds["quantity"].sel(product=model).sum("product")
        np.testing.assert_allclose((served + unserved).values, demand.values, rtol=1e-12)
        # Served at most what the hosts could run in the month; and here a busy host rations some.
        seconds = (ds["time_bnds"][:, 1] - ds["time_bnds"][:, 0]) / np.timedelta64(1, "s")
        self.assertTrue((served <= ds["vendor_flops"] * seconds * (1 + 1e-12)).all())
        self.assertGreater(float(unserved.sum()), 0)
        self.assertGreater(float(served.sum()), 0)
        ds.close()
        # A run without startups has no inference to report.
        plain = self.path("plain.h5")
        self.run_ok("run", SMALL, "-o", plain, "--quiet")
        with netCDF4.Dataset(plain) as nc:
            self.assertNotIn("vendor_inference_served", nc.variables)


class OutputPeriods(TempDirTest):
    def test_quarterly_output_sums_flows_and_keeps_stocks(self):
        monthly, quarterly = self.path("m.h5"), self.path("q.h5")
        self.run_ok("run", SMALL, "-o", monthly, "--quiet")
        self.run_ok("run", SMALL, "-o", quarterly, "--quiet", "--set", "time.output_period=quarter")
        m = xr.open_dataset(monthly, engine="h5netcdf")
        q = xr.open_dataset(quarterly, engine="h5netcdf")
        self.assertEqual(q.sizes["time"], 4)
        self.assertEqual(q["revenue"].attrs["units"], "USD")
        self.assertEqual(q["revenue"].attrs["cell_methods"], "time: sum")
        self.assertEqual(str(q["time_bnds"].values[0, 1])[:10], "2023-04-01")  # the quarter's end
        np.testing.assert_allclose(q["vendor_revenue"].values,
                                   m["vendor_revenue"].coarsen(time=3).sum().values, rtol=1e-12)
        np.testing.assert_array_equal(q["vendor_cash"].values, m["vendor_cash"].values[2::3])
        # Firms moved between cloud and on-premises are flows; the on-premises cost index a stock.
        for flow in ("repatriations", "returns_to_cloud"):
            np.testing.assert_array_equal(q[flow].values, m[flow].coarsen(time=3).sum().values)
        np.testing.assert_array_equal(q["on_premises_cost"].values, m["on_premises_cost"].values[2::3])
        self.assertEqual(q["repatriations"].attrs["units"], "1")
        m.close()
        q.close()


class Plot(TempDirTest):
    def test_plot_writes_a_png(self):
        out, png = self.path("run.h5"), self.path("run.png")
        self.run_ok("run", SMALL, "-o", out, "--quiet")
        proc = subprocess.run([sys.executable, os.path.join(SOURCE, "tools", "plot.py"), out, "-o", png],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(png), 20000)

    def test_plot_rejects_a_bad_file(self):
        bad = self.path("bad.h5")
        with open(bad, "w") as f:
            f.write("not hdf5")
        proc = subprocess.run([sys.executable, os.path.join(SOURCE, "tools", "plot.py"), bad, "-o", self.path("x.png")],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("cannot open", proc.stderr)


if __name__ == "__main__":
    unittest.main()
