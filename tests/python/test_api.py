"""The Python API (tools/cloudmarket): run() and open_sweep() give the files' data as xarray
Datasets, to_frame()/tables() give tidy DataFrames (also for runs with empty dimensions)."""
import os
import sys
import unittest

import numpy as np
import xarray as xr

from common import SMALL, SOURCE, TempDirTest, cloudmarket

sys.path.insert(0, os.path.join(SOURCE, "tools"))
import cloudmarket as cm  # noqa: E402

BINARY = os.environ.get("CLOUDMARKET", "")


@unittest.skipUnless(BINARY, "CLOUDMARKET is not set (run through ctest)")
class Runs(TempDirTest):
    def test_run_gives_the_file_of_the_command_line(self):
        path = self.path("cli.h5")
        proc = cloudmarket("run", SMALL, "-o", path, "--seed", "5", "--set", "segments.retail.firms=800", "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        ds = cm.run(SMALL, seed=5, set={"segments.retail.firms": 800}, binary=BINARY)
        with xr.open_dataset(path, engine="h5netcdf") as cli:
            xr.testing.assert_identical(ds, cli.load())  # netCDF-C and h5netcdf read the same Dataset
        kept = cm.run(SMALL, seed=5, set={"segments.retail.firms": 800}, out=self.path("kept.h5"), binary=BINARY)
        self.assertTrue(os.path.isfile(self.path("kept.h5")))
        np.testing.assert_array_equal(kept["market_share"], ds["market_share"])
        kept.close()

    def test_invalid_input_raises_with_exit_code_2_and_the_location(self):
        with self.assertRaises(cm.CloudmarketError) as caught:
            cm.run(SMALL, set={"vendors.alpha.products.iaas_cpu.price": -1}, binary=BINARY)
        self.assertEqual(caught.exception.exit_code, 2)
        self.assertIn("error:", str(caught.exception))

    def test_frames_of_a_run_without_startups(self):
        ds = cm.run(SMALL, set={"segments.retail.firms": 500}, binary=BINARY)
        self.assertEqual(ds.sizes["startup"], 0)
        self.assertEqual(len(ds.to_dataframe()), 0)  # xarray crosses every dimension: the trap
        share = cm.to_frame(ds, "market_share")
        self.assertEqual(list(share.columns), ["time", "vendor", "market_share"])
        self.assertEqual(len(share), 12 * 2)
        self.assertEqual(share.loc[(share["vendor"] == "beta")].iloc[3]["market_share"],
                         float(ds["market_share"].sel(vendor="beta").isel(time=3)))
        tables = cm.tables(ds)
        self.assertEqual(len(tables[("time", "vendor", "product")]), 12 * 2 * 2)
        self.assertIn("vendor_revenue", tables[("time", "vendor")].columns)
        self.assertEqual(len(tables[("time", "startup")]), 0)
        self.assertEqual(len(tables[("time",)]), 12)
        with self.assertRaises(KeyError):
            cm.to_frame(ds, "market_shares")


@unittest.skipUnless(BINARY, "CLOUDMARKET is not set (run through ctest)")
class Sweeps(TempDirTest):
    def test_sweep_and_open_sweep_with_series_per_design_point(self):
        sweep = self.write("grid.yaml", f"""
            schema: cloudmarket-sweep/1
            name: api_grid
            base: {SMALL}
            seed: 3
            replications: 3
            set: {{segments.retail.firms: 600}}
            design: {{type: grid}}
            parameters:
              - {{path: segments.retail.price_sensitivity, values: [1, 5]}}
            series: [market_share, hhi]
            """)
        ds = cm.sweep(sweep, self.path("out"), jobs=2, binary=BINARY)
        self.assertEqual(ds.sizes["run"], 6)
        self.assertEqual(list(ds["point"].values), [0, 0, 0, 1, 1, 1])
        self.assertEqual(ds["series_market_share_mean"].dims, ("design_point", "time", "vendor"))
        lazy = cm.open_sweep(self.path("out"), variables=["market_share"])
        self.assertIsNotNone(lazy["market_share"].chunks)  # read lazily (dask) until used
        share = lazy["market_share"].load()
        self.assertEqual(share.dims, ("run", "time", "vendor"))
        for run in range(6):
            with xr.open_dataset(os.path.join(self.path("out"), "runs", f"{run}.h5"), engine="h5netcdf") as one:
                np.testing.assert_array_equal(share.sel(run=run), one["market_share"])
        # the per-point series: means and t-intervals over each point's three runs
        first = share.isel(run=slice(0, 3))
        np.testing.assert_allclose(lazy["series_market_share_mean"].sel(design_point=0), first.mean("run"), rtol=1e-12)
        self.assertTrue((lazy["series_market_share_n"] == 3).all())
        frame = cm.to_frame(lazy, "market_share")
        self.assertEqual(list(frame.columns)[:6],
                         ["run", "segments.retail.price_sensitivity", "point", "replication", "seed", "status"])
        self.assertEqual(len(frame), 6 * 12 * 2)

    def test_series_names_are_checked_before_any_run(self):
        for series, message in (("[market_shar]", "did you mean 'market_share'"),
                                ("[hhi, hhi]", "listed twice")):
            sweep = self.write("bad.yaml", f"""
                schema: cloudmarket-sweep/1
                base: {SMALL}
                parameters:
                  - {{path: segments.retail.price_sensitivity, values: [1, 5]}}
                series: {series}
                """)
            proc = cloudmarket("sweep", sweep, "-o", self.path("never"))
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn("bad.yaml:", proc.stderr)
            self.assertIn(message, proc.stderr)
            self.assertFalse(os.path.exists(self.path("never")))

    def test_a_failed_run_is_missing_not_dropped(self):
        sweep = self.write("grid.yaml", f"""
            schema: cloudmarket-sweep/1
            name: api_fail
            base: {SMALL}
            seed: 3
            set: {{segments.retail.firms: 600}}
            design: {{type: grid}}
            parameters:
              - {{path: segments.retail.price_sensitivity, values: [1, 5]}}
            """)
        out = self.path("out")
        proc = cloudmarket("sweep", sweep, "-o", out, "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        os.unlink(os.path.join(out, "runs", "1.h5"))  # as if run 1 had been lost
        proc = cloudmarket("sweep", "collect", out, "--partial")
        ds = cm.open_sweep(out, variables=["hhi"])
        self.assertEqual(list(ds["status"].values), ["ok", "missing"])
        self.assertTrue(np.isnan(ds["hhi"].sel(run=1)).all())
        self.assertFalse(np.isnan(ds["hhi"].sel(run=0)).any())


if __name__ == "__main__":
    unittest.main()
