#!/usr/bin/python3
"""Plot a cloudmarket sweep: each metric against the swept parameters, or its sensitivity indices.

usage: tools/plot_sweep.py DIR -o OUT.png [--metrics NAME,...] [--x PATH]

DIR is a sweep directory (or its sweep.h5). Every metric asked for (all, or those of --metrics) is
drawn, every element of it (one line per vendor, segment, ...), and what is left out is printed
with the reason: runs that did not finish ok, and elements with no finished run.

Grid, lhs and csv designs: each design point's mean across its replications, with the Student-t
95 % interval of that mean as error bars (tools/plotting.py, mean_interval). When the design
points lie on a grid of at most eight combinations of the other parameters, one panel per metric
shows it against one parameter (--x PATH; default: the first numeric one), the other parameters'
values as line styles. Otherwise (lhs, many combinations) every metric is shown against every
parameter, one panel each. Saltelli and Morris sweeps with a `sensitivity` group (`cloudmarket
sweep analyze DIR`): first-order and total Sobol indices with their confidence half-widths, or
Morris mu* and sigma, one panel per metric element.

Vendors have the colours of tools/plot.py (Okabe-Ito, in the order of the sweep's vendors);
money is in readable units ("bn USD"); shares in percent. The points of one x value are spread a
little apart (within a third of the step between values) so that their error bars do not overlap.

Exit codes: 0 written, 2 invalid input (not a sweep, an unknown metric or parameter), 1 failure (the
image cannot be written, a Python package missing). Runs on Debian's /usr/bin/python3
(python3-xarray, python3-h5netcdf, python3-matplotlib, python3-scipy).
"""
import argparse
import itertools
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweeplib import deps  # noqa: E402
from sweeplib.runner import index_ranges  # noqa: E402

try:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np  # noqa: E402
    import xarray as xr  # noqa: E402

    import plotting  # noqa: E402
except ImportError as _error:
    print(f"plot_sweep.py: error: {deps.missing_message(_error)}", file=sys.stderr)
    sys.exit(1)

PROG = "plot_sweep.py"
MAX_COMBINATIONS = 8  # line styles one panel can tell apart
COMBO_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
PERCENT_VARIABLES = ("market_share", "cloud_adoption", "ai_adoption", "vendor_gross_margin", "utilization")
CURRENCY = re.compile(r"^[A-Z]{3}(/\w+)?$")  # an ISO 4217 code, per period or not


class InputError(Exception):
    """Invalid input: exit 2 with this message."""


class Element:
    """One drawn result: a metric, or one label of a metric with dimensions (market_share[aws])."""

    def __init__(self, name, label, values, style):
        self.name = name      # as `cloudmarket sweep analyze` names it
        self.label = label    # legend label (None: the metric itself)
        self.values = values  # one value per run
        self.style = style


class Panel:
    """One metric (or one label of its panel dimensions) and its elements."""

    def __init__(self, metric, title, attrs, elements, legend_heading):
        self.metric = metric
        self.title = title
        self.attrs = attrs
        self.elements = elements
        self.legend_heading = legend_heading


def wrap_path(path, width=38):
    """A dotted parameter path broken at its dots to fit `width` (never cut)."""
    lines, line = [], ""
    for part in str(path).split("."):
        piece = part if not line else "." + part
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line += piece
    return "\n".join(lines + [line])


def short_description(attrs):
    """The metric's long_name without the variable's own description in parentheses."""
    text = str(attrs.get("long_name", ""))
    return re.sub(r"\s*\([^()]*(\([^()]*\)[^()]*)*\)", "", text).strip()


def value_axis(attrs, values):
    """(factor, label) of a metric's axis: percent for shares, readable money units, else its units."""
    units = str(attrs.get("units", "1"))
    if str(attrs.get("variable", "")) in PERCENT_VARIABLES and units == "1":
        return 0.01, "%"
    if CURRENCY.match(units):
        return plotting.money_label(units, units.partition("/")[0], values)
    return 1.0, str(attrs.get("variable", "")) if units == "1" else units


