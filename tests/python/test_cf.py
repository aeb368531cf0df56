"""Output files follow CF-1.8 and the units conventions of docs/output.md ("Units", "CF metadata").

A small quarterly run with startups, a fund, deals, training runs, a price_change event, a
q_learning vendor and a startup pricing its API, and a small game: every variable of every group
has a long_name, units that UDUNITS-2 parses (tools/cf_check.py, money read as its ISO 4217 code),
cell_methods along time; time_bnds, _FillValue and the global attributes are checked by value, and
both files open in xarray (h5netcdf) and netCDF4. The checker itself must flag bad units.
"""
import os
import shutil
import sys
import tempfile
import unittest

import h5py
import netCDF4
import numpy as np
import xarray as xr

from common import SOURCE, TempDirTest, cloudmarket

sys.path.insert(0, os.path.join(SOURCE, "tools"))

import cf_check  # noqa: E402
from cf_units import readable, udunits_problem, without_currency  # noqa: E402

SCENARIO = f"""
extends: {os.path.join(SOURCE, "tests", "scenarios", "startups.yaml")}
name: cf_check
time: {{start: 2023-01-01, years: 2, output_period: quarter}}
vendors:
  - id: alpha
    ai_strategy: open_ecosystem
    investment: {{budget: 2.0e9, credit_share: 0.5, commitment: 0.5}}
    products:
      iaas_gpu: {{price: 2.0, unit_cost: 1.5, capacity: 1.0e9}}
      maas: {{price: 10, unit_cost: 3, capacity: 1.0e9}}
    pricing:
      strategy: q_learning
      review_every: 1 month
      q_learning: {{levels: 4, min_markup: 0.0, max_markup: 1.0}}
  - id: beta
    ai_strategy: vertical
    investment: {{budget: 3.0e9, credit_share: 0.3, exclusive: true}}
    products:
      iaas_gpu: {{price: 2.2, unit_cost: 1.5, capacity: 1.0e9}}
      maas: {{price: 12, unit_cost: 3, capacity: 1.0e9}}
startups:
  - {{id: s1, cash: 1.0e8, burn_per_month: 2.0e7, trains_on: alpha, api_price: 8, pricing: {{strategy: undercut}}}}
  - {{id: s2, cash: 3.0e8, burn_per_month: 1.0e7, trains_on: alpha}}
  - {{id: lab, cash: 5.0e7, burn_per_month: 1.0e7, trains_on: beta, owner: beta}}
events:
  - {{type: price_change, at: 2023-06-01, vendor: beta, product: iaas_gpu, price: 1.9}}
"""
GROUPS = ["events/price_changes", "events/api_price_changes", "events/failures", "events/deals",
          "events/training_runs", "strategies/q_learning"]


