"""`cloudmarket calibrate SCENARIO TARGETS -o DIR`: the method of simulated moments.

Checks everything first (the targets file and its `calibrate:` section, the scenario, every
parameter at its min and max), then searches θ (search.py) with every evaluation's runs going
through the sweep machinery (store.py), measures identification at the optimum
(identification.py) and writes DIR/sweep.h5, best.yaml, calibrated.yaml, fit.txt and fit.png.
docs/calibration.md is the contract.

Exit codes: 0 the search ended (whether or not every moment passes); 1 no feasible evaluation
(runs failed, derived values ≤ 0 everywhere, moments undefined), or a failure while running (a
full disk, a lock the filesystem cannot take); 2 invalid input, before any run; 130 after Ctrl-C,
143 after SIGTERM (running simulators are killed, finished runs are kept for --resume).
"""
import argparse
import os
import signal
import sys
import time

from sweeplib import output_variables, runner
from sweeplib.sweepfile import SweepFileError, derive_seed

OK, FAILURE, INVALID = 0, 1, 2
PROG = "cloudmarket calibrate"


class Terminated(SystemExit):
    def __init__(self):
        super().__init__(128 + signal.SIGTERM)


def _on_sigterm(*_):
    raise Terminated()


def parse(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Estimate scenario parameters by the method of simulated moments "
                                       "(docs/calibration.md).")
    p.add_argument("scenario", metavar="SCENARIO", help="the scenario to calibrate")
    p.add_argument("targets", metavar="TARGETS", help="targets file (schema cloudmarket-targets/1) with a "
                                                      "'calibrate:' section")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="calibration directory")
    p.add_argument("--jobs", "-j", type=int, default=None, help="runs at a time (default: the CPU count)")
    p.add_argument("--mpi", action="store_true", help="rank 0 searches, the other ranks run (under mpirun)")
    p.add_argument("--resume", action="store_true", help="re-use the runs already in DIR")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--binary", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        p.error(f"--jobs must be >= 1, got {args.jobs}")
    return args


def seeds(calibration):
    """The R seeds, the same at every evaluation (common random numbers)."""
    return [derive_seed(calibration.seed, "calibrate", "replication", r) for r in range(calibration.replications)]


def _fail(message, code):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _load(args, binary):
    """(targets, problem, resolved scenario); raises SweepFileError."""
    from . import problem as problem_mod
    from . import targets as targets_mod
    if not binary or not os.access(binary, os.X_OK):
        raise SweepFileError([f"{PROG}: error: cannot run the simulator '{binary}' (pass --binary PATH)"])
    targets = targets_mod.load(args.targets)
    if targets.calibration is None:
        raise SweepFileError([f"{args.targets}:1:1: error: no 'calibrate' section: `calibrate` needs one saying "
                              "which parameters to estimate (docs/calibration.md)"])
    problem, resolved = problem_mod.check(targets.calibration, args.scenario, binary, args.targets)
    return targets, problem, resolved


def main(argv, binary=None):
    args = parse(list(argv))
    binary = os.path.abspath(binary or args.binary or "")
    output_variables.use_binary(binary)  # targets name its variables (a binary that cannot run is passed over)
    signal.signal(signal.SIGTERM, _on_sigterm)
    comm = None
    if args.mpi:
        try:
            from mpi4py import MPI
        except ImportError:
            return _fail("--mpi needs mpi4py (Debian: python3-mpi4py)", FAILURE)
        comm = MPI.COMM_WORLD if MPI.COMM_WORLD.Get_size() > 1 else None
    try:
        if comm is not None and comm.Get_rank() != 0:
            return _worker(comm, args, binary)
        return _calibrate(args, binary, comm)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; finished runs are kept: re-run with --resume", file=sys.stderr)
        return 130
    except Terminated as stop:
        print(f"{PROG}: terminated (SIGTERM); finished runs are kept: re-run with --resume", file=sys.stderr)
        return stop.code
    except BrokenPipeError:
        return FAILURE
    except runner.LockError as error:
        return _fail(str(error), FAILURE)
    except OSError as error:  # the directory's filesystem said no (full, read-only, gone)
        where = f" ({error.filename})" if error.filename else ""
        return _fail(f"{error.strerror or error}{where}", FAILURE)


def _worker(comm, args, binary):
    from . import store
    message, _ = runner.mpi_recv(comm, 0)
    if message[0] == "exit":
        return message[1]
    return store.mpi_worker(comm, message[1], binary)