def build_panels(ds, metrics):
    """Panels of every element of every metric; a metric's vendor (else last) dimension gives its
    lines, any other dimension one panel per label."""
    vendors = [str(v) for v in ds["vendor"].values] if "vendor" in ds.coords else []
    palette = plotting.VendorPalette(vendors)
    panels = []
    for name in metrics:
        var = ds[name]
        extra = [d for d in var.dims if d != "run"]
        line_dim = "vendor" if "vendor" in extra else (extra[-1] if extra else None)
        panel_dims = [d for d in extra if d != line_dim]
        labels = {d: [str(x) for x in var[d].values] for d in extra}
        for combo in itertools.product(*[labels[d] for d in panel_dims]):
            chosen = dict(zip(panel_dims, combo))
            sub = var.sel(chosen) if chosen else var
            title = name + (f" [{', '.join(combo)}]" if combo else "")
            elements = []
            if line_dim is None:
                elements.append(Element(name, None, sub.values.astype(float), {"color": "black"}))
            else:
                keys = labels[line_dim]
                colours = plotting.segment_colours(len(keys))
                for k, key in enumerate(keys):
                    where = dict(chosen, **{line_dim: key})
                    tag = ",".join(where[d] for d in extra)
                    style = palette.style(key) if line_dim == "vendor" else {"color": colours[k]}
                    style.pop("markevery", None)
                    style.pop("marker", None)
                    elements.append(Element(f"{name}[{tag}]", key, sub.sel({line_dim: key}).values.astype(float),
                                            style))
            panels.append(Panel(name, title, var.attrs, elements, line_dim))
    return panels


def per_point(values, point, n_points):
    """(mean, lower, upper, n) of each design point across its replications."""
    reps = np.bincount(point, minlength=n_points).max() if point.size else 0
    table = np.full((n_points, max(reps, 1)), np.nan)
    seen = np.zeros(n_points, dtype=int)
    for v, p in zip(values, point):
        table[p, seen[p]] = v
        seen[p] += 1
    return plotting.mean_interval(table, axis=1)


def point_values(ds, params, point, n_points):
    """Each parameter's value at each design point (from the point's first run)."""
    first = np.full(n_points, -1)
    for run in range(point.size - 1, -1, -1):
        first[point[run]] = run
    return {p: ds[p].values[first] for p in params}


def is_numeric(values):
    return np.asarray(values).dtype.kind in "iuf"


def positions(values):
    """x positions of a parameter's values: the numbers, or 0, 1, ... for words (with tick labels)."""
    if is_numeric(values):
        return np.asarray(values, dtype=float), None
    levels = list(dict.fromkeys(str(v) for v in values))
    return np.array([levels.index(str(v)) for v in values], dtype=float), levels


def draw_lines(panels, stats_of, ds, at, x_param, combos, intervals):
    """One panel per metric against x_param, a line style per combination of the other parameters
    (`combos`, the other parameters' values at each point: `at`)."""
    others = [p for p in at if p != x_param]
    n_points = len(at[x_param])
    x_all, levels = positions(at[x_param])
    xs = np.unique(x_all)
    spacing = float(np.min(np.diff(xs))) if xs.size > 1 else 1.0
    fig, axes = plotting.figure(len(panels), cols=min(3, len(panels)), panel_size=(3.6, 2.7), extra_height=0.9)
    for ax, panel, stats in zip(axes, panels, stats_of):
        everything = np.concatenate([s[0] for _, s in stats]) if stats else np.array([])
        scale, unit = value_axis(panel.attrs, everything)
        n_series = len(stats) * len(combos)
        dodge = 0.3 * spacing / max(n_series, 1)  # spread error bars of one x apart, within a third of a step
        k = 0
        for c, combo in enumerate(combos):
            mask = np.array([tuple(str(at[p][j]) for p in others) == combo for j in range(n_points)])
            order = np.argsort(x_all[mask], kind="stable")
            for element, (mean, lower, upper, _) in stats:
                offset = (k - (n_series - 1) / 2) * dodge
                k += 1
                x = x_all[mask][order] + offset
                y = mean[mask][order] / scale
                style = dict(element.style, linestyle=plotting.RUN_LINESTYLES[c % len(plotting.RUN_LINESTYLES)],
                             marker=COMBO_MARKERS[c % len(COMBO_MARKERS)], markersize=4)
                ax.plot(x, y, gid=f"result:{element.name}", **style)
                if intervals:
                    lo, hi = lower[mask][order] / scale, upper[mask][order] / scale
                    ax.errorbar(x, y, yerr=[y - lo, hi - y], fmt="none", ecolor=style["color"], elinewidth=0.9,
                                capsize=2, alpha=0.8)
        finish_value_panel(ax, panel, unit)
        ax.set_xlabel(wrap_path(x_param) + unit_suffix(ds[x_param].attrs))
        if levels:
            ax.set_xticks(range(len(levels)))
            ax.set_xticklabels(levels)
        elif xs.size <= 8:
            ax.set_xticks(xs)
    combo_handles = [plotting.line_handle(", ".join(combo) if combo else "all points", color="black",
                                          linestyle=plotting.RUN_LINESTYLES[c % len(plotting.RUN_LINESTYLES)],
                                          marker=COMBO_MARKERS[c % len(COMBO_MARKERS)], markersize=4)
                     for c, combo in enumerate(combos)]
    heading = ", ".join(others) if others else None
    return fig, ([(plotting.wrap(heading, 40), combo_handles)] if others else []), len(panels)