class CfOutput(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.tmp_class = tempfile.TemporaryDirectory()
        d = cls.tmp_class.name
        scenario = os.path.join(d, "cf.yaml")
        with open(scenario, "w") as f:
            f.write(SCENARIO)
        cls.run_file, cls.game_file = os.path.join(d, "run.h5"), os.path.join(d, "game.h5")
        for args in (("run", scenario, "-o", cls.run_file),
                     ("game", os.path.join(SOURCE, "tests", "scenarios", "game_small.yaml"), "-o", cls.game_file,
                      "--quiet")):
            proc = cloudmarket(*args)
            if proc.returncode != 0:
                raise AssertionError(proc.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tmp_class.cleanup()

    def test_the_run_has_every_table(self):
        with h5py.File(self.run_file, "r") as f:
            for g in GROUPS:
                self.assertIn(g, f)
            for table, dim in (("events/deals", "deal"), ("events/training_runs", "run"),
                               ("events/price_changes", "change"), ("events/api_price_changes", "change"),
                               ("strategies/q_learning", "state")):
                self.assertGreater(len(f[table][dim]), 0, table)

    def test_every_variable_of_both_files_follows_the_conventions(self):
        for path in (self.run_file, self.game_file):
            self.assertEqual(cf_check.check_file(path), [], path)

    def test_units_cell_methods_and_fill_values_by_variable(self):
        with h5py.File(self.run_file, "r") as f:
            def attr(name, key):
                value = f[name].attrs[key]
                return value.decode() if isinstance(value, bytes) else value
            self.assertEqual(attr("revenue", "units"), "USD")
            self.assertEqual(attr("revenue", "cell_methods"), "time: sum")
            self.assertEqual(attr("vendor_cash", "cell_methods"), "time: point")
            self.assertEqual(attr("quantity", "units"), "1")
            self.assertEqual(attr("vendor_flops", "units"), "s-1")
            self.assertEqual(attr("startup_gpu_hours", "product_unit"), "gpu_hour")
            self.assertEqual(readable(f["startup_gpu_hours"].attrs), "gpu_hour/month")
            self.assertEqual(readable(f["price"].attrs), "USD/unit")
            self.assertEqual(attr("events/api_price_changes/old_price", "product_unit"), "million_tokens")
            for name in ("utilization", "vendor_gross_margin", "market_share", "hhi"):
                self.assertTrue(np.isnan(attr(name, "_FillValue")), name)
                self.assertEqual(f[name].attrs["_FillValue"].dtype, np.float64, name)
                self.assertTrue(np.isnan(f[name].fillvalue), name)  # the HDF5 fill value too
            self.assertEqual(f.attrs["history"].decode(), "cloudmarket run cf_check seed 7")

    def test_time_bounds_are_the_quarters(self):
        ds = xr.open_dataset(self.run_file, engine="h5netcdf")
        self.assertEqual(ds["time"].attrs["bounds"], "time_bnds")
        bounds = ds["time_bnds"].values
        self.assertEqual(bounds.shape, (8, 2))
        starts = np.array([f"{2023 + q // 4}-{3 * (q % 4) + 1:02d}-01" for q in range(9)], dtype="datetime64[ns]")
        np.testing.assert_array_equal(bounds[:, 0], starts[:-1])
        np.testing.assert_array_equal(bounds[:, 1], starts[1:])
        self.assertNotIn("nv", ds.variables)  # a dimension without a variable

    def test_both_files_open_in_xarray_and_netcdf4(self):
        for path, groups in ((self.run_file, GROUPS), (self.game_file, [])):
            for group in [None, *groups]:
                ds = xr.open_dataset(path, engine="h5netcdf", group=group)
                self.assertGreater(len(ds.variables), 0)
                ds.close()
            with netCDF4.Dataset(path) as nc:
                for group in groups:
                    self.assertGreater(len(nc[group].variables), 0)
                self.assertEqual(nc.institution, "none: output of the cloudmarket simulator, not an institution's data")
                if path == self.run_file:
                    self.assertEqual(len(nc.dimensions["nv"]), 2)
                    self.assertTrue(np.isnan(nc["hhi"]._FillValue))
                    self.assertTrue(nc["utilization"][:].dtype.kind == "f")

    def test_a_bad_file_is_flagged(self):
        bad = self.path("bad.h5")
        shutil.copyfile(self.run_file, bad)
        with h5py.File(bad, "r+") as f:
            f["revenue"].attrs["units"] = "USD/quarter"
            del f["vendor_cash"].attrs["cell_methods"]
            del f["events/deals/amount"].attrs["long_name"]
            del f.attrs["history"]
        problems = "\n".join(cf_check.check_file(bad))
        self.assertIn("revenue: units 'USD/quarter'", problems)
        self.assertIn("vendor_cash: no cell_methods", problems)
        self.assertIn("events/deals/amount: no long_name", problems)
        self.assertIn("global attribute history", problems)
        self.assertEqual(cf_check.main([bad]), 1)


class Checker(unittest.TestCase):
    def test_udunits_and_the_currency_convention(self):
        self.assertIsNone(udunits_problem("CNY", "CNY"))
        self.assertIsNone(udunits_problem("CNY month-1", "CNY"))
        self.assertIsNone(udunits_problem("days since 2023-01-01 00:00:00"))
        self.assertEqual(without_currency("CNY/month", "CNY"), "1/month")
        self.assertEqual(without_currency("CNYX", "CNY"), "CNYX")
        self.assertIsNotNone(udunits_problem("CNY", ""))          # money without its convention
        self.assertIsNotNone(udunits_problem("CNY/quarter", "CNY"))  # UDUNITS-2 has no quarter
        self.assertIsNotNone(udunits_problem("gpu_hour/month", "USD"))  # a product unit is not UDUNITS
        self.assertIsNotNone(udunits_problem("", "USD"))
        self.assertIsNotNone(udunits_problem("CNY", "yuan"))        # not an ISO 4217 code


if __name__ == "__main__":
    unittest.main()
