#!/usr/bin/python3
"""Plot the AI startups of one cloudmarket run: cash, quality, deals, round trip, hosts, GPUs.

usage: tools/plot_startups.py OUT.h5 -o OUT.png [--top N]

Panels: startup cash (failures marked x) and model quality while the startup is in business; deals
on a timeline (one row per startup, marker area by amount; a vendor's deals filled in its colour,
independent funds' hollow, one marker shape per fund); round-trip revenue by vendor; vendor_flops
(the speed of each vendor's SimGrid hosts); GPU capacity by vendor (`capacity` of product
`iaas_gpu`, else of the first product sold in `gpu_hour`).

Style, colours (one per vendor, as in tools/plot.py) and units: tools/plotting.py. --changed names
what the run changed (e.g. the --set given to `cloudmarket run`) in the title.

Runs on Debian's /usr/bin/python3 (python3-xarray, python3-h5netcdf, python3-matplotlib,
python3-scipy, python3-yaml).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

import plotting  # noqa: E402

PROG = "plot_startups.py"
NEEDED = ("startup_cash", "startup_quality", "roundtrip_revenue", "vendor_flops", "capacity")
FUND_MARKERS = ("s", "D", "^", "v", "P", "X", "*", "h")


def open_group(path, group):
    """An event table, or None if the file has no such group."""
    try:
        return xr.open_dataset(path, engine="h5netcdf", group=group)
    except (OSError, ValueError, KeyError):
        return None


def gpu_product(ds):
    products = [str(p) for p in ds["product"].values]
    if "iaas_gpu" in products:
        return "iaas_gpu"
    if "product_unit" in ds:
        for p, unit in zip(products, ds["product_unit"].values):
            if str(unit) == "gpu_hour":
                return p
    return None


def chosen_startups(ds, top):
    """All startups, or the `top` with the highest final quality."""
    ids = [str(s) for s in ds["startup"].values]
    if top <= 0 or len(ids) <= top:
        return ids
    final = ds["startup_quality"].isel(time=-1).values
    order = np.argsort(-np.nan_to_num(final, nan=-np.inf), kind="stable")[:top]
    return [ids[i] for i in sorted(order)]


def startup_styles(startups):
    """Colour (viridis steps) and dash of each startup: six colours times three dashes."""
    colours = plotting.segment_colours(min(len(startups), 6))
    dashes = ("-", (0, (4, 1.5)), (0, (1, 1.2)))
    return {s: {"color": colours[k % len(colours)], "linestyle": dashes[(k // len(colours)) % len(dashes)]}
            for k, s in enumerate(startups)}


def money_lines(ax, var, dim, keys, styles, ds):
    """Lines of a money variable of run `ds`, scaled to a readable unit; returns the axis unit."""
    values = var.sel({dim: keys}).values if keys else np.array([])
    scale, unit = plotting.money_label(plotting.period_units(var.attrs, ds.attrs), ds.attrs.get("currency", ""), values)
    for key in keys:
        ax.plot(var["time"].values, var.sel({dim: key}).values / scale, gid=f"{dim}:{key}", **styles[key])
    return scale, unit


def cash_panel(ax, ds, startups, styles, failures, alive):
    cash = ds["startup_cash"].where(alive)
    cash.attrs = ds["startup_cash"].attrs
    scale, unit = money_lines(ax, cash, "startup", startups, styles, ds)
    ax.set_title("Startup cash (while in business)")
    ax.set_ylabel(unit)
    values = np.abs(cash.sel(startup=startups).values) / scale
    peak = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    if peak > 0:  # cash spans orders of magnitude and goes below zero just before a failure
        ax.set_yscale("symlog", linthresh=peak * 1e-3)
    ax.axhline(0, color="black", lw=0.6)
    failed = False
    if failures is not None and failures.sizes.get("failure", 0) > 0:
        table = failures.to_dataframe()
        table = table[(table["kind"].astype(str) == "startup") & table["id"].astype(str).isin(startups)]
        if not table.empty:
            ax.scatter(table["time"].values, table["cash"].values / scale, marker="x", color="black", s=40, zorder=5)
            failed = True
    plotting.date_axis(ax)
    return failed


def plot_deals(ax, deals, startups, palette, vendors, currency):
    """Deals as markers on a row per startup; returns the legend handles of the investors."""
    ax.set_title("Deals (marker area: amount)")
    if deals is None or deals.sizes.get("deal", 0) == 0:
        plotting.empty_panel(ax, "Deals", "no deals in this run")
        return []
    table = deals.to_dataframe()
    table = table[table["startup_id"].astype(str).isin(startups)]
    if table.empty:
        plotting.empty_panel(ax, "Deals", "no deals of the startups shown")
        return []
    row = {s: i for i, s in enumerate(startups)}
    scale, unit = plotting.money_label(deals["amount"].attrs.get("units", currency), currency, table["amount"].values)
    biggest = float(table["amount"].max()) or 1.0
    handles = []
    funds = 0
    present = set(table["investor_id"].astype(str))
    ordered = [v for v in palette.order if v in present] + sorted(present - set(vendors))
    for investor in ordered:  # vendors in palette order, then the funds
        part = table[table["investor_id"].astype(str) == investor]
        if investor in vendors:
            colour = palette.color(investor)
            marker, face = "o", colour
        else:
            colour, marker, face = "black", FUND_MARKERS[funds % len(FUND_MARKERS)], "none"
            funds += 1
        ax.scatter(part["time"].values, [row[str(s)] for s in part["startup_id"]],
                   s=20 + 300 * part["amount"].values / biggest, marker=marker,
                   facecolors=face, edgecolors=colour, linewidths=1.2, alpha=0.75)
        kind = "vendor" if investor in vendors else "fund"
        handles.append(plt.Line2D([], [], ls="", marker=marker, ms=6, mfc=face, mec=colour, mew=1.2,
                                  label=f"{investor} ({kind})"))
    ax.set_yticks(range(len(startups)))
    ax.set_yticklabels(startups)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylim(-0.7, len(startups) - 0.3)
    ax.grid(axis="y", alpha=0.15)
    ax.set_xlabel(f"largest deal: {biggest / scale:.3g} {unit}")
    plotting.date_axis(ax)
    return handles


def vendor_money_panel(ax, ds, var, vendors, palette, title):
    styles = {v: palette.style(v) for v in vendors}
    _, unit = money_lines(ax, var, "vendor", vendors, styles, ds)
    ax.set_title(title)
    ax.set_ylabel(unit)
    plotting.date_axis(ax)


def capacity_panel(ax, ds, vendors, palette):
    product = gpu_product(ds)
    if product is None:
        plotting.empty_panel(ax, "GPU capacity", "no GPU product in this run")
        return
    capacity = ds["capacity"].sel(product=product)
    offered = [v for v in vendors if float(np.nansum(capacity.sel(vendor=v).values)) > 0]
    scale, word = plotting.scale_of(capacity.sel(vendor=offered).values) if offered else (1.0, "")
    for v in offered:
        ax.plot(capacity["time"].values, capacity.sel(vendor=v).values / scale, gid=f"vendor:{v}", **palette.style(v))
    unit = str(ds["product_unit"].sel(product=product).values) if "product_unit" in ds else "unit"
    per = plotting.period_units(capacity.attrs, ds.attrs).partition("/")[2] or "month"
    ax.set_title(f"Capacity of {product} by vendor")
    ax.set_ylabel(f"{word} {plotting.unit_name(unit)}s / {per}".strip())
    plotting.date_axis(ax)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="output file of `cloudmarket run` for a scenario with startups")
    parser.add_argument("-o", "--output", required=True, help="image to write (.png, .pdf, .svg)")
    parser.add_argument("--top", type=int, default=15,
                        help="show at most this many startups, those of highest final quality (0: all; default 15)")
    parser.add_argument("--changed", action="append", default=[], metavar="TEXT",
                        help="what the run changed, for the title (e.g. the --set values); repeatable")
    args = parser.parse_args(argv)

    ds = plotting.open_run(args.input, PROG)
    if ds is None:
        return 2
    missing = [v for v in NEEDED if v not in ds]
    if "startup" not in ds.dims or ds.sizes["startup"] == 0 or missing:
        what = f"variables {', '.join(missing)}" if missing else "startups"
        print(f"{PROG}: error: no {what} in {args.input} (a run of a scenario with `startups`?)", file=sys.stderr)
        return 2

    currency = ds.attrs.get("currency", "")
    startups = chosen_startups(ds, args.top)
    vendors = [str(v) for v in ds["vendor"].values]
    palette = plotting.VendorPalette.of(ds)
    styles = startup_styles(startups)
    deals = open_group(args.input, "events/deals")
    failures = open_group(args.input, "events/failures")

    fig, axes = plotting.figure(6, cols=2, panel_size=(4.0, 2.9))
    alive = ds["startup_alive"] == 1 if "startup_alive" in ds else True  # in business
    failed = cash_panel(axes[0], ds, startups, styles, failures, alive)

    quality = ds["startup_quality"].where(alive)
    for s in startups:
        axes[1].plot(quality["time"].values, quality.sel(startup=s).values, gid=f"startup:{s}", **styles[s])
    axes[1].set_title("Startup model quality")
    axes[1].set_ylabel("model quality (index)")
    plotting.date_axis(axes[1])

    roundtrip = ds["roundtrip_revenue"]
    earning = [v for v in vendors if float(np.nansum(roundtrip.sel(vendor=v).values)) > 0]
    if earning:
        vendor_money_panel(axes[2], ds, roundtrip, earning, palette,
                           "Round-trip revenue (credits and committed spend)")
    else:
        plotting.empty_panel(axes[2], "Round-trip revenue", "no round-trip revenue in this run")

    investors = plot_deals(axes[3], deals, startups, palette, vendors, currency)

    for v in vendors:
        axes[4].plot(ds["time"].values, ds["vendor_flops"].sel(vendor=v).values, gid=f"vendor:{v}", **palette.style(v))
    axes[4].set_yscale("log")
    axes[4].set_title("Vendor host speed (vendor_flops)")
    axes[4].set_ylabel("FLOP/s")
    plotting.date_axis(axes[4])

    capacity_panel(axes[5], ds, vendors, palette)

    startup_handles = [plotting.line_handle(s, **styles[s]) for s in startups]
    if failed:
        startup_handles.append(plt.Line2D([], [], ls="", marker="x", color="black", label="failed (cash then)"))
    heading = "Startup" if len(startups) == ds.sizes["startup"] else \
        f"Startup ({len(startups)} of {ds.sizes['startup']}: highest final quality)"
    plotting.figure_legend(fig, [("Vendor", palette.handles(vendors)),
                                 (heading, startup_handles), ("Deal investor", investors)])
    plotting.save(fig, args.output, plotting.run_title([ds], "AI startups and investment for compute", args.changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