def draw_scatter(panels, stats_of, ds, at, intervals):
    """Every metric against every parameter: each design point's mean (and interval)."""
    params = list(at)
    cells = [(panel, stats, p) for panel, stats in zip(panels, stats_of) for p in params]
    fig, axes = plotting.figure(len(cells), cols=min(len(params), 4), panel_size=(3.2, 2.5), extra_height=0.9)
    for ax, (panel, stats, p) in zip(axes, cells):
        x, levels = positions(at[p])
        everything = np.concatenate([s[0] for _, s in stats]) if stats else np.array([])
        scale, unit = value_axis(panel.attrs, everything)
        for element, (mean, lower, upper, _) in stats:
            y = mean / scale
            ax.plot(x, y, linestyle="none", marker="o", markersize=3, alpha=0.8, color=element.style["color"],
                    gid=f"result:{element.name}")
            if intervals:
                ax.errorbar(x, y, yerr=[y - lower / scale, upper / scale - y], fmt="none",
                            ecolor=element.style["color"], elinewidth=0.7, alpha=0.5)
        finish_value_panel(ax, panel, unit)
        ax.set_xlabel(wrap_path(p) + unit_suffix(ds[p].attrs))
        if levels:
            ax.set_xticks(range(len(levels)))
            ax.set_xticklabels(levels)
    return fig, [], len(cells)


def unit_suffix(attrs):
    units = str(attrs.get("units", "1"))
    return "" if units in ("", "1") else f" [{units}]"


def finish_value_panel(ax, panel, unit):
    description = short_description(panel.attrs)
    ax.set_title(panel.title + ("\n" + plotting.wrap(description, 50) if description else ""), fontsize=9)
    ax.set_ylabel(unit)
    if not panel.elements:
        ax.text(0.5, 0.5, "no finished run", ha="center", va="center", transform=ax.transAxes, color="0.35")


