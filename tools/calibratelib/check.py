"""`cloudmarket check`: does a run, a set of replications or a sweep's design point hit its targets?

Prints the fit table (docs/calibration.md) and exits 0 only when every moment is within
`pass_within` standard errors of its target; 1 when one is not; 2 for bad input (a targets file
with errors, a file that is not a run, a moment the runs cannot measure).
"""
import argparse
import os
import sys

import h5py

from sweeplib import runner
from sweeplib.sweepfile import SweepFileError

from . import targets as tg


class BadInput(Exception):
    pass


def _sweep_runs(directory, point):
    """Output files of the finished runs of one design point of a sweep directory."""
    manifest = runner.load_manifest(directory)
    if manifest is None:
        raise BadInput(f"{directory}: error: not a sweep directory (no readable manifest.json)")
    points = sorted({run["point"] for run in manifest["runs"]})
    if point is None:
        if len(points) > 1:
            raise BadInput(f"{directory}: error: the sweep has {len(points)} design points; choose one with "
                           f"--point (0..{points[-1]})")
        point = points[0]
    elif point not in points:
        raise BadInput(f"{directory}: error: no design point {point} (the sweep has 0..{points[-1]})")
    runs = [run for run in manifest["runs"] if run["point"] == point]
    done = [runner.output_path(directory, run["index"]) for run in runs if runner.is_done(directory, run["index"])]
    if not done:
        raise BadInput(f"{directory}: error: no finished run of design point {point}")
    if len(done) < len(runs):
        print(f"note: {len(runs) - len(done)} of {len(runs)} runs of point {point} have not finished; "
              "checking the others", file=sys.stderr)
    return done


def run_files(paths, point):
    """The run outputs named on the command line: files, or one sweep directory."""
    if len(paths) == 1:
        path = paths[0]
        if os.path.basename(path) == "sweep.h5" and os.path.isfile(os.path.join(os.path.dirname(path) or ".",
                                                                               "manifest.json")):
            path = os.path.dirname(path) or "."
        if os.path.isdir(path):
            return _sweep_runs(path, point)
    if point is not None:
        raise BadInput("error: --point is for a sweep directory")
    for path in paths:
        if not os.path.isfile(path):
            raise BadInput(f"{path}: error: no such file" if not os.path.exists(path)
                           else f"{path}: error: not a run's output file")
        if not h5py.is_hdf5(path):
            raise BadInput(f"{path}: error: not an HDF5 file (a run's output is written by `cloudmarket run`)")
    return paths


def measure_all(targets, files):
    """Moments of every file, (R, K); raises BadInput for a moment a run cannot measure."""
    import numpy as np
    values = []
    for path in files:
        try:
            values.append(tg.evaluate(targets, path))
        except tg.MomentError as error:
            raise BadInput(f"{error} (in {path})") from None
        except (OSError, KeyError) as error:
            raise BadInput(f"{path}: error: cannot read the run: {error}") from None
    return np.array(values)


def main(argv):
    parser = argparse.ArgumentParser(
        prog="cloudmarket check",
        description="Compare runs with a targets file (docs/calibration.md): a fit table, exit 0 only "
                    "when every moment is within pass_within standard errors of its target.")
    parser.add_argument("outputs", nargs="+", metavar="OUT",
                        help="a run's output (.h5), several replications of one scenario, or a sweep directory")
    parser.add_argument("targets", metavar="TARGETS", help="the targets file (schema cloudmarket-targets/1)")
    parser.add_argument("--point", type=int, help="the design point of a sweep with several")
    args = parser.parse_args(argv)
    try:
        targets = tg.load(args.targets)
    except SweepFileError as error:
        print("\n".join(error.messages), file=sys.stderr)
        return 2
    try:
        files = run_files(args.outputs, args.point)
        values = measure_all(targets, files)
    except BadInput as error:
        print(error, file=sys.stderr)
        return 2
    rows = tg.fit_rows(targets, values)
    where = files[0] if len(files) == 1 else f"{len(files)} runs"
    print(f"{targets.name}: {where} against {args.targets}")
    print(tg.format_fit(targets, rows, replications=len(files)))
    return 0 if tg.all_pass(rows) else 1