def _calibrate(args, binary, comm):
    from . import store as store_mod

    def release_workers(code):
        if comm is not None:
            for rank in range(1, comm.Get_size()):
                comm.send(("exit", code), dest=rank)

    started = time.monotonic()
    try:
        targets, problem, resolved = _load(args, binary)
    except SweepFileError as error:
        print(error, file=sys.stderr)
        release_workers(INVALID)
        return INVALID
    except BaseException:
        release_workers(FAILURE)
        raise
    cal = targets.calibration
    run_seeds = seeds(cal)
    if comm is not None:
        pool = store_mod.MpiPool(comm, binary)
    else:
        pool = store_mod.LocalPool(binary, args.jobs or os.cpu_count() or 1)
    name = targets.name
    try:
        store = store_mod.RunStore(args.output, args.scenario, binary, run_seeds, pool, args.resume, name)
    except (store_mod.DirectoryError, runner.Busy) as error:
        release_workers(INVALID)
        return _fail(str(error), INVALID)
    except BaseException:  # a lock or filesystem failure: the workers must not wait forever
        release_workers(FAILURE)
        raise
    if comm is not None:
        for rank in range(1, comm.Get_size()):
            comm.send(("go", args.output), dest=rank)
    from .evaluations import BadMoment
    code = FAILURE
    try:
        code = _search(args, targets, problem, resolved, store, run_seeds, started)
        return code
    except BadMoment as error:
        print(error, file=sys.stderr)
        code = INVALID
        return code
    except BaseException as stop:
        if comm is not None:  # workers wait on rank 0: take the job down rather than leave it hanging
            code = stop.code if isinstance(stop, SystemExit) and isinstance(stop.code, int) else \
                130 if isinstance(stop, KeyboardInterrupt) else FAILURE
            print(f"{PROG}: stopped; aborting the MPI job", file=sys.stderr)
            sys.stderr.flush()
            comm.Abort(code)
        raise
    finally:
        store.close()
        pool.close(code)


def _search(args, targets, problem, resolved, store, run_seeds, started):
    from . import evaluations, fitplot, identification, outputs, search
    from . import targets as targets_mod
    cal = targets.calibration
    progress = evaluations.Progress(args.quiet)
    evaluator = evaluations.Evaluator(problem, targets, store, progress)
    spec_g, spec_l = cal.search["global"], cal.search["local"]
    progress.say(f"{problem.d} parameter(s), {len(targets.moments)} moment(s), {cal.replications} replication(s) "
                 f"per evaluation; global {spec_g['design']} of {spec_g['samples']} points, then "
                 f"{spec_l['method']} from the {spec_l.get('starts', 1)} best")
    search.run_global(problem, evaluator, spec_g, cal.seed)
    starts = search.pick_starts(evaluator.records, int(spec_l.get("starts", 1) or 1))
    if not starts:
        progress.end_line()
        return _no_feasible(evaluator, args)
    search.run_local(evaluator, starts, spec_l)
    best = evaluator.best
    around = evaluator.evaluate(identification.points(best.u), "identification")
    evaluator.best = best  # the optimum is the search's; its neighbours only measure the slope
    progress.end_line()

    fitted = evaluator.w > 0
    D = identification.jacobian(best, around, fitted)
    report = identification.Report(problem.names, D, evaluator.w[fitted], cal.replications,
                                   problem.dtheta_du(best.u),
                                   [m.name for k, m in enumerate(targets.moments) if fitted[k]])
    rows = targets_mod.fit_rows(targets, best.values)
    table = targets_mod.format_fit(targets, rows, replications=cal.replications)
    fitted_rows = [r for r in rows if r.moment.weight > 0]
    passed = sum(1 for r in fitted_rows if r.passed)
    stages = {}
    for ev in evaluator.records:
        stages[ev.stage] = stages.get(ev.stage, 0) + 1
    summary = (f"{len(evaluator.records)} evaluations ({', '.join(f'{v} {k}' for k, v in stages.items())}), "
               f"{store.ran} runs run, {store.reused} re-used, {time.monotonic() - started:.1f} s")
    info = {"scenario": args.scenario, "targets": args.targets, "seeds": run_seeds,
            "passed": f"{passed} of {len(fitted_rows)}"}
    out = args.output
    outputs.write_sweep_h5(os.path.join(out, "sweep.h5"), targets, problem, evaluator, info)
    outputs.write_best(os.path.join(out, "best.yaml"), targets, problem, best, rows, report, info)
    outputs.write_calibrated(os.path.join(out, "calibrated.yaml"), out, args.scenario, targets, problem, best,
                             resolved, info, report)
    outputs.write_fit_txt(os.path.join(out, "fit.txt"), targets, table, report, best, problem, info, summary)
    fitplot.plot_fit(os.path.join(out, "fit.png"), targets, rows, f"{targets.name} (J = {best.J:.4g})")

    print(f"Calibration of {args.scenario} to '{targets.name}': J = {best.J:.6g} at evaluation {best.number}")
    for j, p in enumerate(problem.params):
        print(f"  {p.name} = {best.theta[j]:.6g}")
    print()
    print(table)
    print()
    print(report.text(best.theta))
    print()
    print(f"{passed} of {len(fitted_rows)} fitted moments pass; {summary}")
    print(f"wrote {', '.join(os.path.join(out, n) for n in ('sweep.h5', 'best.yaml', 'calibrated.yaml', 'fit.txt', 'fit.png'))}")
    return OK


def _no_feasible(evaluator, args):
    print(f"{PROG}: error: no feasible evaluation among the {len(evaluator.records)} of the global stage",
          file=sys.stderr)
    shown = 0
    for ev in evaluator.records:
        if shown == 5:
            break
        print(f"  evaluation {ev.number}: {ev.why}", file=sys.stderr)
        shown += 1
    if evaluator.failed_runs:
        print(f"  ({evaluator.failed_runs} runs failed; their status files are in {args.output}/status)",
              file=sys.stderr)
    return FAILURE
