#!/usr/bin/python3
"""Batch sweeps of cloudmarket scenarios: plan, run (locally, on MPI ranks or as a Slurm array),
collect and analyse. `cloudmarket sweep ...` runs this script with `--binary` set to itself.

usage:
  sweep.py [run] SWEEP.yaml -o DIR [--jobs N] [--resume] [--mpi] [--no-lock] --binary B
  sweep.py plan SWEEP.yaml -o DIR [--runs-per-task K] [--partition P] [--time T] [--mem M]
           [--array-max N] --binary B
  sweep.py run-one DIR --index I[-J] [--resume] [--binary B]
  sweep.py status DIR
  sweep.py collect DIR [--partial]
  sweep.py analyze DIR

Exit codes: 0 every run finished ok; 1 some run failed, timed out, was killed or has not run (the
others still ran, and sweep.h5 is written), or a failure while running; 2 invalid input (usage,
sweep file, base scenario), reported before any run starts. docs/sweep.md has the details.
"""
import argparse
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sweeplib import batch, deps, output_variables, runner  # noqa: E402  (standard library only: run-one starts fast)

OK, FAILURE, INVALID = 0, 1, 2
VERBS = ("run", "plan", "run-one", "status", "collect", "analyze")
PROG = "cloudmarket sweep"
DEFAULT_MEM = "2G"
DEFAULT_ARRAY_MAX = 1001  # Slurm's default MaxArraySize


class SweepFileError(Exception):
    """Stands in until sweeplib.sweepfile (which needs PyYAML) is imported."""


def _sweepfile():
    global SweepFileError
    from sweeplib import sweepfile
    SweepFileError = sweepfile.SweepFileError
    return sweepfile


class Terminated(SystemExit):
    """SIGTERM (scancel, a batch system's time limit, kill): stop like Ctrl-C."""

    def __init__(self):
        super().__init__(128 + signal.SIGTERM)


def _on_sigterm(*_):
    raise Terminated()


def fail(message, code=INVALID):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _index_range(text):
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not an index I or a range I-J")
    first, last = int(m[1]), int(m[2] if m[2] is not None else m[1])
    if last < first:
        raise argparse.ArgumentTypeError(f"the range '{text}' is empty")
    return first, last


def parse_slurm_time(text):
    """Seconds of a Slurm time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS); None for UNLIMITED."""
    text = text.strip()
    if text.upper() in ("UNLIMITED", "INFINITE"):
        return None
    m = re.fullmatch(r"(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?", text)
    if not m:
        raise ValueError(f"'{text}' is not a Slurm time (MM, HH:MM:SS or D-HH:MM:SS)")
    days, a, b, c = m.groups()
    if days is not None:  # D-HH[:MM[:SS]]
        h, mi, se = int(a), int(b or 0), int(c or 0)
        return int(days) * 86400 + h * 3600 + mi * 60 + se
    if c is not None:
        return int(a) * 3600 + int(b) * 60 + int(c)
    if b is not None:
        return int(a) * 60 + int(b)
    return int(a) * 60


