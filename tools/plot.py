#!/usr/bin/python3
"""Plot cloudmarket runs: market shares, revenue, margins, concentration, adoption and list prices.

usage: tools/plot.py RUN.h5 [RUN.h5 ...] -o OUT.png [--products A,B] [--band] [--changed TEXT]

One file: its market over time. Several files: overlaid, one line style per run and one colour per
vendor (tools/plotting.py says how colours are given); the legend names each run by its scenario
and the scenario values in which it differs from the others. --band: files of the same scenario
that differ only in their seed are replications; each such group is drawn as the mean across
seeds with a shaded Student-t 95 % interval of the mean. Prices: one panel per product (all, or
those of --products). --changed names what the run(s) changed (e.g. the --set given to
`cloudmarket run`) in the title, which otherwise names the scenario(s) and seed(s).

Exit codes: 0 written, 2 invalid input (a file that is not a run, an unknown product, --band files
with different time axes). Runs on Debian's /usr/bin/python3 (python3-xarray, python3-h5netcdf,
python3-matplotlib, python3-scipy, python3-yaml).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402

import plotting  # noqa: E402

PROG = "plot.py"
LOG_PRICE_RATIO = 5  # prices that span this factor or more get a log axis
NEEDED = ("price", "market_share", "vendor_revenue", "vendor_gross_margin", "hhi", "cloud_adoption")


class InputError(Exception):
    """Invalid input: exit 2 with this message."""


class RunGroup:
    """One line style of the figure: a run, or (--band) the replications of one scenario."""

    def __init__(self, datasets, label, linestyle):
        self.datasets = datasets
        self.label = label
        self.linestyle = linestyle
        self.time = datasets[0]["time"].values
        self.vendors = [str(v) for v in datasets[0]["vendor"].values]
        self.products = [str(p) for p in datasets[0]["product"].values]
        self.segments = [str(s) for s in datasets[0]["segment"].values]
        for ds in datasets[1:]:
            if not np.array_equal(ds["time"].values, self.time):
                raise InputError(f"--band: runs of '{label}' have different time axes "
                                 "(replications must share start, years and output period)")

    def series(self, name, **sel):
        """(mean, lower, upper) over the group's runs; lower/upper are None for a single run."""
        values = np.stack([ds[name].sel(**sel).values.astype(float) for ds in self.datasets])
        if len(self.datasets) == 1:
            return values[0], None, None
        mean, lower, upper, _ = plotting.mean_interval(values, axis=0)
        return mean, lower, upper


def scenario_key(ds):
    """What replications share: the resolved scenario without its seed."""
    values = plotting.scenario_values(ds)
    values.pop("seed", None)
    return repr(sorted(values.items(), key=lambda kv: kv[0]))


def make_groups(datasets, paths, band):
    if band:  # replications: the runs whose scenarios differ in the seed only
        by_key = {}
        for ds, path in zip(datasets, paths):
            by_key.setdefault(scenario_key(ds), []).append((ds, path))
        members = list(by_key.values())
    else:
        members = [[(ds, path)] for ds, path in zip(datasets, paths)]
    changes = plotting.run_differences([m[0][0] for m in members])
    groups = []
    for k, (m, change) in enumerate(zip(members, changes)):
        first, path = m[0]
        if band:
            label = plotting.run_label(first, change, "") if change else str(first.attrs.get("scenario_name"))
            label += f" (mean of {len(m)} seed{'s' if len(m) != 1 else ''})"
        else:
            label = plotting.run_label(first, change, os.path.basename(path))
        m = [ds for ds, _ in m]
        style = plotting.RUN_LINESTYLES[k % len(plotting.RUN_LINESTYLES)]
        groups.append(RunGroup(m, plotting.wrap(label, 48), style))
    return groups


def draw(ax, group, values, scale, gid=None, **style):
    """One line (and its band, if any) of a group; `gid` names what it shows (vendor:ID)."""
    mean, lower, upper = values
    line_style = dict(style)
    line_style["linestyle"] = group.linestyle
    ax.plot(group.time, mean / scale, gid=gid, **line_style)
    if lower is not None:
        ax.fill_between(group.time, lower / scale, upper / scale, color=style.get("color", "black"),
                        alpha=0.18, linewidth=0)


def vendor_panel(ax, groups, palette, name, title, kind, sel=None, unit=None):
    """A line per vendor (and run) of variable `name`: kind 'percent', 'money' or 'plain'."""
    sel = sel or {}
    lines = []
    for g in groups:
        for v in g.vendors:
            values = g.series(name, vendor=v, **sel)
            if not np.isfinite(values[0]).any():
                continue
            lines.append((g, v, values))
    ds = groups[0].datasets[0]
    var = ds[name]
    if kind == "percent":
        scale, ylabel = 0.01, "%"
    elif kind == "money":
        everything = np.concatenate([np.ravel([x for x in vals if x is not None]) for _, _, vals in lines]) \
            if lines else np.array([])
        scale, ylabel = plotting.money_label(plotting.period_units(var.attrs, ds.attrs), ds.attrs.get("currency", ""),
                                             everything, unit)
    else:
        scale, ylabel = 1.0, plotting.period_units(var.attrs, ds.attrs)
    for g, v, values in lines:
        draw(ax, g, values, scale, gid=f"vendor:{v}", **palette.style(v))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    plotting.date_axis(ax)
    return [v for _, v, _ in lines]


