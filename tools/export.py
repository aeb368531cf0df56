#!/usr/bin/python3
"""Write a cloudmarket output file or sweep directory as long CSV tables: `cloudmarket export`.

usage:
  export.py OUT.h5 | SWEEP_DIR | COMPARE_DIR  -o DIR [--format csv] [--variables V,...]

A run's (or game's) file gives one table per set of dimensions (time_vendor.csv, time_segment.csv,
...) and per group (events_deals_deal.csv, ...). A sweep directory gives sweep.csv (one row per run:
design columns, status and metrics) and, with --variables, those time series of every run stacked
with the run's design columns (run_time_vendor.csv, ...). A comparison directory exports its
compare.h5. Exit codes: 0 written; 2 invalid input; 1 failure while writing.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sweeplib import deps  # noqa: E402

PROG = "cloudmarket export"


def main(argv=None):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0],
                                epilog="exit codes: 0 written, 1 failure while writing, 2 invalid input")
    p.add_argument("input", metavar="OUT.h5|DIR",
                   help="output file of `cloudmarket run`/`game`, or a sweep or comparison directory")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory for the CSV files")
    p.add_argument("--format", choices=("csv",), default="csv", help="table format (default csv)")
    p.add_argument("--variables", metavar="V,...",
                   help="only these variables (a file's root variables; a sweep's runs' time series)")
    p.add_argument("--quiet", action="store_true", help="do not list the files written")
    args = p.parse_args(argv)
    variables = [v.strip() for v in args.variables.split(",") if v.strip()] if args.variables else None
    try:
        import cloudmarket
        if os.path.isdir(args.input) and os.path.isfile(os.path.join(args.input, "compare.h5")):
            written = cloudmarket.export_file(os.path.join(args.input, "compare.h5"), args.output, variables)
        elif os.path.isdir(args.input):
            written = cloudmarket.export_sweep(args.input, args.output, variables)
        elif os.path.isfile(args.input):
            written = cloudmarket.export_file(args.input, args.output, variables)
        else:
            print(f"{PROG}: error: {args.input}: no such file or directory", file=sys.stderr)
            return 2
    except (KeyError, FileNotFoundError, ValueError) as error:
        print(f"{PROG}: error: {str(error).strip(chr(34))}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except ImportError as error:
        print(f"{PROG}: error: {deps.missing_message(error)}", file=sys.stderr)
        return 1
    if not args.quiet:
        for name, rows in written:
            print(f"{os.path.join(args.output, name)}  ({rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
