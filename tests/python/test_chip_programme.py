"""Chip programmes against the same world without one (tests/scenarios/chips_base.yaml and
chips.yaml): under an export control with no substitute, the vendor with a programme adds more GPU
capacity than without it, its region rival buys the spare chips and ends with more capacity too,
and the output's chip variables carry units and add up."""
import os

import numpy as np
import xarray as xr

from common import SOURCE, TempDirTest

SCENARIOS = os.path.join(SOURCE, "tests", "scenarios")


class ChipProgrammeOutput(TempDirTest):
    def run_scenario(self, name):
        out = self.path(name + ".h5")
        self.run_ok("run", os.path.join(SCENARIOS, name + ".yaml"), "-o", out, "--quiet")
        return xr.open_dataset(out, engine="h5netcdf")

    def test_programme_against_none(self):
        with_chips, without = self.run_scenario("chips"), self.run_scenario("chips_base")
        gpu = dict(product="iaas_gpu")
        cap_with = with_chips["capacity"].sel(**gpu)
        cap_without = without["capacity"].sel(**gpu)
        # Until the control (January 2024, month 12) neither world cuts orders; after it only chips add.
        for vendor in ("alpha", "beta"):
            self.assertGreater(float(cap_with.sel(vendor=vendor)[-1]), float(cap_without.sel(vendor=vendor)[-1]))
        self.assertEqual(float(cap_without.sel(vendor="beta")[-1]), float(cap_without.sel(vendor="beta")[14]))
        self.assertGreater(float(with_chips["chip_sales"].sel(vendor="alpha").sum()), 0)
        self.assertEqual(float(without["chip_sales"].sum()), 0)
        self.assertEqual(float(with_chips["chip_sales"].sel(vendor="beta").sum()), 0)
        # Beta's capex after the control is what it paid alpha for chips.
        beta_capex = with_chips["vendor_capex"].sel(vendor="beta").values[12:]
        np.testing.assert_allclose(beta_capex, with_chips["chip_sales"].sel(vendor="alpha").values[12:], rtol=1e-12)
        # Money summed over the period, GPU capacity (product units a month) ordered in it, a factor at its end.
        for name, units, method in (("chip_rd_spend", "USD", "sum"), ("chip_sales", "USD", "sum"),
                                    ("chip_sales_cost", "USD", "sum"), ("chip_output", "month-1", "sum"),
                                    ("chip_cost_factor", "1", "point")):
            self.assertEqual(with_chips[name].dims, ("time", "vendor"))
            self.assertEqual(with_chips[name].attrs["units"], units)
            self.assertEqual(with_chips[name].attrs["cell_methods"], "time: " + method)
        factor = with_chips["chip_cost_factor"].sel(vendor="alpha").values
        self.assertTrue((factor[:6] == 1).all())
        self.assertTrue((factor[6:] < 1).all())
        self.assertTrue((without["chip_cost_factor"].values == 1).all())
        with_chips.close()
        without.close()
