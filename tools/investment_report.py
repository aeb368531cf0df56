#!/usr/bin/python3
"""Investment-for-compute report of one or several cloudmarket runs: vendors' GPU and round-trip revenue, startups' compute, deals, failures.

usage: tools/investment_report.py RUN.h5 [OTHER.h5 ...] [--vendors a,b] [--startups s,t]
                                  [--from YEAR] [--to YEAR]

It answers "does a vendor's stake in a model startup buy compute revenue that would not otherwise
exist, and at what risk?" by printing, year by year:
- each vendor's GPU revenue (`revenue` of the GPU product: the first product whose `product_unit`
  is gpu_hour), its `roundtrip_revenue`, and the startups' compute spend that lands on it: each
  startup's `startup_compute_spend` goes to its training vendor, which is its `trains_on` in the
  run's resolved scenario until an exclusive deal with a vendor (`/events/deals`) moves it to that
  vendor from the deal's month on (output periods longer than a month are given the vendor in force
  at their start);
- each startup's compute spend, its quality, valuation and alive flag at year end (the year's last
  output period) and the GPU-hours it rented: Σ `startup_gpu_hours` (a monthly rate at the
  period's end) × months per output period, exact with monthly output;
- failures (`/events/failures`) and down rounds (`/events/deals` with down_round = 1) with dates;
- the deals each investor signed in the year: Σ amount, Σ credits, Σ commitment;
- the share of startups' compute in all vendors' GPU revenue: Σ startup_compute_spend / Σ GPU
  revenue over all vendors (whatever --vendors says).
Money is in billions of the file's `currency`. With two or more files the columns are the runs
(A, B, ...) and each later run minus the first (B-A, ...). Runs on Debian's /usr/bin/python3
(python3-xarray, python3-h5netcdf, python3-yaml). Exit 2 with a message for bad input.
"""
import argparse
import math
import os
import string
import sys

import numpy as np
import xarray as xr
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_common import BadInput, add_year_options, choose, labels, report_years  # noqa: E402

PROG = "investment_report.py"
BN = 1e9
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}
NEEDED = ("revenue", "roundtrip_revenue", "product_unit", "startup_compute_spend", "startup_quality",
          "startup_valuation", "startup_alive", "startup_gpu_hours")


def open_group(path, group):
    try:
        return xr.open_dataset(path, engine="h5netcdf", group=group)
    except (OSError, ValueError, KeyError) as error:
        raise BadInput(f"{path} has no readable /{group} table: {error}")


def month_start(t):
    t = np.datetime64(t, "M")
    return t.astype("datetime64[ns]")


