#!/usr/bin/python3
"""Plot a cloudmarket sweep: sensitivity indices, or each metric against each parameter.

usage: tools/plot_sweep.py DIR -o OUT.png [--max-outputs N]

DIR is a sweep directory (or its sweep.h5). Saltelli sweeps: first-order and total Sobol indices
per metric, as bars with their confidence half-widths. Morris sweeps: mu* and sigma per metric, as
bars. Other designs (grid, lhs, csv): a scatter of every metric against every parameter, coloured
by replication. Runs on Debian's /usr/bin/python3 (python3-xarray, python3-h5netcdf,
python3-matplotlib).
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweeplib import deps  # noqa: E402

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402
    import numpy as np  # noqa: E402
    import xarray as xr  # noqa: E402
except ImportError as _error:
    print(f"plot_sweep.py: error: {deps.missing_message(_error)}", file=sys.stderr)
    sys.exit(1)


def _short(text, n=28):
    text = str(text)
    return text if len(text) <= n else "..." + text[-(n - 3):]


def _elements(ds, metrics):
    """(label, per-run values, units) of every element of every metric."""
    out = []
    for name in metrics:
        var = ds[name]
        units = var.attrs.get("units", "")
        if var.ndim == 1:
            out.append((name, var.values, units))
            continue
        others = [d for d in var.dims if d != "run"]
        stacked = var.stack(element=others) if len(others) > 1 else var.rename({others[0]: "element"})
        for k in range(stacked.sizes["element"]):
            key = stacked["element"].values[k]
            tag = ",".join(map(str, key)) if isinstance(key, tuple) else str(key)
            out.append((f"{name}[{tag}]", stacked.isel(element=k).values, units))
    return out


def _layout(fig):
    """tight_layout that leaves room for the suptitle."""
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))


def plot_sensitivity(sens, path, title, max_outputs):
    method = sens.attrs.get("method", "sobol")
    outputs = [str(o) for o in sens["output"].values][:max_outputs]
    params = [str(p) for p in sens["parameter"].values]
    if not outputs:
        raise ValueError("the sensitivity group holds no analysed metric")
    cols = min(3, len(outputs))
    rows = math.ceil(len(outputs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows + 0.8), squeeze=False)
    x = np.arange(len(params))
    width = 0.38
    for k, name in enumerate(outputs):
        ax = axes[k // cols][k % cols]
        if method == "sobol":
            ax.bar(x - width / 2, sens["S1"].values[k], width, yerr=sens["S1_conf"].values[k], capsize=3,
                   label="first order S1")
            ax.bar(x + width / 2, sens["ST"].values[k], width, yerr=sens["ST_conf"].values[k], capsize=3,
                   label="total ST")
            ax.axhline(0, color="black", linewidth=0.6)
            # Indices live in [0, 1]; with few samples the estimates and their intervals can run
            # far outside it, so frame the estimates and let wide intervals leave the frame.
            est = np.concatenate([sens["S1"].values[k], sens["ST"].values[k]])
            est = est[np.isfinite(est)]
            ax.set_ylim(min(-0.05, est.min() - 0.1 if est.size else 0), max(1.05, est.max() + 0.1 if est.size else 1))
            ax.set_ylabel("Sobol index")
        else:
            ax.bar(x - width / 2, sens["mu_star"].values[k], width, label="mu* (mean |effect|)")
            ax.bar(x + width / 2, sens["sigma"].values[k], width, label="sigma (spread)")
            units = str(sens["output_units"].values[k]) if "output_units" in sens else ""
            ax.set_ylabel(f"elementary effect [{units}]" if units and units != "1" else "elementary effect")
        ax.set_title(name, fontsize=10)
        ax.set_xticks(x)
        ax.set_xticklabels([_short(p) for p in params], rotation=30, ha="right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        if k == 0:
            ax.legend(fontsize=8)
    for k in range(len(outputs), rows * cols):
        axes[k // cols][k % cols].axis("off")
    label = "Sobol indices" if method == "sobol" else "Morris elementary effects"
    fig.suptitle(f"{title}: {label}")
    _layout(fig)
    fig.savefig(path, dpi=110)


def plot_scatter(ds, path, title, max_outputs):
    params = [p for p in str(ds.attrs.get("parameters", "")).split() if p in ds]
    metrics = [m for m in str(ds.attrs.get("metrics", "")).split() if m in ds]
    elements = _elements(ds, metrics)[:max_outputs]
    if not params or not elements:
        raise ValueError("the sweep has no parameter or no metric to plot")
    ok = ds["status"].values == "ok"
    replication = ds["replication"].values
    fig, axes = plt.subplots(len(elements), len(params), figsize=(3.6 * len(params) + 0.6, 2.8 * len(elements) + 0.8),
                             squeeze=False)
    for i, (name, y, units) in enumerate(elements):
        for j, p in enumerate(params):
            ax = axes[i][j]
            x = ds[p].values
            if x.dtype.kind in "OSU":  # a parameter of words: one position per value
                levels = list(dict.fromkeys(str(v) for v in x))
                ax.set_xticks(range(len(levels)))
                ax.set_xticklabels([_short(v, 14) for v in levels], fontsize=7)
                x = np.array([levels.index(str(v)) for v in x], dtype=float)
            ax.scatter(x[ok], y[ok], c=replication[ok], cmap="viridis", s=14, alpha=0.8)
            if i == len(elements) - 1:
                ax.set_xlabel(_short(p, 40), fontsize=8)
            if j == 0:
                ax.set_ylabel(f"{_short(name, 30)}" + (f"\n[{units}]" if units and units != "1" else ""), fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
    failed = int((~ok).sum())
    note = f" ({failed} runs not ok, not shown)" if failed else ""
    fig.suptitle(f"{title}: metrics against parameters{note}")
    _layout(fig)
    fig.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="sweep directory or its sweep.h5")
    parser.add_argument("-o", "--output", required=True, help="image to write (.png, .pdf, .svg)")
    parser.add_argument("--max-outputs", type=int, default=12, help="at most this many metric elements (default 12)")
    args = parser.parse_args(argv)
    path = os.path.join(args.input, "sweep.h5") if os.path.isdir(args.input) else args.input
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as error:
        print(f"plot_sweep.py: error: cannot open {path}: {error} (run `cloudmarket sweep collect DIR`)",
              file=sys.stderr)
        return 2
    title = str(ds.attrs.get("title", "cloudmarket sweep"))
    try:
        sens = None
        if ds.attrs.get("design") in ("saltelli", "morris"):
            try:
                sens = xr.open_dataset(path, engine="h5netcdf", group="sensitivity")
            except (OSError, ValueError, KeyError):
                print("plot_sweep.py: no sensitivity group (run `cloudmarket sweep analyze DIR`); "
                      "plotting metrics against parameters", file=sys.stderr)
        if sens is not None and sens.sizes.get("output", 0):
            plot_sensitivity(sens, args.output, title, args.max_outputs)
        else:
            plot_scatter(ds, args.output, title, args.max_outputs)
    except ValueError as error:
        print(f"plot_sweep.py: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except ImportError as error:  # e.g. h5netcdf, which xarray loads only when it opens the file
        print(f"plot_sweep.py: error: {deps.missing_message(error)}", file=sys.stderr)
        sys.exit(1)
    except OSError as error:
        print(f"plot_sweep.py: error: {error}", file=sys.stderr)
        sys.exit(1)
