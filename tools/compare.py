#!/usr/bin/python3
"""Compare two scenarios over replications with common random numbers: `cloudmarket compare`.

usage:
  compare.py A.yaml [B.yaml] -o DIR [--replications R] [--seed S] [--set PATH=VALUE]...
             [--set-a PATH=VALUE]... [--set-b PATH=VALUE]... [--labels A,B] [--jobs N] [--resume]
             [--at DATE]... [--variables V,...] [--vendors ID,...] [--no-figures] [--quiet] --binary B

Replication r of A and of B runs with the same seed; the paired differences B - A get means and
95% Student-t intervals for every time series. DIR gets runs/ (one output file per run), compare.h5
(every replication, means, intervals, paired differences), summary.csv and summary.md (the chosen
variables by label at the chosen dates) and figures/. Without B, B is A with --set-b applied.

Exit codes: 0 every run ok; 1 a run failed (the complete pairs are still compared) or a failure
while running; 2 invalid input, reported before any run starts. docs/whatif.md has examples.
"""
import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sweeplib import deps, runner  # noqa: E402

OK, FAILURE, INVALID = 0, 1, 2
PROG = "cloudmarket compare"


class Invalid(Exception):
    """Invalid input: the message is printed as it is, the exit code is 2."""


def parse(argv):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="exit codes: 0 all runs ok, 1 a run failed, 2 invalid input")
    p.add_argument("a", metavar="A.yaml", help="the reference scenario")
    p.add_argument("b", metavar="B.yaml", nargs="?",
                   help="the alternative scenario (default: A again, changed by --set-b)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory for runs and results")
    p.add_argument("--replications", type=int, default=10, metavar="R",
                   help="seeds per scenario, shared by A and B (default 10; at least 2 for intervals)")
    p.add_argument("--seed", type=int, default=0, help="seed from which the replications' seeds derive")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="change both scenarios")
    p.add_argument("--set-a", action="append", default=[], metavar="PATH=VALUE", help="change A only")
    p.add_argument("--set-b", action="append", default=[], metavar="PATH=VALUE", help="change B only")
    p.add_argument("--labels", metavar="A,B", help="names of the two scenarios in tables and figures")
    p.add_argument("--jobs", type=int, metavar="N", help="runs at once (default: the number of cores)")
    p.add_argument("--resume", action="store_true", help="finish a comparison DIR that was stopped")
    p.add_argument("--at", action="append", metavar="DATE",
                   help="date of the summary table (repeatable; default: the last period)")
    p.add_argument("--variables", metavar="V,...",
                   help="time series in the summary and figures (default: market_share, "
                        "vendor_gross_margin, vendor_revenue)")
    p.add_argument("--vendors", metavar="ID,...", help="only these vendors in the summary and figures")
    p.add_argument("--timeout", type=float, default=3600, metavar="SECONDS", help="limit of one run")
    p.add_argument("--no-figures", action="store_true", help="write no figures")
    p.add_argument("--quiet", action="store_true", help="no progress and no table on the terminal")
    p.add_argument("--binary", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.replications < 1:
        p.error("--replications must be at least 1")
    if args.jobs is not None and args.jobs < 1:
        p.error("--jobs must be at least 1")
    if args.b is None and not args.set_b:
        p.error("give B.yaml, or --set-b to say how B differs from A")
    return args


def _list(text):
    return [x.strip() for x in text.split(",") if x.strip()] if text else None


def check_inputs(args, binary):
    """Both scenarios with their settings validated by the simulator, and the --at dates checked
    against A's horizon, before any run (exit 2)."""
    import subprocess
    import yaml
    from cloudmarket.comparison import check_dates
    vendors = set()
    for path, extra in ((args.a, args.set_a), (args.b or args.a, args.set_b)):
        cmd = [binary, "validate", path, "--print"]
        for assignment in args.set + extra:
            cmd += ["--set", assignment]
        proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise Invalid(proc.stderr.strip() or f"{path}: invalid (exit code {proc.returncode})")
        resolved = yaml.safe_load(proc.stdout)
        if "time" not in resolved:
            raise Invalid(f"{PROG}: error: {path} is a game file; compare takes scenarios")
        vendors.update(str(v["id"]) for v in resolved.get("vendors", []))
        if path == args.a and args.at:
            time_ = resolved["time"]
            try:
                check_dates(args.at, str(time_["start"]), int(time_["years"]))
            except ValueError as error:
                raise Invalid(f"{PROG}: error: --at: {error}")
    from sweeplib import output_variables
    from sweeplib.sweepfile import did_you_mean
    output_variables.use_binary(binary)
    for name in _list(args.variables) or ():
        if name not in output_variables.OUTPUT_VARIABLES:
            raise Invalid(f"{PROG}: error: --variables: '{name}' is not a time series of a run"
                          f"{did_you_mean(name, output_variables.OUTPUT_VARIABLES)}")
    unknown = sorted(set(_list(args.vendors) or ()) - vendors)
    if unknown:
        raise Invalid(f"{PROG}: error: --vendors: no vendor {', '.join(unknown)} in these scenarios "
                      f"(they have {', '.join(sorted(vendors))})")


def main_run(args):
    from cloudmarket import comparison
    started = time.monotonic()
    from cloudmarket.binary import CloudmarketError, find_binary
    try:
        binary = os.path.abspath(args.binary or find_binary())
    except CloudmarketError as error:
        raise Invalid(f"{PROG}: error: {error}")
    labels = _list(args.labels)
    if labels is not None and (len(labels) != 2 or labels[0] == labels[1]):
        raise Invalid(f"{PROG}: error: --labels takes two different names, A,B")
    check_inputs(args, binary)
    manifest = comparison.plan(args.a, args.b or args.a, args.replications, args.seed, args.set, args.set_a,
                               args.set_b, args.timeout, labels)
    try:
        lock = runner.prepare_directory(args.output, manifest, args.resume, kind="comparison")
    except (ValueError, runner.Busy) as error:
        raise Invalid(f"{PROG}: error: {error}")
    try:
        runner.remove_stale_partials(args.output)
        n = len(manifest["runs"])
        indices = [i for i in range(n) if not (args.resume and runner.is_done(args.output, i))]
        progress = runner.Progress(n, n - len(indices), quiet=args.quiet, label="compare")
        runner.run_local(args.output, manifest, indices, binary, args.jobs or os.cpu_count() or 1, progress)
        progress.close()
        failed = report_failures(args.output, manifest, args.quiet)
        try:
            result = comparison.write_results(args.output, manifest, dates=args.at, variables=_list(args.variables),
                                              vendors=_list(args.vendors), figures=not args.no_figures)
        except comparison.NothingToCompare as error:
            print(f"{PROG}: error: {error} (finished runs are kept: fix the cause and finish with --resume)",
                  file=sys.stderr)
            return FAILURE
    finally:
        lock.release()
    if not args.quiet:
        print(result["table"])
        print(f"\n{PROG}: {result['pairs']} paired replications in {time.monotonic() - started:.1f} s; wrote "
              f"{', '.join(result['written'])} in {args.output}", file=sys.stderr)
    return FAILURE if failed else OK


def report_failures(directory, manifest, quiet):
    """Runs that did not finish ok, told on stderr; returns their number."""
    bad = [r for r in manifest["runs"] if not runner.is_done(directory, r["index"])]
    if not quiet:
        for r in bad[:10]:
            status = runner.read_status(directory, r["index"]) or {}
            print(f"  run {r['index']} (scenario {manifest['labels'][r['point']]}, replication "
                  f"{r['replication']}): {status.get('status', 'pending')}: {runner.why_not_ok(status)}",
                  file=sys.stderr)
    return len(bad)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return main_run(args)
    except Invalid as error:
        print(error, file=sys.stderr)
        return INVALID
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; finished runs are kept: finish with --resume", file=sys.stderr)
        return 130
    except runner.LockError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return FAILURE
    except ImportError as error:
        print(f"{PROG}: error: {deps.missing_message(error)}", file=sys.stderr)
        return FAILURE


if __name__ == "__main__":
    sys.exit(main())
