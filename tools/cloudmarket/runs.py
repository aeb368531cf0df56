"""One simulation run from Python: the binary in a subprocess, its output opened with xarray."""
import os
import tempfile
import warnings

# Debian's netCDF4 module was built against an older numpy ABI header; the warning it raises on
# import is harmless (numpy's own advice) and would otherwise open every notebook.
warnings.filterwarnings("ignore", message="numpy.ndarray size changed", category=RuntimeWarning)

from .binary import call, set_arguments


def run(scenario, seed=None, set=None, out=None, binary=None):  # noqa: A002  (`set` as on the command line)
    """Run `scenario` (a path) and return its output as an xarray Dataset.

    seed -- the run's seed (default: the scenario's `seed`)
    set  -- scenario values to change, {path: value} as `--set PATH=VALUE` takes them,
            e.g. {"time.years": 3, "vendors.aws.pricing.markup": 0.3}
    out  -- keep the output file there; without it the run writes a temporary file, and the Dataset
            is loaded into memory and the file removed.
    Raises CloudmarketError (with the simulator's `file:line:col: error: ...`) on invalid input."""
    args = ["run", os.fspath(scenario), "--quiet"]
    if seed is not None:
        args += ["--seed", str(int(seed))]
    args += set_arguments(set)
    if out is not None:
        call(args + ["-o", os.fspath(out)], binary)
        return open_output(out)
    with tempfile.TemporaryDirectory(prefix="cloudmarket-") as tmp:
        path = os.path.join(tmp, "run.h5")
        call(args + ["-o", path], binary)
        with open_output(path) as ds:
            return ds.load()


# netCDF-C reads our files ~10x faster than h5netcdf, which scans every variable to size a growing
# dimension; both give the same Dataset (tests/python/test_api.py checks it).
ENGINE = "netcdf4"


def open_output(path, group=None):
    """An output file (run, game, sweep.h5, compare.h5) as a lazily read xarray Dataset."""
    import xarray as xr
    return xr.open_dataset(path, engine=ENGINE, group=group)
