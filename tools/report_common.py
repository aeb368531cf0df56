"""What the run reports (price_war_report.py, investment_report.py) share: bad input, the ids a
user chooses, and the years to report (those all runs have, within --from/--to)."""


class BadInput(Exception):
    """Bad input: the report prints it and exits 2."""


def labels(ds, dim):
    """The ids along a dimension of a run's dataset (none if the run has no such dimension)."""
    return [str(x) for x in ds[dim].values] if dim in ds.coords else []


def choose(requested, available, what, path):
    """The ids of a comma-separated --<what>s option, each checked against the run's; all by default."""
    if requested is None:
        return available
    chosen = [x for x in requested.split(",") if x]
    if not chosen:
        raise BadInput(f"--{what}s names no {what}")
    for x in chosen:
        if x not in available:
            raise BadInput(f"no {what} '{x}' in {path} (it has: {', '.join(available) or 'none'})")
    return chosen


def add_year_options(parser):
    parser.add_argument("--from", dest="first", type=int, metavar="YEAR", help="first year (default: the run's)")
    parser.add_argument("--to", dest="last", type=int, metavar="YEAR", help="last year (default: the run's)")


def report_years(year_lists, first, last):
    """The years every run has (year_lists: each run's years), within [first, last] when given."""
    run_years = sorted(set(year_lists[0]))
    for years in year_lists[1:]:
        run_years = [y for y in run_years if y in set(years)]
    if not run_years:
        raise BadInput("the runs have no year in common")
    first = run_years[0] if first is None else first
    last = run_years[-1] if last is None else last
    if first > last:
        raise BadInput(f"--from {first} is after --to {last}")
    years = [y for y in run_years if first <= y <= last]
    if not years:
        raise BadInput(f"no year of the run(s) ({run_years[0]}-{run_years[-1]}) in {first}-{last}")
    return years
