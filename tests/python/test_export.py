"""`cloudmarket export`: long CSV tables of a run (one per set of dimensions and per event table)
and of a sweep (runs stacked with their design columns)."""
import os

import pandas as pd
import xarray as xr

from common import SMALL, TempDirTest, cloudmarket


class Export(TempDirTest):
    def run_file(self):
        path = self.path("run.h5")
        proc = cloudmarket("run", SMALL, "-o", path, "--quiet", "--set", "segments.retail.firms=600")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return path

    def test_a_run_becomes_one_table_per_dimension_set(self):
        run = self.run_file()
        out = self.path("csv")
        proc = cloudmarket("export", run, "--format", "csv", "-o", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        names = sorted(os.listdir(out))
        for name in ("time.csv", "time_vendor.csv", "time_vendor_product.csv", "time_segment.csv",
                     "time_startup.csv", "events_price_changes.csv"):
            self.assertIn(name, names)
        with xr.open_dataset(run, engine="h5netcdf") as ds:
            table = pd.read_csv(os.path.join(out, "time_vendor.csv"))
            self.assertEqual(len(table), ds.sizes["time"] * ds.sizes["vendor"])
            self.assertEqual(list(table.columns[:3]), ["time", "vendor", "vendor_revenue"])
            beta = table[table["vendor"] == "beta"]
            self.assertAlmostEqual(beta["market_share"].iloc[-1],
                                   float(ds["market_share"].sel(vendor="beta").isel(time=-1)), places=12)
            self.assertEqual(table["time"].iloc[0], "2023-01-01")
        with xr.open_dataset(run, engine="h5netcdf", group="events/price_changes") as events:
            changes = pd.read_csv(os.path.join(out, "events_price_changes.csv"), float_precision="round_trip")
            self.assertGreater(events.sizes["change"], 0)
            self.assertEqual(len(changes), events.sizes["change"])
            self.assertEqual(list(changes["new_price"]), list(events["new_price"].values))
        # an empty dimension (no startups) empties its own table only
        self.assertEqual(len(pd.read_csv(os.path.join(out, "time_startup.csv"))), 0)

        only = self.path("only")
        proc = cloudmarket("export", run, "-o", only, "--variables", "market_share,hhi", "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sorted(os.listdir(only)), ["time.csv", "time_vendor.csv"])
        self.assertEqual(list(pd.read_csv(os.path.join(only, "time_vendor.csv")).columns), ["time", "vendor", "market_share"])

    def test_a_sweep_stacks_its_runs_with_their_design(self):
        sweep = self.write("grid.yaml", f"""
            schema: cloudmarket-sweep/1
            name: export_grid
            base: {SMALL}
            seed: 4
            replications: 2
            set: {{segments.retail.firms: 600}}
            design: {{type: grid}}
            parameters:
              - {{path: segments.retail.switching_cost, values: [0.5, 2]}}
            series: [hhi]
            """)
        out = self.path("sweep")
        proc = cloudmarket("sweep", sweep, "-o", out, "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        csv = self.path("csv")
        proc = cloudmarket("export", out, "-o", csv, "--variables", "vendor_revenue")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        runs = pd.read_csv(os.path.join(csv, "sweep.csv"))
        self.assertEqual(len(runs), 4)
        self.assertEqual(list(runs["segments.retail.switching_cost"]), [0.5, 0.5, 2, 2])
        stacked = pd.read_csv(os.path.join(csv, "run_time_vendor.csv"), float_precision="round_trip")
        self.assertEqual(len(stacked), 4 * 12 * 2)
        self.assertEqual(list(stacked.columns[:2]), ["run", "segments.retail.switching_cost"])
        with xr.open_dataset(os.path.join(out, "runs", "3.h5"), engine="h5netcdf") as last:
            mine = stacked[(stacked["run"] == 3) & (stacked["vendor"] == "alpha")]["vendor_revenue"]
            self.assertEqual(list(mine), list(last["vendor_revenue"].sel(vendor="alpha").values))
        series = pd.read_csv(os.path.join(csv, "design_point_time.csv"))
        self.assertEqual(len(series), 2 * 12)
        self.assertIn("series_hhi_lo", series.columns)
        self.assertEqual(list(series["segments.retail.switching_cost"].unique()), [0.5, 2])

    def test_bad_input_exits_2(self):
        run = self.run_file()
        proc = cloudmarket("export", run, "-o", self.path("x"), "--variables", "market_shar")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("market_shar", proc.stderr)
        self.assertFalse(os.path.exists(self.path("x")))
        proc = cloudmarket("export", self.path("nothing.h5"), "-o", self.path("y"))
        self.assertEqual(proc.returncode, 2)
        proc = cloudmarket("export", run, "-o", self.path("z"), "--format", "xlsx")
        self.assertEqual(proc.returncode, 2)
        proc = cloudmarket("exprot", run)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("did you mean 'export'", proc.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
