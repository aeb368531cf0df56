"""Two scenarios compared over replications with common random numbers.

Replication r of both scenarios runs with the same seed, so the randomness the two runs share
(which firms renew when, which startups raise) cancels in the paired difference d_r = B_r − A_r:
its interval is narrower than the difference of two independent means. The runs go through the
sweep runner (sweeplib.runner), so a comparison directory is resumable like a sweep's, and each run
is a process of its own (one SimGrid engine per process)."""
import os

import numpy as np

from .intervals import DESCRIBING, LEVEL, mean_interval, stack_replications

SCHEMA = "cloudmarket-compare/1"
OUTPUT_SCHEMA = "cloudmarket-compare-output/1"
SUMMARY_VARIABLES = ("market_share", "vendor_gross_margin", "vendor_revenue")


def replication_seed(seed, replication):
    """The seed both scenarios use in replication r (the sweep's stable hash, so that the same
    comparison always draws the same seeds)."""
    from sweeplib.sweepfile import derive_seed
    return derive_seed(seed, "compare", "replication", replication)


def plan(a, b, replications, seed=0, set_both=(), set_a=(), set_b=(), timeout_seconds=3600, labels=None):
    """The manifest of a comparison: runs 2r (A) and 2r+1 (B) share replication r's seed."""
    a, b = os.path.abspath(a), os.path.abspath(b)
    labels = labels or default_labels(a, b)
    runs = []
    for r in range(replications):
        s = replication_seed(seed, r)
        for point, (base, extra) in enumerate(((a, set_a), (b, set_b))):
            runs.append({"index": len(runs), "point": point, "replication": r, "seed": s, "base": base,
                         "set": list(set_both) + list(extra)})
    return {"schema": SCHEMA, "base": a, "scenarios": [a, b], "labels": list(labels), "seed": seed,
            "replications": replications, "set": list(set_both), "set_a": list(set_a), "set_b": list(set_b),
            "timeout_seconds": timeout_seconds, "runs": runs}


def default_labels(a, b):
    """The scenarios' file names without .yaml; "A" and "B" when they are the same file."""
    stem = lambda p: os.path.splitext(os.path.basename(p))[0]  # noqa: E731
    return (stem(a), stem(b)) if stem(a) != stem(b) else ("A", "B")


def time_series(ds):
    """Names of the run's time series: root variables along `time` (numbers only)."""
    return [name for name, v in ds.data_vars.items()
            if "time" in v.dims and name != "time_bnds" and np.issubdtype(v.dtype, np.number)]


