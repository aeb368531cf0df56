#!/usr/bin/python3
"""cloudmarket benchmarks: run time, peak memory, output size and throughput, one figure per line.

usage: tools/bench.py --binary build/cloudmarket [--repeat N]

Each figure is measured on a fresh process (a run is a process). Wall time is the best of
--repeat runs; peak RSS comes from the kernel's accounting of that child (wait4). Time per
simulated month is marginal: the difference between a long and a short run over their months,
so start-up (population, calibration) is not in it. A ratio between two commands is measured in
the same call, the commands taking turns (A B A B ...), as the median of the pairs' CPU-time
ratios, so a drift in the machine's speed moves both sides of a pair alike.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MILLION = os.path.join(ROOT, "scenarios", "bench", "million.yaml")
BASELINE = os.path.join(ROOT, "scenarios", "baseline.yaml")
# main before the throughput work of issue 14 (renewal kernel, caches, bounded months, batch
# worker): `million.yaml` is timed against this revision's binary, built once into BUILD/bench-reference.
REFERENCE_COMMIT = "09cbfacc59b00798564fd567e73e3429abe6d3f7"


def run_once(cmd):
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def paired(cmd_a, cmd_b, runs=5):
    """CPU seconds of A and B (medians) and the median of the pairs' ratios A/B."""
    run_once(cmd_a), run_once(cmd_b)  # warm-up: files in the page cache
    pairs = [(run_once(cmd_a)[1], run_once(cmd_b)[1]) for _ in range(runs)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(a / b for a, b in pairs))