def _slurm_time_arg(text):
    try:
        seconds = parse_slurm_time(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if not seconds:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time limit")
    return seconds


def _mem_arg(text):
    if not re.fullmatch(r"[1-9]\d*[KMGT]?", text.strip()):
        raise argparse.ArgumentTypeError(f"'{text}' is not a Slurm memory size such as 2G or 500M")
    return text.strip()


def parse(argv):
    parser = argparse.ArgumentParser(prog=PROG, description="Batch sweeps of cloudmarket scenarios (docs/sweep.md).")
    sub = parser.add_subparsers(dest="verb", metavar="{" + ",".join(VERBS) + "}")

    def common(p):
        # Set by `cloudmarket sweep` to itself: not for users, so not in the help.
        p.add_argument("--binary", help=argparse.SUPPRESS)
        p.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")

    def no_lock(p):
        p.add_argument("--no-lock", action="store_true",
                       help="do not lock DIR (you vouch that no other sweep process uses it)")

    p = sub.add_parser("run", help="run a sweep (the default verb)")
    p.add_argument("sweep", help="sweep file (schema cloudmarket-sweep/1)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="sweep directory")
    p.add_argument("--jobs", "-j", type=int, help="runs at a time (default: the sweep file's jobs, else the CPU count)")
    p.add_argument("--resume", action="store_true", help="keep runs that finished ok, run the others")
    p.add_argument("--mpi", action="store_true", help="rank 0 hands runs to the other ranks (under mpirun)")
    no_lock(p)
    common(p)

    p = sub.add_parser("plan", help="write DIR/manifest.json and DIR/slurm.sbatch, run nothing")
    p.add_argument("sweep", help="sweep file (schema cloudmarket-sweep/1)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="sweep directory")
    p.add_argument("--runs-per-task", type=int, default=1, metavar="K",
                   help="runs per Slurm array task (default 1; raised to fit --array-max)")
    p.add_argument("--job-name", default=None, help="Slurm job name (default: the sweep's name)")
    p.add_argument("--partition", default=None, help="Slurm partition (default: the cluster's default)")
    p.add_argument("--account", default=None, help="Slurm account")
    p.add_argument("--time", type=_slurm_time_arg, default=None, metavar="T",
                   help="time limit of a task (default: K x timeout_seconds + 5 minutes)")
    p.add_argument("--mem", type=_mem_arg, default=DEFAULT_MEM, metavar="M",
                   help=f"memory of a task (default {DEFAULT_MEM})")
    p.add_argument("--array-max", type=int, default=None, metavar="N",
                   help=f"most array tasks the cluster takes (default: MaxArraySize from scontrol, else "
                        f"{DEFAULT_ARRAY_MAX})")
    no_lock(p)
    common(p)

    p = sub.add_parser("run-one", help="run some runs of a planned sweep (a Slurm array task)")
    p.add_argument("directory", metavar="DIR", help="a sweep directory written by `sweep plan`")
    p.add_argument("--index", type=_index_range, required=True, metavar="I[-J]", help="a run index, or a range")
    p.add_argument("--resume", action="store_true", help="skip runs that already finished ok")
    no_lock(p)
    common(p)

    p = sub.add_parser("status", help="counts of runs by state and the indices still to run")
    p.add_argument("directory", metavar="DIR", help="a sweep directory")
    common(p)

    p = sub.add_parser("collect", help="gather runs into DIR/sweep.h5")
    p.add_argument("directory", metavar="DIR", help="a sweep directory")
    p.add_argument("--partial", action="store_true", help="exit 0 even when some runs are not ok")
    common(p)

    p = sub.add_parser("analyze", help="Sobol or Morris indices into DIR/sweep.h5 (group sensitivity)")
    p.add_argument("directory", metavar="DIR", help="a sweep directory")
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
    for name in ("jobs", "runs_per_task", "array_max"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got {value}")
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

def load_checked(path, binary):
    """The sweep file checked on its own and against the base scenario; raises SweepFileError."""
    sweepfile = _sweepfile()
    sweep = sweepfile.load(path)
    sweepfile.check_with_binary(sweep, binary)
    return sweep


def _slurm_time(seconds):
    seconds = int(math.ceil(seconds))
    days, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{days}-{h:02d}:{m:02d}:{s:02d}"


def _scontrol(*args):
    """`scontrol ARGS` output, or None when Slurm is not there or does not answer within 5 s."""
    exe = shutil.which("scontrol")
    if not exe:
        return None
    try:
        proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def slurm_limits(partition):
    """What the cluster allows, as far as `scontrol` tells: {'array_max', 'max_time' (seconds or
    None for unlimited), 'partition'}; keys are missing when unknown."""
    limits = {}
    config = _scontrol("show", "config")
    if config:
        m = re.search(r"^\s*MaxArraySize\s*=\s*(\d+)", config, re.M)
        if m:
            limits["array_max"] = int(m[1])
    parts = _scontrol("show", "partition", *([partition] if partition else []))
    if parts:
        for block in re.split(r"\n\s*\n", parts):
            name = re.search(r"PartitionName=(\S+)", block)
            if not name or (partition is None and "Default=YES" not in block) or \
                    (partition is not None and name[1] != partition):
                continue
            limits["partition"] = name[1]
            m = re.search(r"\bMaxTime=(\S+)", block)
            if m:
                try:
                    limits["max_time"] = parse_slurm_time(m[1])
                except ValueError:
                    pass
            break
    return limits


def slurm_settings(n, timeout, args, limits, warn):
    """(runs per task, tasks, time limit in seconds, notes) for `plan`; raises ValueError when the
    job could never start (a time limit beyond the partition's)."""
    array_max = args.array_max or limits.get("array_max") or DEFAULT_ARRAY_MAX
    per_task = args.runs_per_task
    if math.ceil(n / per_task) > array_max:
        per_task = math.ceil(n / array_max)
        warn(f"{n} runs at {args.runs_per_task} per task would need more than {array_max} array tasks "
             f"(MaxArraySize); packing {per_task} runs per task")
    tasks = math.ceil(n / per_task)
    needed = per_task * timeout + 300
    max_time = limits.get("max_time")
    where = f"partition {limits['partition']}" if "partition" in limits else "the partition"
    if args.time is not None:
        seconds = args.time
        if max_time is not None and seconds > max_time:
            raise ValueError(f"--time {_slurm_time(seconds)} exceeds the MaxTime of {where} "
                             f"({_slurm_time(max_time)}): the job would pend forever")
        if seconds < per_task * timeout:
            warn(f"a task's time limit ({_slurm_time(seconds)}) is shorter than its {per_task} run(s) x "
                 f"timeout_seconds ({timeout:g} s): slow tasks may be cut short; re-submit the same script "
                 "to finish them (runs already done are skipped)")
    else:
        seconds = needed
        if max_time is not None and seconds > max_time:
            seconds = max_time
            warn(f"a task's time limit is capped at the MaxTime of {where} ({_slurm_time(max_time)}), "
                 f"less than its {per_task} run(s) x timeout_seconds ({timeout:g} s) + 5 min: slow tasks "
                 "may be cut short; re-submit the same script to finish them, or lower --runs-per-task")
    if max_time is not None and timeout > max_time:
        warn(f"timeout_seconds ({timeout:g} s) is longer than the MaxTime of {where}: a run that slow "
             "can never finish there")
    return per_task, tasks, seconds


def write_slurm(directory, manifest, binary, args, per_task, tasks, seconds, job_name):
    n = len(manifest["runs"])
    directory = os.path.abspath(directory)
    q = shlex.quote
    extra = "".join(f"#SBATCH --{key}={value}\n" for key, value in
                    (("partition", args.partition), ("account", args.account)) if value)
    script = f"""#!/bin/bash
# Slurm array job for the cloudmarket sweep '{manifest['name']}' ({n} runs, {per_task} per task).
# Written by `cloudmarket sweep plan`. Submit, then collect when every task has ended:
#
#   jobid=$(sbatch --parsable {q(os.path.join(directory, 'slurm.sbatch'))})
#   sbatch --dependency=afterany:$jobid --wrap '{binary} sweep collect {directory}'
#
# `collect` exits 1 unless every run is ok (`{binary} sweep status {directory}` lists what is
# left). Tasks that failed or were cut short can be re-submitted as they are: each run is skipped
# when it already finished ok (--resume), and its seed does not depend on the task that runs it.
# A task's time limit allows each of its runs timeout_seconds ({manifest['timeout_seconds']:g} s)
# plus 5 minutes, unless `plan --time` said otherwise; its memory is `plan --mem` ({args.mem}).
#SBATCH --job-name={job_name}
#SBATCH --array=0-{tasks - 1}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem={args.mem}
#SBATCH --time={_slurm_time(seconds)}
{extra}#SBATCH --output={directory}/slurm/%A_%a.out

# HDF5 file locking fails or hangs on many shared filesystems (NFS, Lustre); every run writes
# its own file, so locking is not needed.
export HDF5_USE_FILE_LOCKING=FALSE

CLOUDMARKET={q(binary)}
DIR={q(directory)}
RUNS={n}
PER_TASK={per_task}

first=$(( SLURM_ARRAY_TASK_ID * PER_TASK ))
last=$(( first + PER_TASK - 1 ))
(( last >= RUNS )) && last=$(( RUNS - 1 ))
# One process runs the task's runs in turn (and takes SIGTERM from scancel or the time limit).
exec "$CLOUDMARKET" sweep run-one "$DIR" --index "$first-$last" --resume{' --no-lock' if args.no_lock else ''}
"""
    os.makedirs(os.path.join(directory, "slurm"), exist_ok=True)
    path = os.path.join(directory, "slurm.sbatch")
    runner.write_atomic(path, script)
    os.chmod(path, 0o777 & ~_umask() | 0o100)
    return path


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ------------------------------------------------------------------------------------------------
# Verbs
# ------------------------------------------------------------------------------------------------

def _binary(args):
    binary = args.binary or default_binary()
    if not binary:
        raise SweepFileError([f"{PROG}: error: no simulator binary: pass --binary PATH"])
    output_variables.use_binary(binary)  # metrics name the variables this binary writes
    return os.path.abspath(binary)


def _plan(args, resume, replan=False, verb="run"):
    """(sweep, manifest, binary, lock) after checking everything and writing the manifest;
    raises SweepFileError, ValueError, runner.Busy or runner.LockError."""
    binary = _binary(args)
    sweep = load_checked(args.sweep, binary)
    manifest = sweep.manifest(binary)
    lock = runner.prepare_directory(args.output, manifest, resume, replan, lock=not args.no_lock, verb=verb)
    return sweep, manifest, binary, lock


def _warn(message):
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def cmd_plan(args):
    _sweepfile()
    try:
        sweep, manifest, binary, lock = _plan(args, resume=False, replan=True, verb="plan")
    except SweepFileError as error:
        print(error, file=sys.stderr)
        return INVALID
    except (ValueError, runner.Busy) as error:
        return fail(str(error))
    except runner.LockError as error:
        return fail(str(error), FAILURE)
    try:
        n = len(manifest["runs"])
        limits = slurm_limits(args.partition)
        try:
            per_task, tasks, seconds = slurm_settings(n, float(manifest["timeout_seconds"]), args, limits, _warn)
        except ValueError as error:
            return fail(str(error))
        job_name = args.job_name or f"cm-{manifest['name']}"
        path = write_slurm(args.output, manifest, binary, args, per_task, tasks, seconds, job_name)
    finally:
        lock.release()
    print(f"planned {n} runs ({len(manifest['points'])} design points x {manifest['replications']} "
          f"replications) in {args.output}")
    print(f"Slurm: sbatch {path}   # {tasks} array tasks, {per_task} run(s) each, "
          f"--time={_slurm_time(seconds)} --mem={args.mem}")
    print(f"then:  {binary} sweep collect {os.path.abspath(args.output)}")
    return OK


def _states(directory, n):
    """The state of every run: ok, failed, timeout, killed, pending, or missing (ok, output gone)."""
    states = []
    for i in range(n):
        status = runner.read_status(directory, i)
        state = status["status"] if status else runner.PENDING
        if state == runner.OK and not os.path.isfile(runner.output_path(directory, i)):
            state = "missing"
        states.append(state)
    return states


def _counts(states):
    order = [*runner.STATES, "missing"]
    counts = {s: states.count(s) for s in order if states.count(s)}
    for s in sorted(set(states) - set(order)):
        counts[s] = states.count(s)
    return counts


def _finish(directory, manifest, progress, quiet, started):
    """Summary, collect, and for sensitivity designs analyze; returns the exit code."""
    progress.close()
    runs = manifest["runs"]
    states = _states(directory, len(runs))
    failed = [i for i, s in enumerate(states) if s != runner.OK]
    if not quiet:
        parts = [f"{v} {k}" for k, v in _counts(states).items()]
        print(f"sweep: {len(runs)} runs: {', '.join(parts)} ({time.monotonic() - started:.1f} s)", file=sys.stderr)
        for i in failed[:10]:
            why = runner.why_not_ok(runner.read_status(directory, i))
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


def _needs(manifest_or_sweep_design):
    """Import what collect (and analyze) will need, before any run starts: a missing package is
    reported now, not after hours of runs."""
    from sweeplib import collect  # noqa: F401  numpy, h5py, h5netcdf
    if manifest_or_sweep_design.get("type") in ("saltelli", "morris"):
        from sweeplib import analysis  # noqa: F401  scipy


def cmd_run(args):
    _sweepfile()
    if args.mpi:
        try:
            from mpi4py import MPI
        except ImportError as error:
            return fail(f"--mpi needs mpi4py: {deps.missing_message(error)}", FAILURE)
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
    except runner.LockError as error:
        return fail(str(error), FAILURE)
    try:
        _needs(manifest["design"])
        runner.remove_stale_partials(args.output)
        indices, skipped = _pending(args.output, manifest, args.resume)
        jobs = args.jobs or sweep.jobs or os.cpu_count() or 1
        progress = runner.Progress(len(manifest["runs"]), skipped, quiet=args.quiet)
        runner.run_local(args.output, manifest, indices, binary, jobs, progress)
        return _finish(args.output, manifest, progress, args.quiet, started)
    finally:
        lock.release()


def _run_mpi(args, comm):
    """Rank 0 checks and plans, then hands out runs; every rank returns the same exit code.
    Every rank answers SIGTERM: a worker kills its run, records it as killed and tells rank 0."""
    started = time.monotonic()
    rank, size = comm.Get_rank(), comm.Get_size()
    if rank != 0:
        plan, _ = runner.mpi_recv(comm, 0)
        if plan["code"] is not None:
            return plan["code"]
        return runner.mpi_worker(comm, args.output, plan["manifest"], plan["binary"])

    def tell_all(message):
        for worker in range(1, size):
            comm.send(message, dest=worker)

    lock = None
    try:
        sweep, manifest, binary, lock = _plan(args, args.resume)
        _needs(manifest["design"])
        runner.remove_stale_partials(args.output)
        indices, skipped = _pending(args.output, manifest, args.resume)
    except SweepFileError as error:
        print(error, file=sys.stderr)
        tell_all({"code": INVALID})
        return INVALID
    except (ValueError, runner.Busy) as error:
        fail(str(error))
        tell_all({"code": INVALID})
        return INVALID
    except BaseException as error:
        if lock is not None:
            lock.release()
        code = error.code if isinstance(error, SystemExit) else FAILURE
        tell_all({"code": code if isinstance(code, int) else FAILURE})
        raise
    master = runner.MpiMaster(comm)
    try:
        tell_all({"code": None, "manifest": manifest, "binary": binary})
        progress = runner.Progress(len(manifest["runs"]), skipped, quiet=args.quiet)
        if not args.quiet:
            print(f"sweep: {size - 1} MPI worker ranks", file=sys.stderr)
        master.run(indices, progress)
        code = _finish(args.output, manifest, progress, args.quiet, started)
        master.finish(code)
        return code
    except (KeyboardInterrupt, SystemExit) as stop:
        code = stop.code if isinstance(stop, SystemExit) and isinstance(stop.code, int) else 130
        if not master.stop(code):
            # a worker did not answer in time: take the job down rather than leave it hanging
            print(f"{PROG}: stopped; some worker ranks did not answer, aborting the MPI job", file=sys.stderr)
            sys.stderr.flush()
            comm.Abort(code)
        raise
    except BaseException:
        # The workers wait on rank 0: take the whole job down rather than leave it hanging.
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        comm.Abort(FAILURE)
    finally:
        lock.release()


def cmd_run_one(args):
    directory = args.directory
    manifest = runner.load_manifest(directory)
    if manifest is None:
        return fail(f"{directory} holds no planned sweep (no readable manifest.json); "
                    "run `cloudmarket sweep plan SWEEP.yaml -o DIR` first")
    n = len(manifest["runs"])
    first, last = args.index
    if last >= n:
        return fail(f"--index {first if first == last else f'{first}-{last}'} is out of range: "
                    f"the sweep has {n} runs (0..{n - 1})")
    binary = os.path.abspath(args.binary) if args.binary else manifest.get("binary")
    if not binary:
        return fail("no simulator binary: pass --binary PATH")
    todo = []
    for i in range(first, last + 1):  # runs already done are skipped at once, before any lock
        if args.resume and runner.is_done(directory, i):
            if not args.quiet:
                print(f"run {i}: already done", file=sys.stderr)
        else:
            todo.append(i)
    if not todo:
        return OK
    try:
        lock = runner.lock_directory(directory, shared=True, verb="run-one", enabled=not args.no_lock)
    except (runner.Busy, runner.LockError) as error:
        return fail(str(error), FAILURE)
    code = OK
    slot = batch.Slot(binary)  # one batch worker for the task's runs
    try:
        for i in todo:
            if args.resume and runner.is_done(directory, i):  # done meanwhile by another task
                continue
            status = runner.run_one(directory, manifest, i, binary, slot)
            if not args.quiet:
                print(f"run {i}: {status['status']} (exit code {status['exit_code']}, "
                      f"{status['wall_seconds']:.2f} s, {status['via']})", file=sys.stderr)
                if status["status"] != runner.OK and status["stderr"].strip():
                    print(status["stderr"].rstrip(), file=sys.stderr)
            if status["status"] != runner.OK:
                code = FAILURE
    finally:
        slot.close()
        lock.release()
    return code


def cmd_status(args):
    directory = args.directory
    manifest = runner.load_manifest(directory)
    if manifest is None:
        return fail(f"{directory} is not a sweep directory (no readable manifest.json)")
    n = len(manifest["runs"])
    states = _states(directory, n)
    todo = [i for i, s in enumerate(states) if s != runner.OK]
    parts = ", ".join(f"{v} {k}" for k, v in _counts(states).items())
    print(f"{directory}: {n} runs: {parts}")
    for state in [s for s in _counts(states) if s != runner.OK]:
        print(f"{state}: {runner.index_ranges([i for i, s in enumerate(states) if s == state])}")
    if todo:
        print(f"to run: {runner.index_ranges(todo)}")
        print(f"finish with: cloudmarket sweep SWEEP.yaml -o {directory} --resume, or re-submit the Slurm array")
    else:
        print("complete: every run finished ok")
    return OK if not todo else FAILURE


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
    not_ok = summary["runs"] - summary["counts"].get(runner.OK, 0)
    if not_ok and not args.partial:
        return fail(f"the sweep is not complete: {not_ok} of {summary['runs']} runs are not ok "
                    f"(`{PROG} status {args.directory}` lists them; --partial accepts this)", FAILURE)
    return OK


def cmd_analyze(args):
    from sweeplib import collect
    try:
        _analyze(args.directory, args.quiet)
    except collect.CollectError as error:
        return fail(str(error))
    return OK


def _silence_broken_pipes():
    """The reader went away (`... | head -1`): nothing more can be said; keep the interpreter's
    final flush from complaining too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    # SIGTERM (Slurm's scancel, a batch system's time limit) stops cleanly like Ctrl-C: running
    # simulators are killed and their partial files removed; finished runs stay for --resume.
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return {"run": cmd_run, "plan": cmd_plan, "run-one": cmd_run_one, "status": cmd_status,
                "collect": cmd_collect, "analyze": cmd_analyze}[args.verb](args)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; finished runs are kept: finish with --resume", file=sys.stderr)
        return 130
    except Terminated as stop:
        print(f"{PROG}: terminated (SIGTERM); finished runs are kept: finish with --resume", file=sys.stderr)
        return stop.code
    except BrokenPipeError:
        _silence_broken_pipes()
        return FAILURE
    except ImportError as error:
        return fail(deps.missing_message(error), FAILURE)
    except OSError as error:  # the sweep directory's filesystem said no (full, read-only, gone)
        where = f" ({error.filename})" if error.filename else ""
        return fail(f"{error.strerror or error}{where}", FAILURE)


if __name__ == "__main__":
    sys.exit(main())
