#!/usr/bin/python3
"""Plot one cloudmarket run: market shares, prices, revenue, margins, HHI and adoption over time.

usage: tools/plot.py OUT.h5 -o OUT.png [--product PRODUCT]

Runs on Debian's /usr/bin/python3 (python3-xarray, python3-h5netcdf, python3-matplotlib).
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plotting import finish, label, open_run, plot_by  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="output file of `cloudmarket run`")
    parser.add_argument("-o", "--output", required=True, help="image to write (.png, .pdf, .svg)")
    parser.add_argument("--product", help="product whose prices to show (default: the first)")
    args = parser.parse_args(argv)

    ds = open_run(args.input, "plot.py")
    if ds is None:
        return 2
    product = args.product or str(ds["product"].values[0])
    if product not in [str(p) for p in ds["product"].values]:
        print(f"plot.py: error: no product '{product}' in {args.input}", file=sys.stderr)
        return 2

    fig, axes = plt.subplots(3, 2, figsize=(13, 11), sharex=True)
    plot_by(axes[0, 0], ds["market_share"], "vendor", "Market share (revenue)")
    price = ds["price"].sel(product=product)
    plot_by(axes[0, 1], price, "vendor", f"List price of {product}")
    unit = str(ds["product_unit"].sel(product=product).values)
    axes[0, 1].set_ylabel(f"list price\n[{ds.attrs.get('currency', '')} per {unit}]", fontsize=8)
    plot_by(axes[1, 0], ds["vendor_revenue"], "vendor", "Vendor revenue")
    plot_by(axes[1, 1], ds["vendor_gross_margin"], "vendor", "Gross margin")
    axes[2, 0].plot(ds["time"].values, ds["hhi"].values, color="black")
    axes[2, 0].set_title("Concentration (HHI)")
    axes[2, 0].set_ylabel(label(ds["hhi"]), fontsize=8)
    axes[2, 0].grid(alpha=0.3)
    plot_by(axes[2, 1], ds["cloud_adoption"], "segment", "Cloud adoption by segment")

    axes[0, 0].legend(fontsize=8, ncol=2)
    axes[2, 1].legend(fontsize=8, ncol=2)
    finish(fig, ds, args.output, args.input)
    return 0


if __name__ == "__main__":
    sys.exit(main())