def analyze(a_runs, b_runs, labels=("A", "B"), variables=None, level=LEVEL, attrs=None):
    """The comparison Dataset of paired replications: a_runs[r] and b_runs[r] are Datasets of
    replication r (same seed). For each time series V (dims time, ...):
      V            (scenario, replication, time, ...) every replication's values
      V_mean/_lo/_hi             (scenario, time, ...) mean and 95% interval across replications
      V_diff, V_diff_lo/_hi      (time, ...) mean paired difference B − A and its 95% interval
    Labels (vendors, segments) missing from one scenario are NaN there, as are periods beyond the
    shorter run."""
    import xarray as xr
    if len(a_runs) != len(b_runs) or not a_runs:
        raise ValueError(f"a comparison needs paired replications: {len(a_runs)} of A, {len(b_runs)} of B")
    first = a_runs[0]
    names = variables or [n for n in time_series(first) if n in b_runs[0].data_vars]
    out = {}
    for name in names:
        both = xr.concat([stack_replications(a_runs, name), stack_replications(b_runs, name)], dim="scenario",
                         join="outer")
        both = both.assign_coords(scenario=list(labels))
        kept = {k: v for k, v in first[name].attrs.items() if k in DESCRIBING}
        units = kept.setdefault("units", "1")
        long_name = kept.setdefault("long_name", name)
        per_run = kept.get("cell_methods", "")
        dims = [d for d in both.dims if d not in ("scenario", "replication")]
        rep = both.get_axis_num("replication")
        mean, lo, hi, _ = mean_interval(both.values, axis=rep, level=level)
        diff = both.sel(scenario=labels[1]) - both.sel(scenario=labels[0])
        d_mean, d_lo, d_hi, d_n = mean_interval(diff.values, axis=diff.get_axis_num("replication"), level=level)
        pct = f"{level * 100:g}%"
        out[name] = both.assign_attrs(**kept)
        extra = {k: v for k, v in kept.items() if k == "product_unit"}
        for suffix, values, what in (("mean", mean, "mean over replications"),
                                     ("lo", lo, f"lower bound of the {pct} t-interval of the mean"),
                                     ("hi", hi, f"upper bound of the {pct} t-interval of the mean")):
            out[f"{name}_{suffix}"] = (["scenario", *dims], values,
                                       {"units": units, "long_name": f"{long_name}: {what}", **extra,
                                        "cell_methods": f"{per_run} replication: mean".strip() if suffix == "mean" else per_run})
        diff_text = f"{labels[1]} - {labels[0]}"
        for suffix, values, what in (("diff", d_mean, f"mean paired difference {diff_text}"),
                                     ("diff_lo", d_lo, f"lower bound of the {pct} t-interval of the paired difference"),
                                     ("diff_hi", d_hi, f"upper bound of the {pct} t-interval of the paired difference")):
            out[f"{name}_{suffix}"] = (dims, values, {"units": units, "long_name": f"{long_name}: {what}", **extra,
                                                      "cell_methods": per_run})
        out[f"{name}_n"] = (dims, d_n.astype(np.int64),
                            {"units": "1", "long_name": f"replications with {name} finite in both scenarios",
                             "cell_methods": "time: point"})
    out = xr.Dataset(out)
    for v in out.variables.values():
        v.encoding = {}  # the runs' storage layout (chunks, growing dimensions) is not this file's
    if "time_bnds" in first and all(np.array_equal(ds["time"].values, first["time"].values) for ds in a_runs + b_runs):
        out["time_bnds"] = first["time_bnds"].variable.copy()  # the output periods' bounds, as in the runs
        out["time_bnds"].encoding = {}
    if "time" in out.variables:  # the runs' time axis: days since their start, standard calendar
        out["time"].encoding = {k: first["time"].encoding[k] for k in ("units", "calendar")
                                if k in first["time"].encoding}
        out["time"].attrs.update({k: v for k, v in first["time"].attrs.items()
                                  if k in ("long_name", "standard_name") or (k == "bounds" and "time_bnds" in out)})
    out["scenario"].attrs.update(long_name="scenario compared (A, then B)")
    for dim in out.dims:  # a label dimension empty in both (no startups) stays a string label
        if out.sizes[dim] == 0 and dim in out.coords:
            out = out.assign_coords({dim: xr.Variable(dim, np.array([], dtype=str), first[dim].attrs
                                                      if dim in first.coords else {})})
    for v in out.data_vars.values():
        if not v.attrs.get("cell_methods"):
            v.attrs.pop("cell_methods", None)
    out.attrs.update({k: first.attrs[k] for k in ("institution", "source", "references", "comment") if k in first.attrs})
    out.attrs.update({"Conventions": "CF-1.8", "schema": OUTPUT_SCHEMA,
                      "history": f"cloudmarket compare: {labels[1]} against {labels[0]}, {len(a_runs)} replications", "confidence_level": level,
                      "replications": len(a_runs), "scenario_a": labels[0], "scenario_b": labels[1],
                      "title": f"cloudmarket comparison: {labels[1]} against {labels[0]}",
                      "currency": first.attrs.get("currency", ""),
                      "output_period": first.attrs.get("output_period", "month")})
    out.attrs.update(attrs or {})
    return out


