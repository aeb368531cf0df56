"""compare(): two scenarios over replications with common random numbers, from Python."""
import os
import tempfile

from .binary import call, find_binary, set_arguments


def compare(a, b=None, out=None, replications=10, seed=0, set=None, set_a=None, set_b=None,  # noqa: A002
            labels=None, jobs=None, at=None, variables=None, vendors=None, figures=True, binary=None):
    """Compare scenario B with scenario A; returns the comparison Dataset (see docs/python.md).

    a, b       -- scenario files (b defaults to a, changed by set_b); or two lists of run Datasets
                  of paired replications (a[r] and b[r] ran with the same seed), compared as they are
    out        -- directory for runs, compare.h5, summary.csv/.md and figures (default: a temporary
                  one, removed once the result is loaded)
    set, set_a, set_b -- {path: value} changes for both, for A only and for B only
    at, variables, vendors -- dates, time series and vendors of summary.csv and the figures
    Raises CloudmarketError (exit code 2 and the located message) on invalid input."""
    from .comparison import analyze
    if isinstance(a, (list, tuple)):
        return analyze(list(a), list(b), tuple(labels or ("A", "B")))
    args = ["compare", os.fspath(a), *([os.fspath(b)] if b is not None else []),
            "--replications", str(int(replications)), "--seed", str(int(seed)), "--quiet"]
    for flag, overrides in (("--set", set), ("--set-a", set_a), ("--set-b", set_b)):
        args += [flag if x == "--set" else x for x in set_arguments(overrides)]
    if labels:
        args += ["--labels", ",".join(labels)]
    if jobs:
        args += ["--jobs", str(int(jobs))]
    for date in at or ():
        args += ["--at", str(date)]
    if variables:
        args += ["--variables", ",".join(variables)]
    if vendors:
        args += ["--vendors", ",".join(vendors)]
    if not figures:
        args.append("--no-figures")
    if out is not None:
        call(args + ["-o", os.fspath(out)], binary or find_binary())
        return open_comparison(out)
    with tempfile.TemporaryDirectory(prefix="cloudmarket-compare-") as tmp:
        call(args + ["-o", os.path.join(tmp, "compare")], binary or find_binary())
        return open_comparison(os.path.join(tmp, "compare"))


def open_comparison(directory):
    """compare.h5 of a comparison directory, loaded into memory."""
    from .runs import open_output
    with open_output(os.path.join(directory, "compare.h5")) as ds:
        return ds.load()
