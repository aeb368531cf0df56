"""Gathering a sweep's runs into DIR/sweep.h5, and its sensitivity analysis.

sweep.h5 is a netCDF-4 file (written with h5netcdf, read with
`xarray.open_dataset(path, engine="h5netcdf")`) with one `run` dimension: the design matrix (one
variable per parameter), each run's point, replication, seed, status, exit code and wall time, and
one variable per metric (NaN where the run did not finish ok). Metrics that keep a dimension of the
run's output (e.g. the final market share of every vendor) have it as a second dimension, with its
labels as a coordinate. `analyze` adds the group `sensitivity` (Sobol or Morris indices).
"""
import math
import os
import warnings

import h5py
import h5netcdf
import numpy as np

from cf_units import summed, text_of

from . import runner, sweepfile
from .sweepfile import GAME_LABEL_DIMS, LABEL_DIMS, OUTPUT_VARIABLES, Metric

OUTPUT_SCHEMA = "cloudmarket-sweep-output/1"
MONTHS_PER_STEP = {"month": 1, "quarter": 3, "year": 12}


class CollectError(Exception):
    pass


def _dims_of(dataset, fallback):
    names = []
    for axis in dataset.dims:
        scales = list(axis.values()) if len(axis) else []
        names.append(scales[0].name.rsplit("/", 1)[-1] if scales else None)
    if None in names and fallback and len(fallback) == len(names):
        return list(fallback)
    return names


class _RunFile:
    """The parts of one run's output that metrics read, with its labels cached."""

    def __init__(self, path):
        self.f = h5py.File(path, "r")
        self._labels = {}
        period = text_of(self.f.attrs.get("output_period", "month"))
        self.months_per_step = MONTHS_PER_STEP.get(period, 1)

    def close(self):
        self.f.close()

    def labels(self, dim):
        if dim not in self._labels:
            self._labels[dim] = [text_of(x) for x in self.f[dim][...]] if dim in self.f else []
        return self._labels[dim]

    def variable(self, name, fallback_dims=None):
        """The dataset and its dimensions' names; `fallback_dims` (default: the scenario output's
        table) names them when the file has no dimension scales."""
        if name not in self.f:
            raise KeyError(f"the run's output has no variable '{name}'")
        ds = self.f[name]
        return ds, _dims_of(ds, fallback_dims if fallback_dims is not None else OUTPUT_VARIABLES.get(name))


_REDUCE = {"last": lambda a: a[-1], "mean": lambda a: np.mean(a, axis=0), "max": lambda a: np.max(a, axis=0),
           "min": lambda a: np.min(a, axis=0), "sum": lambda a: np.sum(a, axis=0)}
_ACROSS = {"mean": np.mean, "sum": np.sum, "max": np.max, "min": np.min}