def reference_binary(binary):
    """The binary of REFERENCE_COMMIT, built beside `binary` (once), or None with the reason."""
    build = os.path.join(os.path.dirname(os.path.abspath(binary)), "bench-reference")
    made = os.path.join(build, "build", "cloudmarket")
    stamp = os.path.join(build, "commit")
    if os.path.exists(made) and open(stamp).read().strip() == REFERENCE_COMMIT:
        return made, ""
    if subprocess.run(["git", "-C", ROOT, "cat-file", "-e", REFERENCE_COMMIT + "^{commit}"],
                      capture_output=True).returncode != 0:
        return None, f"revision {REFERENCE_COMMIT[:7]} is not in this clone (a shallow clone?)"
    print(f"building the reference binary of {REFERENCE_COMMIT[:7]} into {build} (once, a few minutes)...",
          flush=True)
    shutil.rmtree(build, ignore_errors=True)
    source = os.path.join(build, "src")
    os.makedirs(source)
    archive = subprocess.Popen(["git", "-C", ROOT, "archive", REFERENCE_COMMIT], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", source], stdin=archive.stdout, check=True)
    archive.wait()
    for step in (["cmake", "-S", source, "-B", os.path.join(build, "build"), "-DCMAKE_BUILD_TYPE=Release"],
                 ["cmake", "--build", os.path.join(build, "build"), "-j", str(os.cpu_count()), "--target", "cloudmarket"]):
        subprocess.run(step, check=True, stdout=subprocess.DEVNULL)
    with open(stamp, "w") as f:
        f.write(REFERENCE_COMMIT + "\n")
    return made, ""


def renewal_decision_cost(binary):
    """ns per renewal decision in the market's renewal and in a tight loop (tools/bench_renewal.cpp)."""
    tool = os.path.join(os.path.dirname(os.path.abspath(binary)), "bench_renewal")
    out = subprocess.run([tool, MILLION], capture_output=True, text=True, check=True).stdout
    figures = dict(line.split(": ", 1) for line in out.strip().splitlines())
    return float(figures["market"].split()[0]), float(figures["tight"].split()[0]), float(figures["ratio"])


def measure(binary, scenario, sets, out, repeat):
    cmd = [binary, "run", scenario, "-o", out, "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    runs = [run_once(cmd) for _ in range(repeat)]
    with h5py.File(out) as f:
        decisions = int(f.attrs["firm_decisions"])
    return min(w for w, _, _ in runs), max(r for _, _, r in runs), os.path.getsize(out), decisions


def segments_of(binary, scenario):
    text = subprocess.run([binary, "validate", scenario, "--print"], capture_output=True, text=True, check=True).stdout
    return [(s["id"], int(s["firms"])) for s in yaml.safe_load(text)["segments"]]


def scaled(segments, total_firms):
    """--set overrides that scale every segment so the total is `total_firms`."""
    current = sum(n for _, n in segments)
    return [f"segments.{sid}.firms={max(1, round(n * total_firms / current))}" for sid, n in segments]


def cpu_per_month(binary, scenario, years, repeat, sets=()):
    """CPU ms per simulated month between runs of years[0] and years[1]: the marginal cost of a month
    (set-up cancels), from the fastest of `repeat` runs of each length."""
    with tempfile.TemporaryDirectory() as tmp:
        def cpu(y):
            cmd = [binary, "run", scenario, "-o", os.path.join(tmp, "out.h5"), "--quiet", "--set", f"time.years={y}"]
            for item in sets:
                cmd += ["--set", item]
            return min(run_once(cmd)[1] for _ in range(repeat))
        return 1e3 * (cpu(years[1]) - cpu(years[0])) / (12 * (years[1] - years[0]))


def training_runs_per_month(binary, scenario, years):
    """Training runs started per month in the windows [years[0], years[1]) and [years[1], years[2])
    of one run of years[2] years (its events/training_runs)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.h5")
        subprocess.run([binary, "run", scenario, "-o", out, "--quiet", "--set", f"time.years={years[2]}"], check=True)
        with h5py.File(out, "r") as f:
            start_days = f["events/training_runs/start"][:]
    per_month = []
    for lo, hi in zip(years[:-1], years[1:]):
        started = ((start_days >= 365.25 * lo) & (start_days < 365.25 * hi)).sum()
        per_month.append(float(started) / (12 * (hi - lo)))
    return per_month


def sweep_speedup(binary):
    """Wall time of the same sweep (32 runs) with 1 and with 2 workers."""
    sweep = os.path.join(ROOT, "scenarios", "sweeps", "bench_speedup.yaml")
    walls = []
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            subprocess.run([binary, "sweep", sweep, "-o", os.path.join(tmp, "sweep"), "--jobs", str(jobs)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - start)
    return walls


def cost_per_review(binary, scenario):
    """One price review of each searching strategy on the scenario's World (in-process, no SimGrid):
    tools/bench_pricing.cpp, built beside the binary. The second vendor's first product (1, 0)."""
    tool = os.path.join(os.path.dirname(os.path.abspath(binary)), "bench_pricing")
    out = subprocess.run([tool, scenario, "1", "0"], capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()


def game_speed(binary, sessions=4):
    """One thread playing Calvano et al.'s sessions to convergence (games/calvano_2020.yaml: 2 sellers,
    15 prices, one period of memory, beta = 4e-6): periods per second and seconds per session."""
    import xarray as xr
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "game.h5")
        wall = run_once([binary, "game", os.path.join(ROOT, "games", "calvano_2020.yaml"), "-o", out, "--quiet",
                         "--sessions", str(sessions), "--jobs", "1"])[0]
        with xr.open_dataset(out, engine="h5netcdf") as ds:
            periods = int(ds.periods.values.sum())
    return periods / wall, wall / sessions, periods / sessions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import bench_batch

    market, tight, ratio = renewal_decision_cost(binary)
    print(f"renewal decision (bench/million.yaml's firms, 120 months): {market:.1f} ns in the market, "
          f"{tight:.1f} ns in a tight loop of the same algorithm: {ratio:.2f}x (target <= 1.3x)")

    reference, why = reference_binary(binary)
    if reference:
        with tempfile.TemporaryDirectory() as tmp:
            new, old, ratio = paired([binary, "run", MILLION, "-o", os.path.join(tmp, "a.h5"), "--quiet"],
                                     [reference, "run", MILLION, "-o", os.path.join(tmp, "b.h5"), "--quiet"])
        print(f"bench/million.yaml CPU time: {new:.2f} s, against {old:.2f} s before issue 14 "
              f"({REFERENCE_COMMIT[:7]}): {ratio:.2f}x (target <= 0.6x)")
    else:
        print(f"bench/million.yaml CPU time against {REFERENCE_COMMIT[:7]}: not measured, {why}")

    o = bench_batch.batch_overhead(binary, runs=100)
    print(f"per-run overhead of the batch worker (a tiny run, CPU, median of {o['runs']}): "
          f"{o['batch_cpu_ms']:.1f} ms, {o['batch_above_true_cpu_ms']:.1f} ms above /bin/true "
          f"({o['true_cpu_ms']:.1f} ms; target <= 10 ms above); a single `cloudmarket run` costs "
          f"{o['single_cpu_ms']:.1f} ms, {o['single_over_batch_cpu']:.2f}x the worker's; "
          f"outputs identical: {o['identical']}")
    rate = bench_batch.sweep_rate(binary, runs=1000, jobs=2)
    print(f"sweep throughput (1000-run LHS of baseline.yaml, --jobs 2, batch worker): {rate:.0f} runs per hour")
    one, two = sweep_speedup(binary)
    print(f"sweep of 32 runs: 1 worker {one:.2f} s, 2 workers {two:.2f} s, speed-up {one / two:.2f}x (target >= 1.8x)")

    bench = os.path.join(ROOT, "scenarios", "bench")
    scenario = lambda name: os.path.join(bench, name + ".yaml")  # noqa: E731
    # A month of these worlds costs a few ms: long windows and the fastest of 5 runs keep noise out.
    repeat = max(args.repeat, 5)
    # A later month may cost more because it does more (startups200's training runs double after
    # year 10), so the activity of the two windows is printed with their cost, and vendors32, whose
    # activity is about flat, is the like-for-like test of run length.
    early = cpu_per_month(binary, scenario("startups200"), (4, 10), repeat)
    late = cpu_per_month(binary, scenario("startups200"), (10, 16), repeat)
    runs_early, runs_late = training_runs_per_month(binary, scenario("startups200"), (4, 10, 16))
    print(f"cost per month against run length (bench/startups200): {early:.2f} ms in years 4-10, {late:.2f} ms "
          f"in years 10-16: {late / early:.2f}x, while its training runs started per month go from "
          f"{runs_early:.1f} to {runs_late:.1f} ({runs_late / runs_early:.2f}x)")
    early = cpu_per_month(binary, scenario("vendors32"), (4, 10), repeat)
    late = cpu_per_month(binary, scenario("vendors32"), (10, 16), repeat)
    print(f"cost per month against run length (bench/vendors32, activity about flat): {early:.2f} ms in years "
          f"4-10, {late:.2f} ms in years 10-16: {late / early:.2f}x (target: no growth with the run's length, <= 1x)")
    k100 = cpu_per_month(binary, scenario("startups100"), (4, 16), repeat)
    k200 = cpu_per_month(binary, scenario("startups200"), (4, 16), repeat)
    print(f"cost per month against startups (years 4-16): 100 startups {k100:.2f} ms, 200 startups {k200:.2f} ms: "
          f"{k200 / k100:.2f}x (linear: 2x)")
    v32 = cpu_per_month(binary, scenario("vendors32"), (4, 16), repeat)
    v64 = cpu_per_month(binary, scenario("vendors64"), (4, 16), repeat)
    print(f"cost per month against vendors (years 4-16): 32 vendors {v32:.2f} ms, 64 vendors {v64:.2f} ms: "
          f"{v64 / v32:.2f}x (at most (65/33)^2 = {(65 / 33) ** 2:.2f}x, the renewal table's term)")

    rate, per_session, periods = game_speed(binary)
    print(f"pricing game (Calvano et al. 2020 session, one thread): {rate / 1e6:.1f} million periods per second, "
          f"{per_session:.2f} s per session to convergence ({periods / 1e6:.2f} million periods; target: seconds)")

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.h5")
        wall, rss, size, _ = measure(binary, BASELINE, [], out, args.repeat)
        print(f"baseline.yaml (100000 firms, 60 months): wall {wall:.3f} s, peak RSS {rss:.0f} MiB, "
              f"output {size / 1024:.0f} KiB")

        wall, rss, size, decisions = measure(binary, MILLION, [], out, args.repeat)
        print(f"bench/million.yaml wall time: {wall:.2f} s (target <= 10 s)")
        print(f"bench/million.yaml peak RSS: {rss:.0f} MiB (target <= 1536 MiB)")
        print(f"bench/million.yaml output size: {size / 1024:.0f} KiB")
        print(f"bench/million.yaml firm decisions: {decisions} ({decisions / wall / 1e6:.2f} million per second)")

        for world, where in ((MILLION, "bench/million.yaml"), (scenario("segments256"), "bench/segments256.yaml")):
            for line in cost_per_review(binary, world):
                print(f"{line} ({where}, the second vendor's first product)")

        segments = segments_of(binary, MILLION)
        for firms in (10_000, 100_000, 1_000_000):
            sets = scaled(segments, firms)
            per_month = cpu_per_month(binary, MILLION, (1, 10), args.repeat, sets) / 1e3
            print(f"{firms} firms: {1e3 * per_month:.2f} ms CPU per simulated month "
                  f"({1e9 * per_month / firms:.1f} ns per firm-month)")


if __name__ == "__main__":
    main()
