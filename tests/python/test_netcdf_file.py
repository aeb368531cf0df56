"""The netCDF-4 file of output/netcdf_file opens as it is in xarray (h5netcdf and netcdf4
engines), netCDF4-python (netCDF-C) and h5py.

The file is written by the Catch2 test "NetcdfFile writes the demo file to $CM_NETCDF_DEMO_OUT"
([netcdf][demo]) of $CM_BUILD_DIR/tests/unit_tests; the expected values below follow the same
formulas as write_demo() in tests/test_netcdf_file.cpp.
"""
import os
import subprocess
import tempfile
import unittest
import warnings
from pathlib import Path

import h5py
import netCDF4
import numpy as np
import xarray as xr

TYPES = ["m5.large", "c5.xlarge", "r5.2xlarge"]
BASE = np.array([0.096, 0.17, 0.504])
STEPS = 10
EVENTS = 7
PRICE_CHANGES = "events/price_changes"


def expected_price():
    return np.array([[BASE[k] * (1.0 + 0.01 * t) + 0.001 * k for k in range(3)] for t in range(STEPS)])


def expected_regime():
    return [["calm", "volatile", "spike ⚡"][t % 3] for t in range(STEPS)]


def expected_times():
    return np.datetime64("2023-01-01") + (np.arange(STEPS) * 12).astype("timedelta64[h]")


def expected_event_times():
    return np.datetime64("2023-01-01") + (np.arange(EVENTS) * 30).astype("timedelta64[h]")


def write_demo(path):
    build = os.environ.get("CM_BUILD_DIR")
    if not build:
        raise unittest.SkipTest("CM_BUILD_DIR is not set")
    exe = Path(build) / "tests" / "unit_tests"
    if not exe.exists():
        raise AssertionError(f"{exe} does not exist: build the unit_tests target first")
    env = dict(os.environ, CM_NETCDF_DEMO_OUT=str(path))
    run = subprocess.run([str(exe), "[netcdf][demo]"], env=env, capture_output=True, text=True)
    if run.returncode != 0 or not Path(path).exists():
        raise AssertionError(f"{exe} [netcdf][demo] failed:\n{run.stdout}\n{run.stderr}")


class NetcdfDemoFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="cm_netcdf_")
        cls.path = Path(cls.tmp.name) / "demo.nc"
        cls.again = Path(cls.tmp.name) / "demo_again.nc"
        write_demo(cls.path)
        write_demo(cls.again)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_two_processes_write_identical_bytes(self):
        self.assertEqual(self.path.read_bytes(), self.again.read_bytes())

    def test_xarray_h5netcdf_root_group(self):
        with xr.open_dataset(self.path, engine="h5netcdf") as ds:
            self.assertEqual(dict(ds.sizes), {"time": STEPS, "instance_type": 3})
            self.assertEqual(set(ds.coords), {"time", "instance_type"})
            self.assertEqual(set(ds.data_vars), {"price", "demand", "regime", "base_price"})
            # String coordinate.
            self.assertEqual(ds.instance_type.values.tolist(), TYPES)
            self.assertEqual(ds.instance_type.attrs["long_name"], "instance type")
            # CF time, decoded.
            self.assertEqual(ds.time.dtype, np.dtype("datetime64[ns]"))
            np.testing.assert_array_equal(ds.time.values, expected_times().astype("datetime64[ns]"))
            self.assertEqual(ds.time.encoding["units"], "days since 2023-01-01")
            self.assertEqual(ds.time.encoding["calendar"], "standard")
            self.assertEqual(ds.time.attrs["long_name"], "time")
            self.assertEqual(ds.time.attrs["standard_name"], "time")
            # Variables along the growing dimension.
            self.assertEqual(ds.price.dims, ("time", "instance_type"))
            self.assertEqual(ds.price.shape, (STEPS, 3))
            self.assertEqual(ds.price.dtype, np.float64)
            np.testing.assert_allclose(ds.price.values, expected_price(), rtol=1e-15)
            self.assertEqual(ds.price.attrs, {"units": "USD/hour", "long_name": "spot price"})
            self.assertEqual(ds.price.sel(instance_type="r5.2xlarge").values[0], BASE[2] + 0.002)
            self.assertEqual(ds.demand.dtype, np.int64)
            np.testing.assert_array_equal(ds.demand.values, 100 + 7 * np.arange(STEPS))
            self.assertEqual(ds.demand.attrs["units"], "1")
            self.assertEqual(ds.regime.dims, ("time",))
            self.assertEqual(ds.regime.values.tolist(), expected_regime())
            # A fixed variable over the label dimension.
            self.assertEqual(ds.base_price.dims, ("instance_type",))
            np.testing.assert_array_equal(ds.base_price.values, BASE)
            # Global attributes keep their types.
            self.assertEqual(
                ds.attrs,
                {"Conventions": "CF-1.8", "title": "cloudmarket netCDF demo", "seed": 42,
                 "horizon_days": 4.5, "comment": "prices in €/hour"})
            self.assertIsInstance(ds.attrs["title"], str)
            self.assertEqual(np.asarray(ds.attrs["seed"]).dtype, np.int64)
            self.assertEqual(np.asarray(ds.attrs["horizon_days"]).dtype, np.float64)
            # Chunking and compression as seen by the reader.
            self.assertEqual(ds.price.encoding["chunksizes"], (4, 3))
            self.assertTrue(ds.price.encoding["zlib"])
            self.assertTrue(ds.price.encoding["shuffle"])
            self.assertEqual(ds.price.encoding["complevel"], 4)

    def test_xarray_h5netcdf_event_group(self):
        with xr.open_dataset(self.path, engine="h5netcdf", group=PRICE_CHANGES) as ev:
            self.assertEqual(dict(ev.sizes), {"event": EVENTS})
            self.assertEqual(set(ev.data_vars), {"event_time", "instance", "new_price", "bidders"})
            np.testing.assert_array_equal(ev.event.values, np.arange(EVENTS))
            self.assertEqual(ev.event.dtype, np.int64)
            self.assertEqual(ev.event_time.dtype, np.dtype("datetime64[ns]"))
            np.testing.assert_array_equal(ev.event_time.values,
                                          expected_event_times().astype("datetime64[ns]"))
            self.assertEqual(ev.event_time.encoding["units"], "days since 2023-01-01")
            self.assertEqual(ev.instance.values.tolist(), [TYPES[e % 3] for e in range(EVENTS)])
            np.testing.assert_allclose(
                ev.new_price.values, [BASE[e % 3] * (1.0 - 0.05 * e) for e in range(EVENTS)], rtol=1e-15)
            self.assertEqual(ev.new_price.attrs["units"], "USD/hour")
            self.assertEqual(ev.bidders.dtype, np.int64)
            np.testing.assert_array_equal(ev.bidders.values, 3 * np.arange(EVENTS) - 5)
            self.assertEqual(ev.attrs, {"long_name": "spot price changes"})
        # A variable of /events over the root group's dimension.
        with xr.open_dataset(self.path, engine="h5netcdf", group="events") as events:
            self.assertEqual(events.changes.dims, ("instance_type",))
            np.testing.assert_array_equal(events.changes.values, [3, 2, 2])
            self.assertEqual(events.attrs, {"description": "market events"})

    def test_xarray_netcdf4_engine_reads_the_same(self):
        for group in (None, "events", PRICE_CHANGES):
            with self.subTest(group=group), \
                    xr.open_dataset(self.path, engine="h5netcdf", group=group) as a, \
                    xr.open_dataset(self.path, engine="netcdf4", group=group) as b:
                xr.testing.assert_identical(a.load(), b.load())

    def test_netcdf4_python(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with netCDF4.Dataset(self.path) as nc:
                self.assertEqual(nc.data_model, "NETCDF4")
                self.assertEqual(nc.disk_format, "HDF5")
                self.assertEqual({k: len(d) for k, d in nc.dimensions.items()},
                                 {"time": STEPS, "instance_type": 3})
                self.assertTrue(nc.dimensions["time"].isunlimited())
                self.assertFalse(nc.dimensions["instance_type"].isunlimited())
                self.assertEqual(nc.ncattrs(), ["Conventions", "title", "seed", "horizon_days", "comment"])
                self.assertEqual(nc.Conventions, "CF-1.8")
                self.assertEqual(nc.seed, 42)
                self.assertEqual(nc.horizon_days, 4.5)
                self.assertEqual(nc.comment, "prices in €/hour")
                self.assertEqual(list(nc.variables),
                                 ["instance_type", "time", "price", "demand", "regime", "base_price"])
                self.assertIs(nc["instance_type"].dtype, str)
                self.assertEqual(nc["instance_type"][:].tolist(), TYPES)
                time = nc["time"]
                self.assertEqual(time.units, "days since 2023-01-01")
                self.assertEqual(time.calendar, "standard")
                dates = netCDF4.num2date(time[:], time.units, time.calendar,
                                         only_use_cftime_datetimes=False,
                                         only_use_python_datetimes=True)
                np.testing.assert_array_equal(np.array(dates, dtype="datetime64[ns]"),
                                              expected_times().astype("datetime64[ns]"))
                price = nc["price"]
                self.assertEqual(price.dimensions, ("time", "instance_type"))
                self.assertEqual(price.shape, (STEPS, 3))
                self.assertEqual(price.chunking(), [4, 3])
                self.assertEqual(price.filters()["zlib"], True)
                self.assertEqual(price.filters()["shuffle"], True)
                self.assertEqual(price.filters()["complevel"], 4)
                np.testing.assert_allclose(price[:], expected_price(), rtol=1e-15)
                self.assertEqual(price.units, "USD/hour")
                self.assertEqual(price.long_name, "spot price")
                self.assertEqual(nc["demand"].dtype, np.int64)
                self.assertEqual(nc["demand"].units, "1")
                self.assertIs(nc["regime"].dtype, str)
                self.assertEqual(nc["regime"][:].tolist(), expected_regime())
                self.assertEqual(nc["regime"].filters()["zlib"], False)

                self.assertEqual(list(nc.groups), ["events"])
                events = nc.groups["events"]
                self.assertEqual(events.description, "market events")
                self.assertEqual(list(events.groups), ["price_changes"])
                changes = events["changes"]
                self.assertEqual(changes.dimensions, ("instance_type",))
                self.assertEqual(changes.get_dims()[0].group().path, "/")  # the root's dimension
                self.assertEqual(changes[:].tolist(), [3, 2, 2])

                pc = nc[PRICE_CHANGES]
                self.assertEqual(pc.path, "/" + PRICE_CHANGES)
                self.assertEqual(pc.long_name, "spot price changes")
                self.assertEqual(list(pc.dimensions), ["event"])
                self.assertTrue(pc.dimensions["event"].isunlimited())
                self.assertEqual(len(pc.dimensions["event"]), EVENTS)
                self.assertEqual(list(pc.variables), ["event", "event_time", "instance", "new_price", "bidders"])
                for name in pc.variables:
                    self.assertEqual(pc[name].dimensions, ("event",))
                self.assertEqual(pc["event"][:].tolist(), list(range(EVENTS)))
                self.assertEqual(pc["instance"][:].tolist(), [TYPES[e % 3] for e in range(EVENTS)])
                self.assertEqual(pc["bidders"][:].tolist(), [3 * e - 5 for e in range(EVENTS)])

    def test_h5py_dimension_scales_and_storage(self):
        with h5py.File(self.path, "r") as f:
            gcpl = f["/"].id.get_create_plist()
            tracked_indexed = h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED
            self.assertEqual(gcpl.get_link_creation_order(), tracked_indexed)
            self.assertEqual(gcpl.get_attr_creation_order(), tracked_indexed)
            # Coordinate variables are dimension scales named after their dimension.
            for name in ("time", "instance_type", PRICE_CHANGES + "/event"):
                self.assertTrue(h5py.h5ds.is_scale(f[name].id), name)
                self.assertEqual(f[name].attrs["CLASS"], b"DIMENSION_SCALE")
                self.assertEqual(f[name].attrs["NAME"], name.split("/")[-1].encode())
            # Variables attach the scale of each axis.
            self.assertEqual([d[0].name for d in f["price"].dims], ["/time", "/instance_type"])
            self.assertEqual(f["events/changes"].dims[0][0].name, "/instance_type")
            for name in ("event_time", "instance", "new_price", "bidders"):
                self.assertEqual(f[PRICE_CHANGES][name].dims[0][0].name, "/" + PRICE_CHANGES + "/event")
            # Growing dimensions are unlimited and chunked; numbers are compressed, strings not.
            self.assertEqual(f["time"].maxshape, (None,))
            self.assertEqual(f["price"].maxshape, (None, 3))
            self.assertEqual(f["price"].chunks, (4, 3))
            self.assertEqual(f["price"].compression, "gzip")
            self.assertEqual(f["price"].compression_opts, 4)
            self.assertTrue(f["price"].shuffle)
            self.assertEqual(f["instance_type"].maxshape, (3,))
            self.assertIsNotNone(f["regime"].chunks)
            self.assertIsNone(f["regime"].compression)
            # Strings: variable-length UTF-8.
            info = h5py.check_string_dtype(f["regime"].dtype)
            self.assertEqual((info.encoding, info.length), ("utf-8", None))
            self.assertEqual(f["regime"].asstr()[:].tolist(), expected_regime())
            self.assertEqual(f["instance_type"].asstr()[:].tolist(), TYPES)
            # Text attributes are fixed-length scalar strings (NC_CHAR), numbers scalar f64/i64.
            units = f["price"].attrs.get_id("units")
            self.assertEqual(units.shape, ())
            info = h5py.check_string_dtype(units.dtype)
            self.assertEqual((info.encoding, info.length), ("utf-8", len("USD/hour")))
            self.assertEqual(units.get_type().get_strpad(), h5py.h5t.STR_NULLTERM)
            comment = f.attrs.get_id("comment")
            self.assertEqual(h5py.check_string_dtype(comment.dtype).length, len("prices in €/hour".encode()))
            self.assertEqual(f.attrs["comment"].decode("utf-8"), "prices in €/hour")
            self.assertEqual(f.attrs.get_id("seed").dtype, np.dtype("<i8"))
            self.assertEqual(f.attrs.get_id("seed").shape, ())
            self.assertEqual(f.attrs.get_id("horizon_days").dtype, np.dtype("<f8"))
            np.testing.assert_allclose(f["price"][:], expected_price(), rtol=1e-15)


if __name__ == "__main__":
    unittest.main()
