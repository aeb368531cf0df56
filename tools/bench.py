#!/usr/bin/python3
"""cloudmarket benchmarks: run time, peak memory and output size, one figure per line.

usage: tools/bench.py --binary build/cloudmarket

Each figure is measured on a fresh process (a run is a process). Wall time is the best of
--repeat runs; peak RSS comes from the kernel's accounting of that child (wait4).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {stderr}")
    return wall, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def measure(binary, scenario, sets, out, repeat):
    cmd = [binary, "run", scenario, "-o", out, "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    runs = [run_once(cmd) for _ in range(repeat)]
    wall = min(w for w, _ in runs)
    rss = max(r for _, r in runs)
    return wall, rss, os.path.getsize(out)


def firm_sets(total, segments):
    per = total // len(segments)
    return [f"segments.{s}.firms={per}" for s in segments]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    baseline = os.path.join(ROOT, "scenarios", "baseline.yaml")
    segments = ["finance", "retail", "manufacturing", "government", "internet"]

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.h5")
        wall, rss, size = measure(args.binary, baseline, [], out, args.repeat)
        print(f"baseline (100000 firms, 6 vendors, 4 products, 60 months): wall {wall:.3f} s")
        print(f"baseline peak RSS: {rss:.1f} MiB")
        print(f"baseline output size: {size / 1024:.1f} KiB")
        months = 120
        for firms in (10_000, 100_000, 1_000_000):
            sets = firm_sets(firms, segments) + [f"time.years={months // 12}"]
            wall, rss, size = measure(args.binary, baseline, sets, out, args.repeat)
            print(f"{firms} firms, {months} months: wall {wall:.3f} s, {1e3 * wall / months:.2f} ms per simulated month, "
                  f"peak RSS {rss:.1f} MiB, output {size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
