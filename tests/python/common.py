"""Shared helpers of the Python tests: where the binary and the sources are, and running it."""
import glob
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

BINARY = os.environ.get("CLOUDMARKET", "")
SOURCE = os.environ.get("CM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SMALL = os.path.join(SOURCE, "tests", "scenarios", "small.yaml")
BASELINE = os.path.join(SOURCE, "scenarios", "baseline.yaml")


def processes_marked(mark):
    """/proc/PID/environ paths of live (not zombie) processes whose environment holds `mark` (b"NAME=value")."""
    alive = []
    for environ in glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(environ, "rb") as f:
                marked = mark in f.read().split(b"\0")
            with open(os.path.join(os.path.dirname(environ), "stat")) as f:
                if marked and f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(environ)
        except OSError:
            continue
    return alive


def cloudmarket(*args, timeout=300):
    """Run the command line; returns the CompletedProcess (text mode)."""
    if not BINARY:
        raise unittest.SkipTest("CLOUDMARKET is not set (run through ctest)")
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout)


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        """A file in the temporary directory holding `text`, dedented (a YAML document written inline)."""
        path = self.path(name)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        return path

    def not_run_files(self):
        """(a text file, an HDF5 file without a run's variables): what report tools must refuse."""
        import h5py
        not_hdf5 = self.path("not.h5")
        with open(not_hdf5, "w") as f:
            f.write("not a run\n")
        empty = self.path("empty.h5")
        with h5py.File(empty, "w") as f:
            f.attrs["title"] = "an HDF5 file without a run's variables"
        return not_hdf5, empty

    def run_ok(self, *args):
        proc = cloudmarket(*args)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc


def mpirun_or_skip(test):
    """The mpirun to launch MPI runs with; skips `test` when mpirun or mpi4py is missing."""
    mpirun = shutil.which("mpirun")
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        mpirun = None
    if not mpirun:
        test.skipTest("mpirun or mpi4py is not installed")
    return mpirun