class Run:
    """One run file: the yearly figures the report needs, keyed by year and id."""

    def __init__(self, path):
        self.path = path
        try:
            ds = xr.open_dataset(path, engine="h5netcdf")
        except (OSError, ValueError) as error:
            raise BadInput(f"cannot open {path}: {error}")
        missing = [v for v in NEEDED if v not in ds.variables]
        if missing or "scenario_yaml" not in ds.attrs:
            what = ", ".join(missing) if missing else "the scenario_yaml attribute"
            raise BadInput(f"{path} is not a cloudmarket run file with {what} (written by an older cloudmarket?)")
        self.ds = ds
        self.vendors = labels(ds, "vendor")
        self.startups = labels(ds, "startup")
        self.currency = str(ds.attrs.get("currency", ""))
        units = [str(u) for u in ds["product_unit"].values]
        if "gpu_hour" not in units:
            raise BadInput(f"{path} has no product in gpu_hour (its units: {', '.join(units)})")
        self.gpu_product = labels(ds, "product")[units.index("gpu_hour")]
        self.times = ds["time"].values
        self.year_of = ds["time"].dt.year.values.astype(int)
        self.years = sorted(set(int(y) for y in self.year_of))
        self.months_per_period = MONTHS_PER_PERIOD.get(str(ds.attrs.get("output_period", "month")), 1)
        self.deals = open_group(path, "events/deals")
        self.failures = open_group(path, "events/failures")
        try:
            scenario = yaml.safe_load(ds.attrs["scenario_yaml"])
            trains_on = {str(s["id"]): s.get("trains_on") for s in (scenario.get("startups") or [])}
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
            raise BadInput(f"{path}: cannot read its startups from scenario_yaml: {error}")
        # Training vendor per output period and startup, or None when the file does not say.
        self.training_vendor = None
        if self.startups and all(trains_on.get(s) in self.vendors for s in self.startups):
            self.training_vendor = self._training_vendors(trains_on)

    def _training_vendors(self, trains_on):
        moves = {s: [] for s in self.startups}  # (month start, vendor) of exclusive deals with a vendor
        d = self.deals
        for i in range(d.sizes.get("deal", 0)):
            s, investor = str(d["startup_id"].values[i]), str(d["investor_id"].values[i])
            if int(d["exclusive"].values[i]) and investor in self.vendors and s in moves:
                moves[s].append((month_start(d["time"].values[i]), investor))
        out = []
        for t in self.times:
            row = {}
            for s in self.startups:
                vendor = trains_on[s]
                for when, to in sorted(moves[s], key=lambda m: m[0]):
                    if when <= t:
                        vendor = to
                row[s] = vendor
            out.append(row)
        return out

    def rows(self, year):
        return self.year_of == year

    def last_row(self, year):
        return int(np.nonzero(self.year_of == year)[0][-1])

    # vendors
    def gpu_revenue(self, year, vendor):
        return float(self.ds["revenue"].sel(vendor=vendor, product=self.gpu_product).values[self.rows(year)].sum())

    def roundtrip(self, year, vendor):
        return float(self.ds["roundtrip_revenue"].sel(vendor=vendor).values[self.rows(year)].sum())

    def startup_spend_on(self, year, vendor):
        spend = self.ds["startup_compute_spend"].values  # time x startup
        total = 0.0
        for r in np.nonzero(self.rows(year))[0]:
            for j, s in enumerate(self.startups):
                if self.training_vendor[r][s] == vendor:
                    total += float(spend[r, j])
        return total

    # startups
    def compute_spend(self, year, startup=None):
        spend = self.ds["startup_compute_spend"]
        if startup is not None:
            return float(spend.sel(startup=startup).values[self.rows(year)].sum())
        return float(spend.values[self.rows(year)].sum()) if self.startups else 0.0

    def year_end(self, variable, year, startup):
        return float(self.ds[variable].sel(startup=startup).values[self.last_row(year)])

    def gpu_hours(self, year, startup):
        rate = self.ds["startup_gpu_hours"].sel(startup=startup).values[self.rows(year)]
        return float(rate.sum()) * self.months_per_period

    def all_gpu_revenue(self, year):
        return sum(self.gpu_revenue(year, v) for v in self.vendors)

    # events
    def events(self, table, dim):
        n = table.sizes.get(dim, 0)
        return [{k: table[k].values[i] for k in table.data_vars} for i in range(n)]

    def deal_sums(self, year):
        """{investor: [Σ amount, Σ credits, Σ commitment, deals]} of the deals signed in the year."""
        out = {}
        for e in self.events(self.deals, "deal"):
            if int(str(np.datetime64(e["time"], "Y"))) != year:
                continue
            sums = out.setdefault(str(e["investor_id"]), [0.0, 0.0, 0.0, 0])
            sums[0] += float(e["amount"])
            sums[1] += float(e["credits"])
            sums[2] += float(e["commitment"])
            sums[3] += 1
        return out


def fmt(x, width, digits):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return f"{'n/a':>{width}}"
    return f"{x:{width}.{digits}f}"


def day(t):
    return str(np.datetime64(t, "D"))


class Printer:
    def __init__(self, names):
        self.names = names  # A, B, ...

    def header(self, key_width, metric):
        cols = [f"{n}" for n in self.names] + [f"{n}-{self.names[0]}" for n in self.names[1:]]
        if len(self.names) == 1:
            cols = [metric]
        return "".join(f"{c:>12}" for c in cols)

    def values(self, xs, digits):
        """The runs' values, then each later run minus the first (n/a where either is missing)."""
        out = "".join(fmt(x, 12, digits) for x in xs)
        base = xs[0]
        for x in xs[1:]:
            out += fmt(None if x is None or base is None else x - base, 12, digits)
        return out