def plot_values(ds, metrics, args, report):
    params = [p for p in str(ds.attrs.get("parameters", "")).split() if p in ds]
    if not params:
        raise InputError("the sweep has no parameter to plot against")
    status = np.asarray([str(s) for s in ds["status"].values])
    point = np.asarray(ds["point"].values, dtype=int)
    n_points = int(point.max()) + 1 if point.size else 0
    ok = status == "ok"
    for s in dict.fromkeys(status[~ok]):
        runs = np.flatnonzero(status == s)
        report.append(f"left out {runs.size} run{'s' if runs.size != 1 else ''} with status '{s}' "
                      f"(no metrics): {index_ranges(runs)}")
    panels = build_panels(ds, metrics)
    for panel in panels:
        for e in panel.elements:
            e.values = np.where(ok, e.values, np.nan)
        kept = [e for e in panel.elements if np.isfinite(e.values).any()]
        for e in panel.elements:
            if e not in kept:
                report.append(f"left out {e.name}: no finished run has a value")
        panel.elements = kept
    reps = np.bincount(point[ok], minlength=n_points) if ok.any() else np.zeros(n_points, dtype=int)
    intervals = bool(reps.max(initial=0) >= 2)
    if not intervals:
        report.append("no intervals: no design point has two finished replications")
    elif reps.min() < 2:
        report.append(f"no interval at {int(np.sum(reps < 2))} design point(s) with fewer than two finished runs")

    x_param = args.x or next((p for p in params if is_numeric(ds[p].values)), params[0])
    if x_param not in params:
        raise InputError(f"--x {x_param}: not a parameter of the sweep (parameters: {', '.join(params)})")
    at = point_values(ds, params, point, n_points)
    combos = list(dict.fromkeys(tuple(str(at[p][k]) for p in params if p != x_param) for k in range(n_points)))
    gridded = len(combos) <= MAX_COMBINATIONS and len(np.unique(at[x_param])) * len(combos) == n_points
    stats_of = [[(e, per_point(e.values, point, n_points)) for e in panel.elements] for panel in panels]
    if gridded:
        fig, sections, n_axes = draw_lines(panels, stats_of, ds, at, x_param, combos, intervals)
        how = f"against {x_param}"
    else:
        fig, sections, n_axes = draw_scatter(panels, stats_of, ds, at, intervals)
        how = "against each parameter"
    drawn = sum(len(p.elements) for p in panels)
    legend = []
    for heading in dict.fromkeys(p.legend_heading for p in panels if p.legend_heading is not None):
        handles = {e.label: plotting.line_handle(e.label, **e.style) for p in panels
                   if p.legend_heading == heading for e in p.elements}
        legend.append((heading.capitalize(), list(handles.values())))
    legend += sections
    if intervals:
        legend.append(("Error bars", [plotting.line_handle(
            plotting.wrap(f"95% interval of the mean over replications (Student t, {int(reps.max())} per point)", 34),
            color="black", marker="|", linestyle="none", markersize=8)]))
    if legend:
        plotting.figure_legend(fig, legend)
    reps_text = f"mean of {int(ds.attrs.get('replications', 1))} replications per point"
    title = f"{ds.attrs.get('title', 'cloudmarket sweep')}: metrics {how} ({ds.attrs.get('design')} design, " \
            f"{n_points} points, {reps_text})"
    fixed = str(ds.attrs.get("fixed_set", "")).strip()
    if fixed:
        title += f"; fixed: {fixed}"
    return fig, title, n_axes, drawn


