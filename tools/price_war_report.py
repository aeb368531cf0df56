#!/usr/bin/python3
"""Price-war report of one or two cloudmarket runs: yearly list prices by vendor and gross margins by product kind.

usage: tools/price_war_report.py RUN.h5 [OTHER.h5] [--products iaas_cpu,iaas_gpu] [--vendors a,b]
                                 [--from YEAR] [--to YEAR]

For each year and vendor it prints the mean list price of each chosen product (the mean of the
output periods' `price` in that year), and for each year the market's gross margin by product kind
(compute, platform, model, software): (Σ revenue − Σ cost_of_goods) / Σ revenue over all vendors
and products of that kind and the year's periods. With two files, the columns are the first run,
the second and their difference: second vs first in percent for prices, in percentage points for
margins. Runs on Debian's /usr/bin/python3 (python3-xarray, python3-h5netcdf, python3-yaml).
Exit 2 with a message for bad input.
"""
import argparse
import math
import os
import sys

import numpy as np
import xarray as xr
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_common import BadInput, add_year_options, choose, labels, report_years  # noqa: E402

PROG = "price_war_report.py"
KINDS = ("compute", "platform", "model", "software")


def open_run(path):
    """The run's dataset and its product kinds (from the resolved scenario it carries)."""
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as error:
        raise BadInput(f"cannot open {path}: {error}")
    missing = [v for v in ("price", "revenue", "cost_of_goods") if v not in ds]
    if missing or "scenario_yaml" not in ds.attrs:
        what = ", ".join(missing) if missing else "the scenario_yaml attribute"
        raise BadInput(f"{path} is not a cloudmarket run file with {what} (written by an older cloudmarket?)")
    try:
        scenario = yaml.safe_load(ds.attrs["scenario_yaml"])
        kinds = {str(p["id"]): str(p.get("kind", "compute")) for p in scenario["products"]}
    except (yaml.YAMLError, KeyError, TypeError) as error:
        raise BadInput(f"{path}: cannot read its products' kinds from scenario_yaml: {error}")
    return ds, kinds


def yearly_prices(ds, products, vendors, years):
    """{(year, vendor, product): mean list price over the year's output periods}."""
    price = ds["price"].sel(vendor=vendors, product=products)
    year_of = ds["time"].dt.year.values
    out = {}
    for year in years:
        rows = year_of == year
        for v in vendors:
            for p in products:
                out[(year, v, p)] = float(price.sel(vendor=v, product=p).values[rows].mean())
    return out


def yearly_margins(ds, kinds, years):
    """{(year, kind): (Σ revenue − Σ cost of goods) / Σ revenue}, NaN without revenue."""
    year_of = ds["time"].dt.year.values
    products = labels(ds, "product")
    revenue = ds["revenue"].values  # time x vendor x product
    cogs = ds["cost_of_goods"].values
    out = {}
    for year in years:
        rows = year_of == year
        for kind in KINDS:
            cols = [i for i, p in enumerate(products) if kinds.get(p) == kind]
            if not cols:
                continue
            r = revenue[rows][:, :, cols].sum()
            c = cogs[rows][:, :, cols].sum()
            out[(year, kind)] = (r - c) / r if r > 0 else math.nan
    return out


def fmt(x, spec):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def pct(a, b):
    return None if a is None or b is None or not a or math.isnan(a) or math.isnan(b) else 100.0 * (b - a) / a


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", metavar="RUN.h5", help="one or two output files of `cloudmarket run`")
    parser.add_argument("--products", help="comma-separated product ids whose prices to show (default: all)")
    parser.add_argument("--vendors", help="comma-separated vendor ids (default: all)")
    add_year_options(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    try:
        if len(args.runs) > 2:
            raise BadInput("give one or two run files")
        runs = [open_run(path) for path in args.runs]
        base, base_kinds = runs[0]
        path = args.runs[0]
        products = choose(args.products, labels(base, "product"), "product", path)
        vendors = choose(args.vendors, labels(base, "vendor"), "vendor", path)
        for (ds, _), other in zip(runs[1:], args.runs[1:]):
            choose(",".join(products), labels(ds, "product"), "product", other)
            choose(",".join(vendors), labels(ds, "vendor"), "vendor", other)
        years = report_years([[int(y) for y in ds["time"].dt.year.values] for ds, _ in runs], args.first, args.last)
        prices = [yearly_prices(ds, products, vendors, years) for ds, _ in runs]
        margins = [yearly_margins(ds, kinds, years) for ds, kinds in runs]
    except BadInput as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2

    currency = base.attrs.get("currency", "")
    two = len(runs) == 2
    names = args.runs
    print(f"run A: {names[0]} ({base.attrs.get('scenario_name', '?')}, seed {base.attrs.get('seed', '?')})")
    if two:
        ds_b = runs[1][0]
        print(f"run B: {names[1]} ({ds_b.attrs.get('scenario_name', '?')}, seed {ds_b.attrs.get('seed', '?')})")
    print()
    units = {p: str(base["product_unit"].sel(product=p).values) for p in products}
    for p in products:
        print(f"mean list price of {p} [{currency}/{units[p]}]")
        header = f"{'year':>4}  {'vendor':<16}" + (f"{'A':>14}{'B':>14}{'B vs A %':>10}" if two else f"{'price':>14}")
        print(header)
        for year in years:
            for v in vendors:
                a = prices[0][(year, v, p)]
                line = f"{year:>4}  {v:<16}{fmt(a, '14.6g')}"
                if two:
                    b = prices[1][(year, v, p)]
                    line += f"{fmt(b, '14.6g')}{fmt(pct(a, b), '10.1f')}"
                print(line)
        print()
    print("gross margin by product kind: (revenue - cost of goods) / revenue, all vendors [%]")
    kinds = [k for k in KINDS if any((y, k) in margins[0] for y in years)]
    print(f"{'year':>4}  {'kind':<10}" + (f"{'A':>9}{'B':>9}{'B-A pp':>9}" if two else f"{'margin':>9}"))
    for year in years:
        for k in kinds:
            a = margins[0].get((year, k), math.nan) * 100
            line = f"{year:>4}  {k:<10}{fmt(a, '9.1f')}"
            if two:
                b = margins[1].get((year, k), math.nan) * 100
                line += f"{fmt(b, '9.1f')}{fmt(b - a, '9.1f')}"
            print(line)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
