#!/usr/bin/python3
"""Check cloudmarket output files (scenario runs and games) against the conventions of
docs/output.md ("Units", "CF metadata"): CF-1.8 global attributes, a long_name on every variable,
UDUNITS-2 units on every numeric one (money as an ISO 4217 code, see tools/cf_units.py),
cell_methods on every numeric variable along time, consistent time_bnds and _FillValue of the
variable's own type.

usage: tools/cf_check.py FILE.h5 [FILE.h5 ...]
Prints one line per problem; exit status 0 when there is none, 1 when there are, 2 when a file
cannot be read.
"""
import sys

import numpy as np

from cf_units import is_currency, text_of, udunits_problem

GLOBALS = ("Conventions", "title", "institution", "source", "history", "references", "comment")
# CF-1.8 Appendix E
CELL_METHODS = ("point", "sum", "maximum", "median", "mid_range", "minimum", "mean", "mode",
                "standard_deviation", "variance")


def _currency(attrs):
    """The file's currency code: a run's `currency`, or an ISO 4217 token of a game's price_units."""
    if "currency" in attrs:
        return text_of(attrs["currency"])
    for token in text_of(attrs.get("price_units", "")).replace("/", " ").split():
        if is_currency(token):
            return token
    return ""


def _variables(group, prefix=""):
    """(path, variable) of every variable of `group` and its subgroups."""
    for name, var in group.variables.items():
        yield prefix + name, var
    for name, sub in group.groups.items():
        yield from _variables(sub, prefix + name + "/")


def _cell_methods_problem(text):
    if not text.startswith("time: "):
        return f"cell_methods '{text}' does not start with 'time: '"
    method = text[len("time: "):].split(" ", 1)[0]
    if method not in CELL_METHODS:
        return f"cell_methods '{text}': '{method}' is not a CF method"
    return None


def _time_bounds_problems(root):
    if "time" not in root.variables:
        return []
    time = root.variables["time"]
    if text_of(time.attrs.get("bounds", "")) != "time_bnds":
        return ["time: no bounds attribute 'time_bnds'"]
    if "time_bnds" not in root.variables:
        return ["time_bnds: missing"]
    bnds = root.variables["time_bnds"]
    problems = []
    if bnds.dimensions != ("time", "nv") or bnds.shape[1:] != (2,):
        problems.append(f"time_bnds: dimensions {bnds.dimensions} {bnds.shape}, not (time, nv=2)")
        return problems
    for key in ("units", "calendar"):
        if text_of(bnds.attrs.get(key, "")) != text_of(time.attrs.get(key, "")):
            problems.append(f"time_bnds: {key} differs from time's")
    t, b = np.asarray(time[...]), np.asarray(bnds[...])
    if len(t) and not np.array_equal(b[:, 0], t):
        problems.append("time_bnds: the start of a period is not its time")
    if len(t) and not np.all(b[:, 1] > b[:, 0]):
        problems.append("time_bnds: a period does not end after it starts")
    if len(t) > 1 and not np.array_equal(b[1:, 0], b[:-1, 1]):
        problems.append("time_bnds: a period does not start where the previous one ends")
    return problems


def check_file(path, units_problem=udunits_problem):
    """The problems of one output file, as text lines (empty: it follows the conventions)."""
    import h5netcdf
    problems = []
    with h5netcdf.File(path, "r") as f:
        currency = _currency(f.attrs)
        for key in GLOBALS:
            if not text_of(f.attrs.get(key, "")).strip():
                problems.append(f"global attribute {key}: missing or empty")
        for name, var in _variables(f):
            attrs = var.attrs
            if not text_of(attrs.get("long_name", "")).strip():
                problems.append(f"{name}: no long_name")
            numeric = var.dtype.kind in "iuf"
            if numeric:
                if "units" not in attrs:
                    problems.append(f"{name}: no units")
                else:
                    units = text_of(attrs["units"])
                    problem = units_problem(units, currency)
                    if problem:
                        problems.append(f"{name}: units '{units}': {problem}")
            along_time = var.dimensions[:1] == ("time",) and "/" not in name
            if numeric and along_time and name not in ("time", "time_bnds"):
                text = text_of(attrs.get("cell_methods", ""))
                problem = _cell_methods_problem(text) if text else "no cell_methods"
                if problem:
                    problems.append(f"{name}: {problem}")
            if "_FillValue" in attrs and np.asarray(attrs["_FillValue"]).dtype != var.dtype:
                problems.append(f"{name}: _FillValue of type {np.asarray(attrs['_FillValue']).dtype}, "
                                f"not the variable's {var.dtype}")
        problems += _time_bounds_problems(f)
    return problems


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    status = 0
    for path in argv:
        try:
            problems = check_file(path)
        except (OSError, ValueError) as error:
            print(f"cf_check.py: error: cannot read {path}: {error}", file=sys.stderr)
            return 2
        for p in problems:
            print(f"{path}: {p}")
        status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