def plot_sensitivity(ds, sens, metrics, report):
    method = sens.attrs.get("method", "sobol")
    outputs = [str(o) for o in sens["output"].values]
    chosen = [k for k, o in enumerate(outputs) if o.split("[")[0] in metrics]
    analysed = {outputs[k] for k in chosen}
    for name in metrics:  # what analyze skipped (a design point without a finished run)
        var = ds[name]
        extra = [d for d in var.dims if d != "run"]
        for combo in itertools.product(*[[str(x) for x in var[d].values] for d in extra]):
            label = f"{name}[{','.join(combo)}]" if combo else name
            if label not in analysed:
                report.append(f"left out {label}: no sensitivity index (`cloudmarket sweep analyze` skipped it)")
    if not chosen:
        raise InputError("the sensitivity group holds no index of the metrics asked for")
    params = [str(p) for p in sens["parameter"].values]
    n = len(chosen)
    height = 0.35 * len(params) + 1.1
    fig, axes = plotting.figure(n, cols=3, panel_size=(3.3, height), extra_height=0.6, sharey=True)
    y = np.arange(len(params))
    width = 0.38
    first, second = plotting.OKABE_ITO[0], plotting.OKABE_ITO[1]
    for ax, k in zip(axes, chosen):
        if method == "sobol":
            a, b = sens["S1"].values[k], sens["ST"].values[k]
            ax.barh(y - width / 2, a, width, xerr=sens["S1_conf"].values[k], capsize=2, color=first)
            ax.barh(y + width / 2, b, width, xerr=sens["ST_conf"].values[k], capsize=2, color=second)
            est = np.concatenate([a, b])
            est = est[np.isfinite(est)]
            # Indices live in [0, 1]; with few samples estimates and intervals run outside it: frame
            # the estimates and let wide intervals leave the frame.
            ax.set_xlim(min(-0.05, est.min() - 0.1 if est.size else 0), max(1.05, est.max() + 0.1 if est.size else 1))
            ax.set_xlabel("Sobol index")
        else:
            ax.barh(y - width / 2, sens["mu_star"].values[k], width, color=first)
            ax.barh(y + width / 2, sens["sigma"].values[k], width, color=second)
            units = str(sens["output_units"].values[k]) if "output_units" in sens else ""
            ax.set_xlabel(f"elementary effect [{units}]" if units and units != "1" else "elementary effect")
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_title(outputs[k], fontsize=9)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([wrap_path(p, 30) for p in params])
    axes[0].invert_yaxis()
    if method == "sobol":
        level = sens.attrs.get("conf_level", 0.95)
        names = ("first order S1", "total ST")
        heading = f"Sobol index\n(bars: {float(level):.0%} bootstrap interval)"
    else:
        names = ("mu* (mean |effect|)", "sigma (spread)")
        heading = "Morris elementary effects"
    plotting.figure_legend(fig, [(heading, [plotting.patch_handle(names[0], first, 1.0),
                                            plotting.patch_handle(names[1], second, 1.0)])])
    label = "Sobol indices" if method == "sobol" else "Morris elementary effects"
    title = f"{ds.attrs.get('title', 'cloudmarket sweep')}: {label} ({ds.attrs.get('design')} design, " \
            f"{ds.sizes.get('run', 0)} runs)"
    return fig, title, n, n


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="sweep directory or its sweep.h5")
    parser.add_argument("-o", "--output", required=True, help="image to write (.png, .pdf, .svg)")
    parser.add_argument("--metrics", help="comma-separated metrics to draw (default: all of the sweep's)")
    parser.add_argument("--x", help="the parameter on the x axis (default: the first numeric one)")
    args = parser.parse_args(argv)
    path = os.path.join(args.input, "sweep.h5") if os.path.isdir(args.input) else args.input
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as error:
        print(f"{PROG}: error: cannot open {path}: {error} (run `cloudmarket sweep collect DIR`)", file=sys.stderr)
        return 2
    report = []
    try:
        if "status" not in ds or "point" not in ds:
            raise InputError(f"{path} is not a sweep's sweep.h5 (no status or point)")
        available = [m for m in str(ds.attrs.get("metrics", "")).split() if m in ds]
        metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else available
        unknown = [m for m in metrics if m not in available]
        if unknown:
            raise InputError(f"no metric {', '.join(unknown)} in the sweep (metrics: {', '.join(available)})")
        if not metrics:
            raise InputError("the sweep has no metric to plot")
        sens = None
        if ds.attrs.get("design") in ("saltelli", "morris"):
            try:
                sens = xr.open_dataset(path, engine="h5netcdf", group="sensitivity")
            except (OSError, ValueError, KeyError):
                print(f"{PROG}: no sensitivity group (run `cloudmarket sweep analyze DIR`); "
                      "plotting metrics against parameters", file=sys.stderr)
        if sens is not None and sens.sizes.get("output", 0):
            fig, title, n_panels, drawn = plot_sensitivity(ds, sens, metrics, report)
        else:
            fig, title, n_panels, drawn = plot_values(ds, metrics, args, report)
    except InputError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    plotting.save(fig, args.output, plotting.wrap(title, 110))
    print(f"{PROG}: drew {drawn} result{'s' if drawn != 1 else ''} of {len(metrics)} "
          f"metric{'s' if len(metrics) != 1 else ''} in {n_panels} panel{'s' if n_panels != 1 else ''} "
          f"to {args.output}")
    for line in report:
        print(f"{PROG}: {line}")
    if not any(line.startswith("left out") for line in report):
        print(f"{PROG}: nothing left out")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except ImportError as error:  # e.g. h5netcdf, which xarray loads only when it opens the file
        print(f"{PROG}: error: {deps.missing_message(error)}", file=sys.stderr)
        sys.exit(1)
    except OSError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        sys.exit(1)
