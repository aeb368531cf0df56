#!/usr/bin/python3
"""Batch sweeps of cloudmarket scenarios: plan, run (locally, on MPI ranks or as a Slurm array),
collect and analyse. `cloudmarket sweep ...` runs this script with `--binary` set to itself.

usage:
  sweep.py [run] SWEEP.yaml -o DIR [--jobs N] [--resume] [--mpi] --binary B
  sweep.py plan SWEEP.yaml -o DIR [--runs-per-task K] --binary B
  sweep.py run-one DIR --index I [--resume] [--binary B]
  sweep.py collect DIR
  sweep.py analyze DIR

Exit codes: 0 every run finished ok; 1 some run failed or timed out (the others still ran, and
sweep.h5 is written), or a failure while running; 2 invalid input (usage, sweep file, base
scenario), reported before any run starts. docs/sweep.md has the details.
"""
import argparse
import os
import shlex
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sweeplib import runner  # noqa: E402
from sweeplib.sweepfile import SweepFileError, check_with_binary, load  # noqa: E402

OK, FAILURE, INVALID = 0, 1, 2
VERBS = ("run", "plan", "run-one", "collect", "analyze")
PROG = "cloudmarket sweep"


def fail(message, code=INVALID):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(INVALID)


def parse(argv):
    parser = _Parser(prog=PROG, description="Batch sweeps of cloudmarket scenarios (docs/sweep.md).")
    sub = parser.add_subparsers(dest="verb", metavar="{run,plan,run-one,collect,analyze}", parser_class=_Parser)

    def common(p):
        p.add_argument("--binary", help="the cloudmarket binary (set by `cloudmarket sweep`)")
        p.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")

    p = sub.add_parser("run", help="run a sweep (the default verb)")
    p.add_argument("sweep", help="sweep file (schema cloudmarket-sweep/1)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="sweep directory")
    p.add_argument("--jobs", "-j", type=int, help="runs at a time (default: the sweep file's jobs, else the CPU count)")
    p.add_argument("--resume", action="store_true", help="keep runs that finished ok, run the others")
    p.add_argument("--mpi", action="store_true", help="rank 0 hands runs to the other ranks (under mpirun)")
    common(p)

    p = sub.add_parser("plan", help="write DIR/manifest.json and DIR/slurm.sbatch, run nothing")
    p.add_argument("sweep")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--runs-per-task", type=int, default=1, metavar="K", help="runs per Slurm array task (default 1)")
    p.add_argument("--job-name", default=None, help="Slurm job name (default: the sweep's name)")
    common(p)

    p = sub.add_parser("run-one", help="run one run of a planned sweep (a Slurm array task)")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--index", type=int, required=True, metavar="I")
    p.add_argument("--resume", action="store_true", help="do nothing if the run already finished ok")
    common(p)

    p = sub.add_parser("collect", help="gather runs into DIR/sweep.h5")
    p.add_argument("directory", metavar="DIR")
    common(p)

    p = sub.add_parser("analyze", help="Sobol or Morris indices into DIR/sweep.h5 (group sensitivity)")
    p.add_argument("directory", metavar="DIR")
    common(p)

    if argv and argv[0] not in VERBS and not argv[0].startswith("-"):
        argv = ["run", *argv]
    if not argv:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: a sweep file or a verb is required", file=sys.stderr)
        sys.exit(INVALID)
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.error("a sweep file or a verb is required")
    for name in ("jobs", "runs_per_task"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got {value}")
    if getattr(args, "index", None) is not None and args.index < 0:
        parser.error(f"--index must be >= 0, got {args.index}")
    return args


def default_binary():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for candidate in (os.path.join(here, "build", "cloudmarket"),):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


# ------------------------------------------------------------------------------------------------
# Planning
# ------------------------------------------------------------------------------------------------

def _same_runs(a, b):
    key = lambda m: (m["base"], [(r["point"], r["replication"], r["seed"], r["set"]) for r in m["runs"]])  # noqa: E731
    return key(a) == key(b)


def _has_results(directory):
    for sub in ("runs", "status"):
        path = os.path.join(directory, sub)
        if os.path.isdir(path) and any(not n.startswith(".") for n in os.listdir(path)):
            return True
    return False


def prepare_directory(directory, manifest, resume, replan=False):
    """Check DIR against the new manifest, lock DIR and write the manifest; returns the lock's
    file descriptor. Raises ValueError for invalid input, runner.Busy if DIR is locked."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise ValueError(f"{directory} exists and is not a directory")
    old = runner.load_manifest(directory) if os.path.isdir(directory) else None
    if old is not None:
        results = _has_results(directory)
        if not _same_runs(old, manifest) and results:
            raise ValueError(f"{directory} holds results of a different sweep (planned from "
                             f"{old.get('sweep_file')}); choose another directory")
        if results and not resume and not replan:
            raise ValueError(f"{directory} already holds results of this sweep; "
                             "use --resume to finish it, or choose another directory")
    elif os.path.isdir(directory) and os.listdir(directory):
        raise ValueError(f"{directory} is not empty and holds no sweep (no manifest.json); choose another directory")
    for sub in ("", "runs", "status"):
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    lock = runner.lock_directory(directory)  # before the manifest: never rewrite a running sweep's
    try:
        runner.write_json_atomic(runner.manifest_path(directory), manifest)
    except BaseException:
        os.close(lock)
        raise
    return lock


def load_checked(path, binary):
    """The sweep file checked on its own and against the base scenario; raises SweepFileError."""
    sweep = load(path)
    check_with_binary(sweep, binary)
    return sweep


def _slurm_time(seconds):
    seconds = int(seconds) + 1
    days, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{days}-{h:02d}:{m:02d}:{s:02d}"


def write_slurm(directory, manifest, binary, runs_per_task, job_name):
    n = len(manifest["runs"])
    tasks = (n + runs_per_task - 1) // runs_per_task
    directory = os.path.abspath(directory)
    minutes = runs_per_task * manifest["timeout_seconds"] + 300
    q = shlex.quote
    script = f"""#!/bin/bash
# Slurm array job for the cloudmarket sweep '{manifest['name']}' ({n} runs, {runs_per_task} per task).
# Written by `cloudmarket sweep plan`. Submit, then collect when every task has ended:
#
#   jobid=$(sbatch --parsable {q(os.path.join(directory, 'slurm.sbatch'))})
#   sbatch --dependency=afterany:$jobid --wrap '{binary} sweep collect {directory}'
#
# or later, by hand: {binary} sweep collect {directory}
# Tasks that failed or were cut short can be re-submitted as they are: each run is skipped when it
# already finished ok (--resume), and its seed does not depend on the task that runs it.
# Add partition, account, memory and the like to suit your cluster; a task's time limit allows
# each of its runs timeout_seconds ({manifest['timeout_seconds']:g} s) plus 5 minutes.
#SBATCH --job-name={job_name}
#SBATCH --array=0-{tasks - 1}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --time={_slurm_time(minutes)}
#SBATCH --output={directory}/slurm/%A_%a.out

# HDF5 file locking fails or hangs on many shared filesystems (NFS, Lustre); every run writes
# its own file, so locking is not needed.
export HDF5_USE_FILE_LOCKING=FALSE

CLOUDMARKET={q(binary)}
DIR={q(directory)}
RUNS={n}
PER_TASK={runs_per_task}

first=$(( SLURM_ARRAY_TASK_ID * PER_TASK ))
last=$(( first + PER_TASK - 1 ))
(( last >= RUNS )) && last=$(( RUNS - 1 ))
status=0
for (( i = first; i <= last; i++ )); do
  "$CLOUDMARKET" sweep run-one "$DIR" --index "$i" --resume || status=1
done
exit $status
"""
    os.makedirs(os.path.join(directory, "slurm"), exist_ok=True)
    path = os.path.join(directory, "slurm.sbatch")
    runner.write_atomic(path, script)
    os.chmod(path, 0o755)
    return path, tasks


# ------------------------------------------------------------------------------------------------
# Verbs
# ------------------------------------------------------------------------------------------------

def _binary(args):
    binary = args.binary or default_binary()
    if not binary:
        raise SweepFileError([f"{PROG}: error: no simulator binary: pass --binary PATH"])
    return os.path.abspath(binary)


def _plan(args, resume, replan=False):
    """(sweep, manifest, binary, lock) after checking everything and writing the manifest;
    raises SweepFileError, ValueError or runner.Busy."""
    binary = _binary(args)
    sweep = load_checked(args.sweep, binary)
    manifest = sweep.manifest(binary)
    lock = prepare_directory(args.output, manifest, resume, replan)
    return sweep, manifest, binary, lock


def cmd_plan(args):
    try:
        sweep, manifest, binary, lock = _plan(args, resume=False, replan=True)
    except SweepFileError as error:
        print(error, file=sys.stderr)
        return INVALID
    except (ValueError, runner.Busy) as error:
        return fail(str(error))
    os.close(lock)
    job_name = args.job_name or f"cm-{manifest['name']}"
    path, tasks = write_slurm(args.output, manifest, binary, args.runs_per_task, job_name)
    n = len(manifest["runs"])
    print(f"planned {n} runs ({len(manifest['points'])} design points x {manifest['replications']} "
          f"replications) in {args.output}")
    print(f"Slurm: sbatch {path}   # {tasks} array tasks, {args.runs_per_task} run(s) each")
    print(f"then:  {binary} sweep collect {os.path.abspath(args.output)}")
    return OK


def _finish(directory, manifest, progress, quiet, started):
    """Summary, collect, and for sensitivity designs analyze; returns the exit code."""
    progress.close()
    runs = manifest["runs"]
    states = [(runner.read_status(directory, i) or {}).get("status", runner.PENDING) for i in range(len(runs))]
    failed = [i for i, s in enumerate(states) if s != runner.OK]
    if not quiet:
        counts = {s: states.count(s) for s in (runner.OK, runner.FAILED, runner.TIMEOUT, runner.PENDING)}
        parts = [f"{counts[s]} {s}" for s in counts if counts[s]]
        print(f"sweep: {len(runs)} runs: {', '.join(parts)} ({time.monotonic() - started:.1f} s)", file=sys.stderr)
        for i in failed[:10]:
            st = runner.read_status(directory, i) or {}
            tail = (st.get("stderr") or "").strip().splitlines()
            why = tail[-1] if tail else f"exit code {st.get('exit_code')}"
            print(f"  run {i} ({states[i]}): {why}  [{runner.status_path(directory, i)}]", file=sys.stderr)
        if len(failed) > 10:
            print(f"  ... and {len(failed) - 10} more", file=sys.stderr)
    from sweeplib import collect
    summary = collect.collect(directory)
    if not quiet:
        print(f"sweep: wrote {summary['path']}", file=sys.stderr)
        for name, (i, why) in summary["problems"].items():
            print(f"sweep: warning: metric '{name}' could not be computed for run {i} (and maybe others): {why}",
                  file=sys.stderr)
    if manifest["design"]["type"] in ("saltelli", "morris"):
        _analyze(directory, quiet)
    return FAILURE if failed else OK


def _analyze(directory, quiet=False):
    from sweeplib import collect
    method, fields, rows, notes = collect.analyze(directory)
    # The table is the result: it goes to stdout even with --quiet.
    print(f"{'Sobol' if method == 'sobol' else 'Morris'} sensitivity indices "
          f"(group 'sensitivity' of {os.path.join(directory, 'sweep.h5')}):")
    print(collect.format_table(method, fields, rows))
    for note in notes:
        print(f"note: {note}")


def _pending(directory, manifest, resume):
    n = len(manifest["runs"])
    if not resume:
        return list(range(n)), 0
    todo = [i for i in range(n) if not runner.is_done(directory, i)]
    return todo, n - len(todo)


def cmd_run(args):
    if args.mpi:
        try:
            from mpi4py import MPI
        except ImportError:
            return fail("--mpi needs mpi4py (Debian: apt install python3-mpi4py)")
        if MPI.COMM_WORLD.Get_size() > 1:
            return _run_mpi(args, MPI.COMM_WORLD)
    started = time.monotonic()
    try:
        sweep, manifest, binary, lock = _plan(args, args.resume)
    except SweepFileError as error:
        print(error, file=sys.stderr)
        return INVALID
    except (ValueError, runner.Busy) as error:
        return fail(str(error))
    try:
        runner.remove_stale_partials(args.output)
        indices, skipped = _pending(args.output, manifest, args.resume)
        jobs = args.jobs or sweep.jobs or os.cpu_count() or 1
        progress = runner.Progress(len(manifest["runs"]), skipped, quiet=args.quiet)
        runner.run_local(args.output, manifest, indices, binary, jobs, progress)
        return _finish(args.output, manifest, progress, args.quiet, started)
    finally:
        os.close(lock)


def _run_mpi(args, comm):
    """Rank 0 checks and plans, then hands out runs; every rank returns the same exit code."""
    started = time.monotonic()
    rank = comm.Get_rank()
    plan = None
    if rank == 0:
        try:
            sweep, manifest, binary, lock = _plan(args, args.resume)
            runner.remove_stale_partials(args.output)
            indices, skipped = _pending(args.output, manifest, args.resume)
            plan = {"code": None, "manifest": manifest, "binary": binary}
        except SweepFileError as error:
            print(error, file=sys.stderr)
            plan = {"code": INVALID}
        except (ValueError, runner.Busy) as error:
            fail(str(error))
            plan = {"code": INVALID}
        except BaseException:
            comm.bcast({"code": FAILURE}, root=0)
            raise
    plan = comm.bcast(plan, root=0)
    if plan["code"] is not None:
        return plan["code"]
    if rank != 0:
        runner.mpi_worker(comm, args.output, plan["manifest"], plan["binary"])
        return comm.bcast(None, root=0)
    try:
        progress = runner.Progress(len(manifest["runs"]), skipped, quiet=args.quiet)
        if not args.quiet:
            print(f"sweep: {comm.Get_size() - 1} MPI worker ranks", file=sys.stderr)
        runner.mpi_master(comm, indices, progress)
        code = _finish(args.output, manifest, progress, args.quiet, started)
    except BaseException:
        # The workers wait on rank 0: take the whole job down rather than leave it hanging.
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        comm.Abort(FAILURE)
    finally:
        os.close(lock)
    return comm.bcast(code, root=0)


def cmd_run_one(args):
    directory = args.directory
    manifest = runner.load_manifest(directory)
    if manifest is None:
        return fail(f"{directory} holds no planned sweep (no readable manifest.json); "
                    "run `cloudmarket sweep plan SWEEP.yaml -o DIR` first")
    n = len(manifest["runs"])
    if args.index >= n:
        return fail(f"--index {args.index} is out of range: the sweep has {n} runs (0..{n - 1})")
    if args.resume and runner.is_done(directory, args.index):
        if not args.quiet:
            print(f"run {args.index}: already done", file=sys.stderr)
        return OK
    binary = os.path.abspath(args.binary) if args.binary else manifest.get("binary")
    if not binary:
        return fail("no simulator binary: pass --binary PATH")
    status = runner.run_one(directory, manifest, args.index, binary)
    if not args.quiet:
        print(f"run {args.index}: {status['status']} (exit code {status['exit_code']}, "
              f"{status['wall_seconds']:.2f} s)", file=sys.stderr)
        if status["status"] != runner.OK and status["stderr"].strip():
            print(status["stderr"].rstrip(), file=sys.stderr)
    return OK if status["status"] == runner.OK else FAILURE


def cmd_collect(args):
    from sweeplib import collect
    try:
        summary = collect.collect(args.directory)
    except collect.CollectError as error:
        return fail(str(error))
    counts = ", ".join(f"{v} {k}" for k, v in summary["counts"].items())
    print(f"wrote {summary['path']}: {summary['runs']} runs ({counts})")
    for name, (i, why) in summary["problems"].items():
        print(f"warning: metric '{name}' could not be computed for run {i} (and maybe others): {why}",
              file=sys.stderr)
    return OK


def cmd_analyze(args):
    from sweeplib import collect
    try:
        _analyze(args.directory, args.quiet)
    except collect.CollectError as error:
        return fail(str(error))
    return OK


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    # SIGTERM (Slurm's scancel, a batch system's time limit) stops cleanly like Ctrl-C: running
    # simulators are killed and their partial files removed; finished runs stay for --resume.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return {"run": cmd_run, "plan": cmd_plan, "run-one": cmd_run_one,
                "collect": cmd_collect, "analyze": cmd_analyze}[args.verb](args)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; finish with --resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