def sold(ds, vendor, product):
    """Whether the vendor offers the product at all in this run (some capacity or some sales)."""
    cap = ds["capacity"].sel(vendor=vendor, product=product).values if "capacity" in ds else np.ones(1)
    return bool(np.nansum(np.abs(cap)) > 0)


def price_panel(ax, groups, palette, product):
    """List price of one product by vendor, for the vendors that offer it."""
    lines = []
    for g in groups:
        if product not in g.products:
            continue
        for v in g.vendors:
            if not sold(g.datasets[0], v, product):
                continue
            lines.append((g, v, g.series("price", vendor=v, product=product)))
    ds = next(g.datasets[0] for g in groups if product in g.products)
    unit = str(ds["product_unit"].sel(product=product).values)
    everything = np.concatenate([np.ravel(vals[0]) for _, _, vals in lines]) if lines else np.array([])
    scale, ylabel = plotting.money_label(plotting.period_units(ds["price"].attrs, ds.attrs),
                                         ds.attrs.get("currency", ""), everything, unit)
    for g, v, values in lines:
        draw(ax, g, values, scale, gid=f"vendor:{v}", **palette.style(v))
    title = f"List price of {product}"
    positive = everything[np.isfinite(everything)]
    if positive.size and positive.min() > 0 and positive.max() / positive.min() >= LOG_PRICE_RATIO:
        ax.set_yscale("log")  # a price war: the level after the fall would be a flat line at zero
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:g}"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        title += " (log scale)"
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    plotting.date_axis(ax)
    return [v for _, v, _ in lines]


def adoption_panel(ax, groups):
    segments = list(dict.fromkeys(s for g in groups for s in g.segments))
    styles = dict(zip(segments, plotting.segment_colours(len(segments))))
    for g in groups:
        for s in g.segments:
            draw(ax, g, g.series("cloud_adoption", segment=s), 0.01, color=styles[s])
    ax.set_title("Cloud adoption by segment")
    ax.set_ylabel("% of the segment's firms")
    plotting.date_axis(ax)
    return [(s, styles[s]) for s in segments]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", metavar="RUN.h5", help="output files of `cloudmarket run`")
    parser.add_argument("-o", "--output", required=True, help="image to write (.png, .pdf, .svg)")
    parser.add_argument("--products", help="comma-separated products whose prices to show (default: all)")
    parser.add_argument("--product", help=argparse.SUPPRESS)  # the older spelling of --products
    parser.add_argument("--band", action="store_true",
                        help="treat files of one scenario with different seeds as replications: mean and 95%% band")
    parser.add_argument("--changed", action="append", default=[], metavar="TEXT",
                        help="what the run(s) changed, for the title (e.g. the --set values); repeatable")
    return parser.parse_args(argv)


def plot(args):
    datasets = []
    for path in args.inputs:
        ds = plotting.open_run(path, PROG)
        if ds is None:
            raise InputError(None)
        missing = [v for v in NEEDED if v not in ds]
        if missing:
            raise InputError(f"{path}: not a cloudmarket run (no {', '.join(missing)})")
        datasets.append(ds)
    all_products = list(dict.fromkeys(str(p) for ds in datasets for p in ds["product"].values))
    wanted = args.products or args.product
    products = [p.strip() for p in wanted.split(",") if p.strip()] if wanted else all_products
    unknown = [p for p in products if p not in all_products]
    if unknown:
        raise InputError(f"no product {', '.join(repr(p) for p in unknown)} in the run(s) "
                         f"(products: {', '.join(all_products)})")
    groups = make_groups(datasets, args.inputs, args.band)
    palette = plotting.VendorPalette.of(*datasets)

    fig, axes = plotting.figure(5 + len(products), cols=2)
    shown = set()
    shown.update(vendor_panel(axes[0], groups, palette, "market_share", "Market share (revenue)", "percent"))
    axes[0].set_ylabel("% of market revenue")
    shown.update(vendor_panel(axes[1], groups, palette, "vendor_revenue", "Vendor revenue", "money"))
    shown.update(vendor_panel(axes[2], groups, palette, "vendor_gross_margin", "Gross margin", "percent"))
    axes[2].set_ylabel("% of revenue")
    for g in groups:
        draw(axes[3], g, g.series("hhi"), 1.0, color="black")
    axes[3].set_title("Concentration (Herfindahl-Hirschman index)")
    axes[3].set_ylabel("HHI (0-10 000)")
    plotting.date_axis(axes[3])
    for ax, product in zip(axes[4:], products):
        shown.update(price_panel(ax, groups, palette, product))
    segments = adoption_panel(axes[-1], groups)

    sections = [("Vendor", palette.handles(shown))]
    if len(groups) > 1:
        sections.append(("Run (line style)", [plotting.line_handle(g.label, color="black", linestyle=g.linestyle)
                                              for g in groups]))
    if args.band:
        sections.append(("Shaded", [plotting.patch_handle("95% interval of the mean (Student t)", "0.6")]))
    plotting.legend_below(axes[-1], [plotting.line_handle(s, color=c) for s, c in segments], ncol=2)
    plotting.figure_legend(fig, sections)
    what = "Market outcomes" + (" (mean and 95% band across seeds)" if args.band else "")
    plotting.save(fig, args.output, plotting.run_title(datasets, what, args.changed))


def main(argv=None):
    args = parse_args(argv)
    try:
        plot(args)
    except InputError as error:
        if error.args[0]:
            print(f"{PROG}: error: {error.args[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