def check_dates(dates, start, years):
    """Each date parses and falls within the run that starts on `start` and lasts `years`."""
    import pandas as pd
    begin = pd.Timestamp(start)
    end = begin + pd.DateOffset(years=years)
    for text in dates:
        try:
            when = pd.Timestamp(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a date (YYYY-MM-DD)") from None
        if not begin <= when < end:
            raise ValueError(f"{text} is outside the runs ({begin.date()} to {(end - pd.Timedelta(days=1)).date()})")


def _label_time_bounds(path):
    """xarray writes a bounds variable without the units and calendar of its time axis (CF lets
    bounds inherit them); give time_bnds its own, as the runs' files have, for readers that look."""
    import h5py
    with h5py.File(path, "r+") as f:
        if "time_bnds" in f and "time" in f:
            for key in ("units", "calendar"):
                if key in f["time"].attrs:
                    f["time_bnds"].attrs[key] = f["time"].attrs[key]
            f["time_bnds"].attrs["long_name"] = "start and end of the output period (the next period's start)"


def at_dates(comparison, dates):
    """Indices along `time` of the output periods holding each date (the period that starts on or
    before it); None (the default) means the last period."""
    import pandas as pd
    times = pd.DatetimeIndex(comparison["time"].values)
    if not dates:
        return [len(times) - 1]
    picked = []
    for text in dates:
        i = int(times.searchsorted(pd.Timestamp(text), side="right")) - 1
        if i < 0:
            raise ValueError(f"date {text} is before the runs start ({times[0].date()})")
        picked.append(i)
    return picked


def summary(comparison, variables=SUMMARY_VARIABLES, dates=None):
    """A tidy table (pandas DataFrame): one row per variable, label (e.g. vendor) and date, with
    both scenarios' means and intervals and the paired difference with its interval."""
    import pandas as pd
    a, b = comparison.attrs["scenario_a"], comparison.attrs["scenario_b"]
    rows = []
    for name in variables:
        if f"{name}_mean" not in comparison:
            raise ValueError(f"'{name}' is not a time series of these runs")
        mean = comparison[f"{name}_mean"]
        for t in at_dates(comparison, dates):
            one = comparison.isel(time=t)
            other_dims = [d for d in mean.dims if d not in ("scenario", "time")]
            labels = [{}] if not other_dims else [
                dict(zip(other_dims, combo)) for combo in
                pd.MultiIndex.from_product([comparison[d].values for d in other_dims])]
            for label in labels:
                cell = one.sel(label) if label else one
                value = lambda v, s=None: float(cell[v].sel(scenario=s) if s else cell[v])  # noqa: E731
                rows.append({
                    "variable": name, **{d: str(x) for d, x in label.items()},
                    "time": pd.Timestamp(comparison["time"].values[t]).strftime("%Y-%m"),
                    "units": comparison[name].attrs.get("units", ""),
                    f"{a}_mean": value(f"{name}_mean", a), f"{a}_lo": value(f"{name}_lo", a),
                    f"{a}_hi": value(f"{name}_hi", a),
                    f"{b}_mean": value(f"{name}_mean", b), f"{b}_lo": value(f"{name}_lo", b),
                    f"{b}_hi": value(f"{name}_hi", b),
                    "diff": value(f"{name}_diff"), "diff_lo": value(f"{name}_diff_lo"),
                    "diff_hi": value(f"{name}_diff_hi"), "n": int(cell[f"{name}_n"]),
                })
    return pd.DataFrame(rows)


class NothingToCompare(RuntimeError):
    """No replication finished in both scenarios."""


def complete_pairs(directory, manifest):
    """Replications whose runs finished ok in both scenarios."""
    from sweeplib import runner
    done = {(r["replication"], r["point"]) for r in manifest["runs"] if runner.is_done(directory, r["index"])}
    return sorted(k for k in range(manifest["replications"]) if (k, 0) in done and (k, 1) in done)


def paired_runs(directory, manifest):
    """The output Datasets of the replications that finished ok in both scenarios: (a_runs, b_runs,
    replications)."""
    from sweeplib import runner
    from .runs import open_output
    index = {(r["replication"], r["point"]): r["index"] for r in manifest["runs"]}
    replications = complete_pairs(directory, manifest)
    a_runs, b_runs = [], []
    for k in replications:
        for point, into in ((0, a_runs), (1, b_runs)):
            with open_output(runner.output_path(directory, index[(k, point)])) as ds:
                into.append(ds.load())
    return a_runs, b_runs, replications


def write_results(directory, manifest, dates=None, variables=None, vendors=None, figures=True):
    """compare.h5, summary.csv, summary.md and figures/ of a comparison directory whose runs are
    done. Returns {"pairs": n, "written": [names], "table": text for the terminal}."""
    from sweeplib import runner
    from . import report
    from .runs import ENGINE
    a_runs, b_runs, replications = paired_runs(directory, manifest)
    if not replications:
        raise NothingToCompare("no replication finished in both scenarios: nothing to compare")
    labels = tuple(manifest["labels"])
    result = analyze(a_runs, b_runs, labels, attrs={
        "scenario_a_file": manifest["scenarios"][0], "scenario_b_file": manifest["scenarios"][1],
        "set_both": "; ".join(manifest["set"]), "set_a": "; ".join(manifest["set_a"]),
        "set_b": "; ".join(manifest["set_b"]), "comparison_seed": manifest["seed"]})
    seeds = {r["replication"]: r["seed"] for r in manifest["runs"]}
    result = result.assign_coords(replication=replications,
                                  seed=("replication", np.array([seeds[k] for k in replications], dtype=np.int64)))
    result["seed"].attrs.update(long_name="seed of the replication's runs (both scenarios)", units="1")
    result["replication"].attrs.update(long_name="replication (both scenarios ran with its seed)", units="1")
    chosen = variables or [v for v in SUMMARY_VARIABLES if f"{v}_mean" in result]
    with runner.replacing(os.path.join(directory, "compare.h5")) as tmp:
        result.to_netcdf(tmp, engine=ENGINE)
        _label_time_bounds(tmp)
    table = summary(result, chosen, dates)
    if vendors and "vendor" in table:
        table = table[table["vendor"].isin(vendors)]
    written = ["compare.h5"]
    with runner.replacing(os.path.join(directory, "summary.csv")) as tmp:
        table.to_csv(tmp, index=False)
    text = report.markdown_table(table, result)
    with runner.replacing(os.path.join(directory, "summary.md")) as tmp:
        with open(tmp, "w") as f:
            f.write(report.markdown_heading(result) + "\n\n" + text + "\n")
    written += ["summary.csv", "summary.md"]
    if figures:
        from . import figures as drawing
        os.makedirs(os.path.join(directory, "figures"), exist_ok=True)
        for name in chosen:
            path = os.path.join(directory, "figures", f"{name}.png")
            drawing.comparison_figure(result, name, path, vendors=vendors)
        written.append("figures/")
    return {"pairs": len(replications), "written": written, "table": text}
