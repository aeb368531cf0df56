#!/usr/bin/python3
"""Plot the AI startups of one cloudmarket run: cash, quality, deals, round trip, hosts, GPUs.

usage: tools/plot_startups.py OUT.h5 -o OUT.png [--top N]

Panels: startup cash (failures marked x) and model quality while the startup is in business; deals
on a timeline (one row per startup, marker area by amount, colour by investor, hollow markers for
independent funds); round-trip revenue by vendor; vendor_flops (the speed of each vendor's SimGrid
hosts); GPU capacity by vendor (`capacity` of product `iaas_gpu`, else of the first product sold in
`gpu_hour`).

Runs on Debian's /usr/bin/python3 (python3-xarray, python3-h5netcdf, python3-matplotlib).
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from plotting import finish, label, open_run, plot_by  # noqa: E402

PROG = "plot_startups.py"
NEEDED = ("startup_cash", "startup_quality", "roundtrip_revenue", "vendor_flops", "capacity")


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


def plot_deals(ax, deals, startups, vendors, currency):
    ax.set_title("Deals (marker area: amount; hollow: independent fund)")
    ax.grid(alpha=0.3)
    if deals is None or deals.sizes.get("deal", 0) == 0:
        ax.text(0.5, 0.5, "no deals", ha="center", va="center", transform=ax.transAxes)
        return
    table = deals.to_dataframe()
    table = table[table["startup_id"].astype(str).isin(startups)]
    if table.empty:
        ax.text(0.5, 0.5, "no deals of the startups shown", ha="center", va="center", transform=ax.transAxes)
        return
    row = {s: i for i, s in enumerate(startups)}
    biggest = float(table["amount"].max()) or 1.0
    colours = plt.get_cmap("tab10").colors
    investors = list(dict.fromkeys(table["investor_id"].astype(str)))
    handles = []
    for k, investor in enumerate(investors):
        part = table[table["investor_id"].astype(str) == investor]
        colour = colours[k % len(colours)]
        face = colour if investor in vendors else "none"
        ax.scatter(part["time"].values, [row[str(s)] for s in part["startup_id"]],
                   s=30 + 400 * part["amount"].values / biggest,
                   facecolors=face, edgecolors=colour, linewidths=1.5, alpha=0.8)
        handles.append(plt.Line2D([], [], ls="", marker="o", ms=7, mfc=face, mec=colour, mew=1.5, label=investor))
    ax.set_yticks(range(len(startups)))
    ax.set_yticklabels(startups, fontsize=7)
    ax.set_ylim(-0.7, len(startups) - 0.3)
    units = deals["amount"].attrs.get("units", currency)
    ax.set_ylabel(f"startup (largest deal {biggest:.3g} {units})", fontsize=8)
    ax.legend(handles=handles, fontsize=7, ncol=2, loc="upper right", title="investor", title_fontsize=7)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="output file of `cloudmarket run` for a scenario with startups")
    parser.add_argument("-o", "--output", required=True, help="image to write (.png, .pdf, .svg)")
    parser.add_argument("--top", type=int, default=15,
                        help="show at most this many startups, those of highest final quality (0: all; default 15)")
    args = parser.parse_args(argv)

    ds = open_run(args.input, PROG)
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
    deals = open_group(args.input, "events/deals")
    failures = open_group(args.input, "events/failures")

    fig, axes = plt.subplots(3, 2, figsize=(14, 12), sharex=True)

    # Startup cash and quality while in business (startup_alive), failures marked.
    alive = ds["startup_alive"] == 1 if "startup_alive" in ds else True
    ax = axes[0, 0]
    cash = ds["startup_cash"].where(alive)
    cash.attrs = ds["startup_cash"].attrs
    plot_by(ax, cash, "startup", "Startup cash", startups)
    values = np.abs(cash.sel(startup=startups).values)
    peak = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    if peak > 0:
        ax.set_yscale("symlog", linthresh=peak * 1e-3)
    if failures is not None and failures.sizes.get("failure", 0) > 0:
        table = failures.to_dataframe()
        table = table[(table["kind"].astype(str) == "startup") & table["id"].astype(str).isin(startups)]
        if not table.empty:
            ax.scatter(table["time"].values, table["cash"].values, marker="x", color="black", s=60,
                       zorder=5, label="failed")
    ax.axhline(0, color="black", lw=0.6)
    ax.legend(fontsize=7, ncol=3)

    quality = ds["startup_quality"].where(alive)
    quality.attrs = ds["startup_quality"].attrs
    plot_by(axes[0, 1], quality, "startup", "Startup model quality", startups)

    # Round-trip revenue: only vendors that had any.
    ax = axes[1, 0]
    roundtrip = ds["roundtrip_revenue"]
    earning = [v for v in vendors if float(np.nansum(roundtrip.sel(vendor=v).values)) > 0]
    plot_by(ax, roundtrip, "vendor", "Round-trip revenue (credits and committed spend)", earning)
    if earning:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no round-trip revenue", ha="center", va="center", transform=ax.transAxes)

    plot_deals(axes[1, 1], deals, startups, vendors, currency)

    ax = axes[2, 0]
    plot_by(ax, ds["vendor_flops"], "vendor", "Vendor host speed (vendor_flops)")
    ax.set_yscale("log")
    ax.legend(fontsize=8, ncol=2)

    ax = axes[2, 1]
    product = gpu_product(ds)
    if product is None:
        ax.set_title("GPU capacity")
        ax.text(0.5, 0.5, "no GPU product", ha="center", va="center", transform=ax.transAxes)
    else:
        capacity = ds["capacity"].sel(product=product)
        plot_by(ax, capacity, "vendor", f"Capacity of {product} by vendor")
        unit = str(ds["product_unit"].sel(product=product).values) if "product_unit" in ds else "unit"
        if "time: sum" in str(capacity.attrs.get("cell_methods", "")):
            # product units summed over each output period (docs/output.md, "Units")
            units = f"{unit} per {ds.attrs.get('output_period', 'month')}"
        else:
            units = capacity.attrs.get("units", "unit/month").replace("unit", unit, 1)
        ax.set_ylabel(f"capacity\n[{units}]", fontsize=8)
        ax.legend(fontsize=8, ncol=2)

    shown = "" if len(startups) == ds.sizes["startup"] else f", {len(startups)} of {ds.sizes['startup']} startups"
    finish(fig, ds, args.output, args.input, shown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
