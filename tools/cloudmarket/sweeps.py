"""Sweeps from Python: run one with `cloudmarket sweep`, and open its runs as one Dataset."""
import os

import numpy as np

from .binary import call, find_binary


def sweep(sweep_file, out, jobs=None, resume=False, binary=None):
    """Run the sweep file's runs into directory `out` (`cloudmarket sweep SWEEP.yaml -o out`) and
    return open_sweep(out). With resume=True a stopped sweep is finished; runs done are kept."""
    args = ["sweep", os.fspath(sweep_file), "-o", os.fspath(out), "--quiet"]
    if jobs:
        args += ["--jobs", str(int(jobs))]
    if resume:
        args.append("--resume")
    call(args, binary or find_binary())
    return open_sweep(out)


def open_sweep(directory, variables=None):
    """A sweep directory as one xarray Dataset along `run`: sweep.h5's design (parameters, point,
    replication, seed, status) and metrics, the per-point `series` group if the sweep has one
    (as series_<name>_mean/_lo/_hi/_n along `design_point`), and the time series `variables` of every run
    (dims run, time, ...), read lazily with dask: values are read when used. Runs that did not
    finish ok are NaN."""
    import xarray as xr
    path = os.path.join(directory, "sweep.h5")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} does not exist: run `cloudmarket sweep collect {directory}` first")
    from .runs import ENGINE, open_output
    with open_output(path) as f:
        design = f.load()
    design = design.assign_coords(run=np.arange(design.sizes["run"]))
    try:
        with open_output(path, group="series") as group:
            # `point` is a per-run variable of sweep.h5: the series' own axis becomes `design_point`
            series = group.load().rename({n: f"series_{n}" for n in group.data_vars})
            design = design.merge(series.rename({"point": "design_point"}))
    except OSError:
        pass  # no `series` group: the sweep file lists none
    if not variables:
        return design
    ok = [int(r) for r in design["run"].values if str(design["status"].values[r]) == "ok"]
    if not ok:
        raise ValueError(f"no run of {directory} finished ok: no time series to open")
    files = [os.path.join(directory, "runs", f"{r}.h5") for r in ok]
    runs = xr.open_mfdataset(files, engine=ENGINE, combine="nested", concat_dim="run",
                             data_vars="all", coords="minimal", compat="override", join="outer",
                             preprocess=lambda ds: ds[list(variables)], parallel=False)
    runs = runs.assign_coords(run=ok).reindex(run=design["run"].values)
    return design.merge(runs, join="left")
