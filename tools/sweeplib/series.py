"""Per-design-point time series of a sweep: for each variable listed under `series:` in the sweep
file, the mean over the point's replications and its 95% Student-t interval at every output period,
written to the group `series` of sweep.h5 (dims point, time and the variable's labels).

Runs that did not finish ok are left out (their count is `V_n`). Points whose runs have different
horizons share one time axis: periods a run does not have are missing (NaN) there."""
import os

import numpy as np

from . import runner

GROUP = "series"
BAND = {"mean": "mean", "lo": "lower", "hi": "upper"}  # the group's suffixes: confidence_band's names


def point_series(directory, manifest):
    """The Dataset of the group `series`, or None when the sweep lists no series."""
    import xarray as xr
    from cloudmarket.intervals import DESCRIBING, LEVEL, confidence_band, stack_replications
    from cloudmarket.runs import open_output
    names = manifest.get("series") or []
    if not names:
        return None
    by_point = {}
    for r in manifest["runs"]:
        if runner.is_done(directory, r["index"]):
            by_point.setdefault(r["point"], []).append(r["index"])
    bands = {name: [] for name in names}
    attrs = {}
    for point, indices in sorted(by_point.items()):
        runs = []
        for index in indices:
            with open_output(runner.output_path(directory, index)) as ds:
                runs.append(ds[names].load())
        for name in names:
            attrs.setdefault(name, {k: v for k, v in runs[0][name].attrs.items() if k in DESCRIBING})
            bands[name].append(confidence_band(stack_replications(runs, name), "replication").expand_dims(point=[point]))
    every_point = np.arange(len(manifest["points"]), dtype=np.int64)
    result = xr.Dataset()
    level = f"{LEVEL * 100:g}%"
    for name in names:
        if not bands[name]:
            continue
        # points none of whose runs finished are NaN, with a count of 0
        stats = xr.concat(bands[name], dim="point", join="outer").reindex(point=every_point)
        kept = attrs[name]
        for key, what in (("mean", "mean over the design point's replications"),
                          ("lo", f"lower bound of the {level} t-interval of the mean"),
                          ("hi", f"upper bound of the {level} t-interval of the mean")):
            result[f"{name}_{key}"] = stats[BAND[key]].assign_attrs({**kept, "long_name": f"{kept.get('long_name', name)}: {what}"})
        result[f"{name}_n"] = stats["count"].fillna(0).astype(np.int64).assign_attrs(
            units="1", long_name=f"replications of the point that finished ok with {name} finite")
    result = result.assign_coords(point=every_point)
    result["point"].attrs.update(long_name="design point (the runs with this `point`)", units="1")
    result.attrs["long_name"] = f"time series per design point: means and {level} intervals across replications"
    return result


def write(directory, path, manifest):
    """Append the group `series` to the sweep file being written at `path` (when any is listed)."""
    result = point_series(directory, manifest)
    if result is not None and len(result.data_vars):
        result.to_netcdf(path, mode="a", group=GROUP, engine="h5netcdf")
    return result