def metric_value(run_file, metric, labels):
    """The metric of one run: a scalar, or an array over `metric.dims()` in the order of `labels`."""
    ds, dims = run_file.variable(metric.variable, metric.variable_dims())
    data = np.asarray(ds[...], dtype=float)
    first = metric.variable_dims()[0]  # time for a scenario's run, session for a game's
    if not dims or dims[0] != first:
        raise KeyError(f"variable '{metric.variable}' has no {first} dimension first")
    for dim, label in metric.select.items():
        if dim not in dims:
            raise KeyError(f"variable '{metric.variable}' has no dimension '{dim}'")
        have = run_file.labels(dim)
        if label not in have:
            raise KeyError(f"no {dim} '{label}' in the run's output")
        axis = dims.index(dim)
        data = np.take(data, have.index(label), axis=axis)
        dims = dims[:axis] + dims[axis + 1:]
    if data.shape[0] == 0:
        raise KeyError("the run's output has no time steps" if first == "time" else "the game's output has no sessions")
    if metric.over:
        steps = max(1, math.ceil(metric.over / run_file.months_per_step))
        data = data[-steps:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty dimensions (no startups) give NaN
        data = _REDUCE[metric.reduce](data)
        dims = dims[1:]
        if metric.across:
            if not data.size:  # e.g. no startups: a sum of nothing is 0, a mean or extreme undefined
                return 0.0 if metric.across == "sum" else float("nan")
            return float(_ACROSS[metric.across](data))
    # Align the remaining dimensions on the sweep's labels.
    out = np.full(tuple(len(labels[d]) for d in dims), np.nan)
    if not dims:
        return float(data)
    src = [[run_file.labels(d).index(x) if x in run_file.labels(d) else -1 for x in labels[d]] for d in dims]
    for dst_index in np.ndindex(out.shape):
        src_index = tuple(src[a][k] for a, k in enumerate(dst_index))
        if min(src_index) >= 0:
            out[dst_index] = data[src_index]
    return out


def _describe(metric, ds_attrs):
    units = metric.units or text_of(ds_attrs.get("units", "1"))
    is_sum = summed(ds_attrs)
    if metric.reduce == "sum" and not metric.units and not is_sum:
        # A sum over months of a per-month rate (files written before cell_methods gave flows as
        # 'CUR/month'); a flow summed over each output period (docs/output.md) keeps its units.
        for per_month in ("/month", " month-1", "month-1"):
            if units.endswith(per_month):
                units = units[: -len(per_month)] or "1"
                break
    if metric.long_name:
        return units, metric.long_name
    what = text_of(ds_attrs.get("long_name", metric.variable))
    window = f" over the last {metric.over} months" if metric.over else ""
    whole = " over the sessions" if metric.game else " over the run"
    how = {"last": "value in the last session" if metric.game else "final value",
           "mean": f"mean{window or whole}", "max": f"maximum{window or whole}",
           "min": f"minimum{window or whole}", "sum": f"total{window or whole}"}[metric.reduce]
    sel = "".join(f", {d} {l}" for d, l in metric.select.items())
    across = f", {metric.across} across {', '.join(metric.variable_dims()[1:])}" if metric.across else ""
    return units, f"{how} of {metric.variable} ({what}){sel}{across}"


def _string_var(f, name, dims, values, **attrs):
    var = f.create_variable(name, dims, dtype=h5py.string_dtype(), data=np.array(values, dtype=object))
    for k, v in attrs.items():
        var.attrs[k] = v
    return var


def _column(values):
    """(numpy array, is_numeric) of one design column."""
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if numeric:
        if all(isinstance(v, int) for v in values) and all(abs(v) < 2**63 for v in values):
            return np.array(values, dtype=np.int64), True
        return np.array(values, dtype=float), True
    return None, False


def collect(directory, output=None):
    """Write DIR/sweep.h5 from the manifest, status files and run outputs. Returns a summary dict."""
    manifest = runner.load_manifest(directory)
    if manifest is None:
        raise CollectError(f"{directory} is not a sweep directory (no readable manifest.json)")
    output = output or os.path.join(directory, "sweep.h5")
    runs = manifest["runs"]
    n = len(runs)
    metrics = [Metric.from_json(m) for m in manifest["metrics"]]
    statuses = [runner.read_status(directory, i) for i in range(n)]
    state = [s["status"] if s else runner.PENDING for s in statuses]
    ok = [i for i in range(n) if state[i] == runner.OK and os.path.isfile(runner.output_path(directory, i))]
    for i in range(n):
        if state[i] == runner.OK and i not in set(ok):
            state[i] = "missing"

    # Labels of the output's dimensions: from a finished run, else the resolved scenario's ids.
    label_dims = GAME_LABEL_DIMS if manifest.get("base_schema") == sweepfile.GAME_SCHEMA else LABEL_DIMS
    labels = {d: list(manifest.get("labels", {}).get(d, [])) for d in label_dims}
    attrs = {m.name: {} for m in metrics}
    problems = {}
    if ok:
        first = _RunFile(runner.output_path(directory, ok[0]))
        try:
            for d in label_dims:
                if d in first.f:
                    labels[d] = first.labels(d)
            for m in metrics:
                if m.variable in first.f:
                    attrs[m.name] = dict(first.f[m.variable].attrs)
        finally:
            first.close()
    values = {m.name: np.full((n, *[len(labels[d]) for d in m.dims()]), np.nan) for m in metrics}
    for i in ok:
        rf = _RunFile(runner.output_path(directory, i))
        try:
            for m in metrics:
                try:
                    values[m.name][i] = metric_value(rf, m, labels)
                except (KeyError, ValueError, IndexError) as error:
                    problems.setdefault(m.name, (i, str(error)))
        finally:
            rf.close()

    design = manifest["design"]
    params = manifest["parameters"]
    points = manifest["points"]
    with runner.replacing(output) as tmp:
        with h5netcdf.File(tmp, "w") as f:
            f.attrs["Conventions"] = "CF-1.8"
            f.attrs["title"] = f"cloudmarket sweep '{manifest.get('name')}'"
            f.attrs["schema"] = OUTPUT_SCHEMA
            f.attrs["sweep_yaml"] = manifest.get("sweep_yaml", "")
            f.attrs["base"] = manifest["base"]
            if manifest.get("base_schema"):  # a game (tools/plot_game.py --sweep reads it)
                f.attrs["base_schema"] = manifest["base_schema"]
            f.attrs["design"] = design["type"]
            for key, value in design.items():
                if key != "type":
                    f.attrs[f"design_{key}"] = value
            f.attrs["seed"] = np.int64(manifest["seed"])
            f.attrs["seeds"] = manifest.get("seeds", "independent")
            f.attrs["replications"] = np.int64(manifest["replications"])
            f.attrs["parameters"] = " ".join(p["path"] for p in params)
            f.attrs["metrics"] = " ".join(m.name for m in metrics)
            f.attrs["fixed_set"] = " ".join(f"{p}={v}" for p, v in manifest.get("set", []))
            used_dims = sorted({d for m in metrics for d in m.dims()})
            f.dimensions = {"run": n, **{d: len(labels[d]) for d in used_dims}}
            for d in used_dims:
                _string_var(f, d, (d,), labels[d], long_name=f"{d} id")
            var = f.create_variable("run", ("run",), dtype="i8", data=np.arange(n, dtype=np.int64))
            var.attrs["long_name"] = "run index (runs/<run>.h5)"
            for name, key, long_name in (("point", "point", "design point"),
                                         ("replication", "replication", "replication of the design point"),
                                         ("seed", "seed", "seed of the run (cloudmarket run --seed)")):
                var = f.create_variable(name, ("run",), dtype="i8",
                                        data=np.array([r[key] for r in runs], dtype=np.int64))
                var.attrs["units"] = "1"
                var.attrs["long_name"] = long_name
            for j, p in enumerate(params):
                column = [points[r["point"]]["values"][j] for r in runs]
                array, numeric = _column(column)
                if numeric:
                    var = f.create_variable(p["path"], ("run",), dtype=array.dtype, data=array)
                else:
                    var = _string_var(f, p["path"], ("run",), [points[r["point"]]["text"][j] for r in runs])
                var.attrs["units"] = p.get("units", "1")
                var.attrs["long_name"] = p.get("long_name") or f"scenario value {p['path']}"
                var.attrs["parameter_path"] = p["path"]
                for key in ("min", "max", "distribution"):
                    if key in p:
                        var.attrs[key] = p[key]
            _string_var(f, "status", ("run",), state, long_name="how the run ended: ok, failed, timeout, "
                        "pending (not run yet) or missing (ok but its output is gone)")
            var = f.create_variable("exit_code", ("run",), dtype="i4", data=np.array(
                [s["exit_code"] if s and s.get("exit_code") is not None else -1000 for s in statuses], dtype=np.int32))
            var.attrs["long_name"] = "exit code of the simulator (negative: killed by that signal; -1000: not run)"
            var.attrs["units"] = "1"
            var = f.create_variable("wall_seconds", ("run",), dtype="f8", data=np.array(
                [s["wall_seconds"] if s else np.nan for s in statuses], dtype=float))
            var.attrs["long_name"] = "wall-clock time of the run"
            var.attrs["units"] = "s"
            for m in metrics:
                units, long_name = _describe(m, attrs[m.name])
                var = f.create_variable(m.name, ("run", *m.dims()), dtype="f8", data=values[m.name])
                var.attrs["units"] = units
                var.attrs["long_name"] = long_name
                if "product_unit" in attrs[m.name]:
                    var.attrs["product_unit"] = text_of(attrs[m.name]["product_unit"])
                var.attrs["variable"] = m.variable
                var.attrs["reduce"] = m.reduce
                if m.over:
                    var.attrs["over_months"] = np.int64(m.over)
                if m.across:
                    var.attrs["across"] = m.across
                for d, label in m.select.items():
                    var.attrs[f"select_{d}"] = label
        if manifest.get("series"):
            from . import series
            series.write(directory, tmp, manifest)
    counts = {s: state.count(s) for s in sorted(set(state))}
    return {"path": output, "runs": n, "counts": counts, "problems": problems}


# ------------------------------------------------------------------------------------------------
# Sensitivity
# ------------------------------------------------------------------------------------------------

def _outputs(metrics, f):
    """(label, per-run vector) for every element of every metric, e.g. market_share_final[aws]."""
    out = []
    for m in metrics:
        data = np.asarray(f.variables[m.name][...], dtype=float)
        dims = f.variables[m.name].dimensions[1:]
        if not dims:
            out.append((m.name, data, m.name))
            continue
        labels = [[text_of(x) for x in f.variables[d][...]] for d in dims]
        for index in np.ndindex(data.shape[1:]):
            tag = ",".join(labels[a][k] for a, k in enumerate(index))
            out.append((f"{m.name}[{tag}]", data[(slice(None), *index)], m.name))
    return out


def analyze(directory, conf_level=0.95):
    """Sobol (saltelli) or Morris (morris) indices of every metric; replications are averaged per
    design point first. Adds the group `sensitivity` to DIR/sweep.h5 (collecting first if needed)
    and returns (method, rows, notes) for printing."""
    from . import analysis  # scipy: imported only when needed
    manifest = runner.load_manifest(directory)
    if manifest is None:
        raise CollectError(f"{directory} is not a sweep directory (no readable manifest.json)")
    design = manifest["design"]
    kind = design["type"]
    if kind not in ("saltelli", "morris"):
        raise CollectError(f"sensitivity indices need a saltelli or morris design; this sweep's design is {kind}"
                           " (tools/plot_sweep.py shows its metrics against its parameters)")
    path = os.path.join(directory, "sweep.h5")
    if not os.path.isfile(path):
        collect(directory)
    params = [p["path"] for p in manifest["parameters"]]
    d = len(params)
    metrics = [Metric.from_json(m) for m in manifest["metrics"]]
    runs = manifest["runs"]
    n_points = len(manifest["points"])
    point = np.array([r["point"] for r in runs])
    with h5netcdf.File(path, "r") as f:
        outputs = _outputs(metrics, f)
        metric_units = {m.name: text_of(f.variables[m.name].attrs.get("units", "1")) for m in metrics}
    names, rows, notes = [], [], []
    fields = ("S1", "S1_conf", "ST", "ST_conf") if kind == "saltelli" else ("mu", "mu_star", "sigma")
    results = {k: [] for k in fields}
    for label, y_runs, metric in outputs:
        y = np.full(n_points, np.nan)
        sums = np.bincount(point, weights=np.nan_to_num(y_runs), minlength=n_points)
        counts = np.bincount(point, weights=np.isfinite(y_runs).astype(float), minlength=n_points)
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        missing = int(np.sum(~np.isfinite(y)))
        if missing:
            notes.append(f"{label}: skipped, {missing} of {n_points} design points have no finished run")
            continue
        if kind == "saltelli":
            if np.var(y) == 0:
                notes.append(f"{label}: skipped, the metric does not vary")
                continue
            # Indices do not change when a constant is added to the output; centring it keeps
            # the uncentred products of the estimators from swamping them with noise.
            res = analysis.sobol_indices(y - np.mean(y), design["samples"], d, conf_level=conf_level)
        else:
            unit = np.array([p["unit"] for p in manifest["points"]], dtype=float)
            res = analysis.morris_indices(unit, y, design["trajectories"], d)
        names.append((label, metric))
        for k in fields:
            results[k].append(np.asarray(res[k], dtype=float))
        for j, p in enumerate(params):
            rows.append((label, p, *[float(res[k][j]) for k in fields]))

    with runner.replacing(path) as tmp:
        with open(path, "rb") as src, open(tmp, "wb") as dst:
            dst.write(src.read())
        with h5py.File(tmp, "a") as h:
            if "sensitivity" in h:  # from an earlier analyze
                del h["sensitivity"]
        with h5netcdf.File(tmp, "a") as f:
            g = f.create_group("sensitivity")
            g.attrs["method"] = "sobol" if kind == "saltelli" else "morris"
            g.attrs["design"] = kind
            g.attrs["replications_averaged"] = np.int64(manifest["replications"])
            if kind == "saltelli":
                g.attrs["conf_level"] = conf_level
                g.attrs["estimators"] = "S1: Saltelli (2010); ST: Jansen (1999); conf: bootstrap half-width"
            else:
                g.attrs["note"] = "elementary effects in units of the metric per unit of the parameter's range"
            g.dimensions = {"parameter": d, "output": len(names)}
            _string_var(g, "parameter", ("parameter",), params, long_name="swept scenario value")
            _string_var(g, "output", ("output",), [n for n, _ in names], long_name="metric[labels]")
            _string_var(g, "output_units", ("output",), [metric_units[m] for _, m in names],
                        long_name="units of the metric")
            long_names = {"S1": "first-order Sobol index", "S1_conf": "half-width of the S1 confidence interval",
                          "ST": "total Sobol index", "ST_conf": "half-width of the ST confidence interval",
                          "mu": "mean elementary effect", "mu_star": "mean absolute elementary effect",
                          "sigma": "standard deviation of the elementary effects"}
            for k in fields:
                data = np.array(results[k], dtype=float).reshape(len(names), d)
                var = g.create_variable(k, ("output", "parameter"), dtype="f8", data=data)
                var.attrs["long_name"] = long_names[k]
                var.attrs["units"] = "1" if kind == "saltelli" else "see output_units"
    return ("sobol" if kind == "saltelli" else "morris"), fields, rows, notes


def format_table(method, fields, rows):
    if not rows:
        return "(no metric could be analysed)"
    head = ("metric", "parameter", *fields)
    body = [(r[0], r[1], *[f"{x:.4g}" for x in r[2:]]) for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body)]
    lines = ["  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