def table(p, title, years, keys, key_name, value, digits, metric):
    """Rows year x key; value(run index, year, key) -> number or None."""
    print(title)
    key_width = max([len(key_name)] + [len(k) for k in keys]) + 2
    print(f"{'year':>4}  {key_name:<{key_width}}" + p.header(key_width, metric))
    for year in years:
        for k in keys:
            xs = [value(i, year, k) for i in range(len(p.names))]
            print(f"{year:>4}  {k:<{key_width}}" + p.values(xs, digits))
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", metavar="RUN.h5", help="output files of `cloudmarket run` (the first is the reference)")
    parser.add_argument("--vendors", help="comma-separated vendor ids (default: all)")
    parser.add_argument("--startups", help="comma-separated startup ids (default: all)")
    add_year_options(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    try:
        if len(args.runs) > len(string.ascii_uppercase):
            raise BadInput(f"give at most {len(string.ascii_uppercase)} run files")
        runs = [Run(path) for path in args.runs]
        base = runs[0]
        vendors = choose(args.vendors, base.vendors, "vendor", base.path)
        startups = choose(args.startups, base.startups, "startup", base.path)
        years = report_years([run.years for run in runs], args.first, args.last)
    except BadInput as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2

    names = list(string.ascii_uppercase[:len(runs)])
    p = Printer(names)
    cur = base.currency
    for name, run in zip(names, runs):
        print(f"run {name}: {run.path} ({run.ds.attrs.get('scenario_name', '?')}, seed {run.ds.attrs.get('seed', '?')};"
              f" GPU product {run.gpu_product})")
    if len(runs) > 1:
        print(f"later runs minus run A in the columns {', '.join(f'{n}-A' for n in names[1:])}; n/a: not in that run")
    print()

    def per_vendor(fn):
        return lambda i, y, v: fn(runs[i], y, v) if v in runs[i].vendors else None

    def per_startup(fn):
        return lambda i, y, s: fn(runs[i], y, s) if s in runs[i].startups else None

    table(p, f"GPU revenue (revenue of the GPU product) [bn {cur}/year]", years, vendors, "vendor",
          per_vendor(lambda r, y, v: r.gpu_revenue(y, v) / BN), 3, "gpu")
    table(p, f"round-trip revenue (paid with the vendor's credits or under a commitment to it) [bn {cur}/year]",
          years, vendors, "vendor", per_vendor(lambda r, y, v: r.roundtrip(y, v) / BN), 3, "roundtrip")
    attributable = all(r.training_vendor is not None or not r.startups for r in runs)
    if attributable:
        table(p, f"startups' compute spend on the vendor (their training vendor) [bn {cur}/year]", years, vendors,
              "vendor", per_vendor(lambda r, y, v: r.startup_spend_on(y, v) / BN if r.startups else 0.0), 3,
              "startups")
    else:
        print("startups' compute spend by vendor: not reported (a run's scenario does not name every startup's"
              " training vendor); totals only:")
    table(p, f"startups' compute spend, all startups [bn {cur}/year]", years, ["all"], "startups",
          lambda i, y, _: runs[i].compute_spend(y) / BN, 3, "spend")
    table(p, "share of startups' compute in all vendors' GPU revenue [%; differences in percentage points]", years, ["all"], "vendors",
          lambda i, y, _: (100.0 * runs[i].compute_spend(y) / runs[i].all_gpu_revenue(y)
                           if runs[i].all_gpu_revenue(y) > 0 else math.nan), 2, "share")

    if startups:
        table(p, f"startup compute spend [bn {cur}/year]", years, startups, "startup",
              per_startup(lambda r, y, s: r.compute_spend(y, s) / BN), 3, "spend")
        table(p, "startup quality at year end [1]", years, startups, "startup",
              per_startup(lambda r, y, s: r.year_end("startup_quality", y, s)), 4, "quality")
        table(p, f"startup valuation at year end [bn {cur}]", years, startups, "startup",
              per_startup(lambda r, y, s: r.year_end("startup_valuation", y, s) / BN), 3, "valuation")
        table(p, "startup alive at year end [1: in business, 0: failed]", years, startups, "startup",
              per_startup(lambda r, y, s: r.year_end("startup_alive", y, s)), 0, "alive")
        table(p, "startup GPU-hours rented [million gpu_hour/year]", years, startups, "startup",
              per_startup(lambda r, y, s: r.gpu_hours(y, s) / 1e6), 3, "gpu_hours")

    investors = []
    for run in runs:
        for y in years:
            for who in run.deal_sums(y):
                if who not in investors and (who not in run.vendors or who in vendors):
                    investors.append(who)
    if investors:
        for k, what in enumerate(("amount", "credits", "commitment")):
            table(p, f"deals signed, Σ {what} [bn {cur}/year]", years, investors, "investor",
                  lambda i, y, who, k=k: runs[i].deal_sums(y).get(who, [0.0, 0.0, 0.0, 0])[k] / BN, 3, what)
    else:
        print("deals signed: none in these years\n")

    shown = set(vendors) | set(startups)
    for name, run in zip(names, runs):
        print(f"failures and down rounds, run {name} [money in bn {cur}]")
        lines = []
        for e in run.events(run.failures, "failure"):
            year = int(str(np.datetime64(e["time"], "Y")))
            if years[0] <= year <= years[-1] and str(e["id"]) in shown:
                detail = (f"customers {int(e['customers'])}" if str(e["kind"]) == "vendor"
                          else f"written off {float(e['written_off']) / BN:.3f}")
                lines.append((day(e["time"]), f"failure     {str(e['kind']):<8} {str(e['id']):<16}"
                              f" cash {float(e['cash']) / BN:.3f}, {detail}"))
        for e in run.events(run.deals, "deal"):
            year = int(str(np.datetime64(e["time"], "Y")))
            if int(e["down_round"]) and years[0] <= year <= years[-1] and str(e["startup_id"]) in shown:
                lines.append((day(e["time"]), f"down round  startup  {str(e['startup_id']):<16}"
                              f" pre-money {float(e['pre_money']) / BN:.3f} < last post-money"
                              f" {float(e['last_post_money']) / BN:.3f}, investor {e['investor_id']},"
                              f" amount {float(e['amount']) / BN:.3f}"))
        for date, text in sorted(lines):
            print(f"{date}  {text}")
        if not lines:
            print("none")
        print()
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
