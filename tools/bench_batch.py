#!/usr/bin/python3
"""What a run costs through the batch worker (`cloudmarket batch`, docs/sweep.md), one figure per line.

usage: tools/bench_batch.py --binary build/cloudmarket [--runs N] [--sweep-runs N] [--jobs J] [--no-sweep]

batch_overhead(binary, runs) takes turns, `runs` times, between /bin/true, a tiny run as a process of
its own (`cloudmarket run tests/scenarios/small.yaml` with 100 firms over one year) and the same run
through one batch worker, so that the three see the same machine. CPU time is the kernel's
accounting: of each process (wait4), and for the worker the child's own (which the worker reads with
wait4 and answers) plus the worker's share per run (its fork and wait, from /proc). Figures are
medians; differences and ratios are taken turn by turn, then their median.

sweep_rate(binary, runs, jobs) times `cloudmarket sweep` of scenarios/sweeps/bench_lhs1000.yaml
(1000 runs of the baseline world as it is), start to end, its checks and collection included.
"""
import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from sweeplib import batch  # noqa: E402

SMALL = os.path.join(ROOT, "tests", "scenarios", "small.yaml")
TINY = ["--quiet", "--set", "segments.retail.firms=100", "--set", "time.years=1"]
LHS1000 = os.path.join(ROOT, "scenarios", "sweeps", "bench_lhs1000.yaml")
TRUE = "/bin/true"


def _process(argv):
    """(CPU seconds, wall seconds) of one process, from its start to its reaping."""
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench_batch: {' '.join(argv)} failed (exit status {status})")
    return usage.ru_utime + usage.ru_stime, wall


def _own_cpu_seconds(pid):
    """CPU seconds a process has used itself, not counting its children (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def batch_overhead(binary, runs=200):
    """Per-run cost, in ms, of /bin/true, of a tiny `cloudmarket run` and of the same run through one
    batch worker; `batch_above_true_*_ms` is the figure with a target (at most 10 ms), and
    `identical` says that the worker's output is the single run's, byte for byte."""
    binary = os.path.abspath(binary)
    with tempfile.TemporaryDirectory(prefix="bench_batch.") as tmp:
        single_out, batch_out = os.path.join(tmp, "single.h5"), os.path.join(tmp, "batch.h5")
        single_argv = [binary, "run", SMALL, "-o", single_out, *TINY]
        batch_args = [SMALL, "-o", batch_out, *TINY]
        log = os.path.join(tmp, "runs.log")
        started = time.perf_counter()
        worker = batch.Worker(binary)
        start_wall = time.perf_counter() - started
        try:
            _process([TRUE])
            _process(single_argv)  # warm-up: the files and libraries in the page cache
            worker.start(log, batch_args)
            worker.result()
            own_before = _own_cpu_seconds(worker.proc.pid)
            rows = []
            for _ in range(runs):
                true_cpu, true_wall = _process([TRUE])
                single_cpu, single_wall = _process(single_argv)
                t = time.perf_counter()
                worker.start(log, batch_args)
                ended = worker.result()
                if ended.exit_code != 0:
                    sys.exit(f"bench_batch: a run through the worker failed (exit code {ended.exit_code}); see {log}")
                rows.append((true_cpu, true_wall, single_cpu, single_wall, ended.cpu_seconds,
                             time.perf_counter() - t))
            worker_share = (_own_cpu_seconds(worker.proc.pid) - own_before) / runs
        finally:
            worker.close()
        identical = filecmp.cmp(single_out, batch_out, shallow=False)
    ms = lambda values: round(1e3 * statistics.median(values), 2)  # noqa: E731
    true_cpu, true_wall, single_cpu, single_wall, child_cpu, batch_wall = zip(*rows)
    batch_cpu = [c + worker_share for c in child_cpu]
    return {
        "runs": runs,
        "true_cpu_ms": ms(true_cpu), "single_cpu_ms": ms(single_cpu), "batch_cpu_ms": ms(batch_cpu),
        "true_wall_ms": ms(true_wall), "single_wall_ms": ms(single_wall), "batch_wall_ms": ms(batch_wall),
        "batch_child_cpu_ms": ms(child_cpu), "worker_cpu_per_run_ms": round(1e3 * worker_share, 3),
        "batch_above_true_cpu_ms": ms([b - t for b, t in zip(batch_cpu, true_cpu)]),
        "batch_above_true_wall_ms": ms([b - t for b, t in zip(batch_wall, true_wall)]),
        "single_over_batch_cpu": round(statistics.median(s / b for s, b in zip(single_cpu, batch_cpu)), 2),
        "single_over_batch_wall": round(statistics.median(s / b for s, b in zip(single_wall, batch_wall)), 2),
        "worker_start_ms": round(1e3 * start_wall, 1),
        "identical": identical,
    }


def _sweep_file(runs, directory):
    """bench_lhs1000.yaml, or a copy of it with `runs` points."""
    if runs == 1000:
        return LHS1000
    import yaml
    with open(LHS1000) as f:
        sweep = yaml.safe_load(f)
    sweep["base"] = os.path.join(ROOT, "scenarios", "baseline.yaml")
    sweep["design"]["samples"] = runs
    sweep["name"] = f"bench_lhs{runs}"
    path = os.path.join(directory, f"bench_lhs{runs}.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(sweep, f, sort_keys=False)
    return path


def sweep_rate(binary, runs=1000, jobs=2, via=batch.BATCH):
    """Runs per hour of `cloudmarket sweep` over `runs` runs of the baseline world with `jobs` job
    slots, from its start to its end (checks and collection included); via="process" runs it with
    CLOUDMARKET_BATCH=0, one process per run."""
    env = dict(os.environ, CLOUDMARKET_BATCH="1" if via == batch.BATCH else "0")
    with tempfile.TemporaryDirectory(prefix="bench_batch.") as tmp:
        cmd = ["/usr/bin/python3", os.path.join(ROOT, "tools", "sweep.py"), "run", _sweep_file(runs, tmp),
               "-o", os.path.join(tmp, "sweep"), "--jobs", str(jobs), "--quiet", "--binary", os.path.abspath(binary)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"bench_batch: the sweep failed (exit code {proc.returncode}): {proc.stderr[-2000:]}")
    return runs / wall * 3600.0


def main():
    parser = argparse.ArgumentParser(description="Per-run cost of the batch worker, and a sweep's run rate.")
    parser.add_argument("--binary", required=True)
    parser.add_argument("--runs", type=int, default=200, help="tiny runs of each kind (default 200)")
    parser.add_argument("--sweep-runs", type=int, default=1000, help="runs of the sweep (default 1000)")
    parser.add_argument("--jobs", type=int, default=2, help="job slots of the sweep (default 2)")
    parser.add_argument("--no-sweep", action="store_true", help="only the per-run figures")
    args = parser.parse_args()
    for key, value in batch_overhead(args.binary, args.runs).items():
        print(f"batch_overhead {key} {value}")
    if not args.no_sweep:
        for via in (batch.BATCH, batch.PROCESS):
            rate = sweep_rate(args.binary, args.sweep_runs, args.jobs, via)
            print(f"sweep_rate {via} {args.sweep_runs} runs, {args.jobs} jobs: {rate:.0f} runs/h")


if __name__ == "__main__":
    main()
