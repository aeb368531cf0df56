"""Batch sweeps (tools/sweep.py, `cloudmarket sweep`): sweep-file checks, runs, seeds, failures,
kill -9 and resume, Slurm's run-one, MPI, collect and analyze.

Runs use tests/scenarios/small.yaml cut to one year and 500 firms, so each takes well under a
second; the whole file stays within about a minute on two cores.
"""
import filecmp
import glob
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from common import BINARY, SOURCE, TempDirTest, mpirun_or_skip, processes_marked

SWEEP = os.path.join(SOURCE, "tools", "sweep.py")
SMALL = os.path.join(SOURCE, "tests", "scenarios", "small.yaml")
GRID = os.path.join(SOURCE, "tests", "sweeps", "small_grid.yaml")
SALTELLI = os.path.join(SOURCE, "tests", "sweeps", "small_saltelli.yaml")

sys.path.insert(0, os.path.join(SOURCE, "tools"))

from sweeplib import runner  # noqa: E402


def sweep(*args, timeout=120, binary=None):
    """Run tools/sweep.py with the binary under test; returns the CompletedProcess (text)."""
    if not BINARY:
        raise unittest.SkipTest("CLOUDMARKET is not set (run through ctest)")
    return subprocess.run([sys.executable, SWEEP, *args, "--binary", binary or BINARY],
                          capture_output=True, text=True, timeout=timeout)


def outputs(directory):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(directory, "runs", "*.h5")))


class SweepTest(TempDirTest):
    def assertSameOutputs(self, a, b, n):
        self.assertEqual(outputs(a), sorted(f"{i}.h5" for i in range(n)))
        self.assertEqual(outputs(b), outputs(a))
        for name in outputs(a):
            self.assertTrue(filecmp.cmp(os.path.join(a, "runs", name), os.path.join(b, "runs", name), shallow=False),
                            f"runs/{name} differs between {a} and {b}")


class Reference:
    """One uninterrupted run of tests/sweeps/small_grid.yaml, shared by the tests that compare."""
    directory = None
    proc = None

    @classmethod
    def get(cls):
        if cls.directory is None:
            cls._tmp = tempfile.TemporaryDirectory()
            cls.directory = os.path.join(cls._tmp.name, "ref")
            cls.proc = sweep("run", GRID, "-o", cls.directory, "--jobs", "2")
        return cls.directory, cls.proc


def tearDownModule():
    if Reference.directory is not None:
        Reference._tmp.cleanup()


# ------------------------------------------------------------------------------------------------

class SweepFileChecks(SweepTest):
    def run_bad(self, text, *expected):
        path = self.write("bad.yaml", text)
        out = self.path("out")
        proc = sweep("run", path, "-o", out)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        for line in expected:
            self.assertIn(f"{path}:{line}", proc.stderr)
        self.assertFalse(os.path.exists(out), "nothing may be written for an invalid sweep")
        return proc.stderr

    def test_structure_errors_with_line_and_column(self):
        err = self.run_bad(f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            replications: 0
            desing: {{type: grid}}
            design: {{type: saltelli, samples: 6}}
            parameters:
              - path: segments.retail.growth
                mn: 0.1
                max: 0.2
              - {{path: segments.retail.firms, values: [500, 600, 500]}}
            metrics:
              - {{name: h, variable: hhhi}}
              - {{name: s, variable: market_share, reduce: average}}
            timeout_seconds: fast
            seed: 1
            seed: 2
            """,
            "3:15: error: 'replications' must be in [1, 1000000], got 0",
            "4:1: error: unknown key 'desing' in the sweep file (did you mean 'design'?)",
            "5:35: error: 'samples' of a saltelli design must be a power of 2, got 6 (try 4 or 8)",
            "7:5: error: parameter 'segments.retail.growth' needs 'values', or 'min' and 'max'; 'min' is missing",
            "8:5: error: unknown key 'mn' in a parameter (did you mean 'min'?)",
            "10:54: error: value 500 of parameter 'segments.retail.firms' is listed twice",
            "12:25: error: unknown output variable 'hhhi' (did you mean 'hhi'?)",
            "13:47: error: 'reduce' must be one of last, mean, max, min, sum, got 'average'",
            "14:18: error: 'timeout_seconds' must be a number, got 'fast'",
            "16:1: error: duplicate key 'seed' (first at line 15)")
        lines = err.strip().splitlines()
        self.assertEqual(lines, sorted(lines, key=lambda l: [int(x) for x in l.split(":")[1:3]]),
                         "errors come in file order")

    def test_missing_base_grid_without_values_and_yaml_syntax(self):
        self.run_bad("""
            schema: cloudmarket-sweep/1
            base: no_such_scenario.yaml
            parameters:
              - {path: segments.retail.growth, min: 0.1, max: 0.2}
            """,
            "2:7: error: base scenario 'no_such_scenario.yaml' not found",
            "4:5: error: parameter 'segments.retail.growth' needs 'values' in a grid design")
        self.run_bad("schema: cloudmarket-sweep/1\nbase: {a: 1\n", "3:1: error: ")

    def test_paths_and_values_checked_by_the_simulator(self):
        err = self.run_bad(f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            set: {{time.yeras: 1}}
            parameters:
              - {{path: segments.retail.firms, values: [500]}}
            """,
            "3:12: error: unknown key 'yeras' in time (did you mean 'years'?)")
        err = self.run_bad(f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            parameters:
              - path: vendors.gamma.cash
                values: [1, 2]
              - path: segments.retail.firms
                values: [500, -5]
            metrics:
              - {{name: share, variable: market_share, select: {{vendor: alpah}}}}
            """,
            "4:19: error: no element with id 'gamma'",
            "7:19: error: 'firms' must be in [1, 50000000], got -5",
            "9:60: error: unknown vendor 'alpah' (did you mean 'alpha'?)")
        self.assertEqual(err.count("no element with id 'gamma'"), 1, "a bad path is reported once, not once per value")

    def test_usage_errors_exit_2(self):
        for args in (["run", GRID], ["run-one", self.tmp], ["frobnicate", "-o", self.tmp],
                     ["run", GRID, "-o", self.path("x"), "--jobs", "0"]):
            with self.subTest(args=args):
                proc = sweep(*args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("error", proc.stderr)


class GridSweep(SweepTest):
    def test_grid_runs_and_sweep_h5_holds_the_design(self):
        import xarray as xr
        ref, proc = Reference.get()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(outputs(ref), sorted(f"{i}.h5" for i in range(8)))
        with xr.open_dataset(os.path.join(ref, "sweep.h5"), engine="h5netcdf") as ds:
            self.assertEqual(ds.sizes["run"], 8)
            # grid order: the last parameter varies fastest; replications innermost
            expected = [(p, s) for p, s in itertools.product([0.04, 0.06], [2, 4]) for _ in range(2)]
            self.assertEqual(list(zip(ds["vendors.beta.products.iaas_cpu.price"].values.tolist(),
                                      ds["segments.retail.price_sensitivity"].values.tolist())), expected)
            self.assertEqual(ds["vendors.beta.products.iaas_cpu.price"].attrs["units"], "USD/vcpu_hour")
            self.assertEqual(ds["segments.retail.price_sensitivity"].attrs["units"], "1")
            self.assertEqual(ds["point"].values.tolist(), [0, 0, 1, 1, 2, 2, 3, 3])
            self.assertEqual(ds["replication"].values.tolist(), [0, 1] * 4)
            self.assertEqual(list(ds["status"].values), ["ok"] * 8)
            self.assertEqual(ds["exit_code"].values.tolist(), [0] * 8)
            self.assertEqual(ds["share"].dims, ("run", "vendor"))
            self.assertEqual(list(ds["vendor"].values), ["alpha", "beta"])
            for name in ("hhi_final", "share_alpha", "share", "profit", "adoption"):
                var = ds[name]
                self.assertTrue(bool(var.notnull().all()), name)
                self.assertIn("units", var.attrs)
                self.assertIn("long_name", var.attrs)
            self.assertTrue((abs(ds["share"].sum("vendor") - 1) < 1e-9).all())
            self.assertEqual(ds["profit"].attrs["units"], "USD")  # a sum of monthly amounts (time: sum)
            # the metric equals what the run's own file says
            with xr.open_dataset(os.path.join(ref, "runs", "5.h5"), engine="h5netcdf") as run:
                self.assertAlmostEqual(float(ds["hhi_final"][5]), float(run["hhi"][-1]))
                self.assertAlmostEqual(float(ds["share_alpha"][5]), float(run["market_share"].sel(vendor="alpha")[-1]))
                self.assertEqual(int(run.attrs["seed"]), int(ds["seed"][5]))
            with open(os.path.join(ref, "manifest.json")) as f:
                manifest = json.load(f)
            self.assertEqual(manifest["runs"][5]["set"], [
                "time.years=1", "segments.retail.firms=500",
                "vendors.beta.products.iaas_cpu.price=0.06", "segments.retail.price_sensitivity=2"])

    def test_seeds_depend_only_on_sweep_seed_point_and_replication(self):
        from sweeplib.sweepfile import run_seed
        with open(GRID) as f:
            text = f.read()
        base = f"base: {SMALL}"
        variants = {
            "a": text.replace("base: ../scenarios/small.yaml", base),
            # other values, more replications, a fixed value more: the seeds of (point, r) stay
            "b": text.replace("base: ../scenarios/small.yaml", base).replace("[0.04, 0.06]", "[0.045, 0.055]")
                     .replace("replications: 2", "replications: 3").replace("time.years: 1", "time.years: 2"),
            "c": text.replace("base: ../scenarios/small.yaml", base).replace("seed: 11", "seed: 12"),
        }
        seeds = {}
        for key, body in variants.items():
            path = self.write(f"{key}.yaml", body)
            proc = sweep("plan", path, "-o", self.path(f"plan_{key}"))
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(outputs(self.path(f"plan_{key}")), [], "plan runs nothing")
            with open(self.path(f"plan_{key}/manifest.json")) as f:
                seeds[key] = {(r["point"], r["replication"]): r["seed"] for r in json.load(f)["runs"]}
        self.assertEqual(len(seeds["b"]), 12)
        for pr, s in seeds["a"].items():
            self.assertEqual(seeds["b"][pr], s)
            self.assertEqual(s, run_seed(11, *pr))
            self.assertNotEqual(seeds["c"][pr], s)
        self.assertEqual(len(set(seeds["a"].values())), 8, "every run has its own seed")
        ref, proc = Reference.get()
        with open(os.path.join(ref, "manifest.json")) as f:
            self.assertEqual({(r["point"], r["replication"]): r["seed"] for r in json.load(f)["runs"]}, seeds["a"])

    def test_plan_and_run_one_give_the_local_sweeps_files(self):
        ref, proc = Reference.get()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        planned = self.path("planned")
        proc = sweep("plan", GRID, "-o", planned, "--runs-per-task", "3")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(os.path.join(planned, "slurm.sbatch")) as f:
            script = f.read()
        self.assertIn("#SBATCH --array=0-2\n", script)  # 8 runs, 3 per task
        self.assertIn("export HDF5_USE_FILE_LOCKING=FALSE", script)
        self.assertIn('sweep run-one "$DIR" --index "$first-$last" --resume', script)
        self.assertIn("#SBATCH --mem=2G\n", script)
        self.assertIn(f"sweep collect {os.path.abspath(planned)}", script)
        # the array script itself, as Slurm would run its last task (runs 6 and 7)
        env = dict(os.environ, SLURM_ARRAY_TASK_ID="2")
        script_proc = subprocess.run(["bash", os.path.join(planned, "slurm.sbatch")], env=env,
                                     capture_output=True, text=True, timeout=60)
        # the script calls `cloudmarket sweep run-one`; a binary without the sweep command skips this part
        if script_proc.returncode == 0:
            self.assertEqual(outputs(planned), ["6.h5", "7.h5"])
        proc = sweep("run-one", planned, "--index", "5")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(filecmp.cmp(os.path.join(ref, "runs", "5.h5"), os.path.join(planned, "runs", "5.h5"),
                                    shallow=False))
        with open(os.path.join(planned, "status", "5.json")) as f:
            self.assertEqual(json.load(f)["status"], "ok")
        proc = sweep("run-one", planned, "--index", "8")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("out of range", proc.stderr)
        proc = sweep("collect", planned)  # runs still pending: sweep.h5 is written, but the exit says so
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("not complete", proc.stderr)
        proc = sweep("collect", planned, "--partial")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        import xarray as xr
        with xr.open_dataset(os.path.join(planned, "sweep.h5"), engine="h5netcdf") as ds:
            self.assertEqual(ds["status"].values[5], "ok")
            self.assertEqual(ds["status"].values[0], "pending")
            self.assertTrue(bool(ds["hhi_final"][0].isnull()))

    def test_directory_with_results_needs_resume(self):
        ref, _ = Reference.get()
        copy = self.path("copy")
        shutil.copytree(ref, copy)
        proc = sweep("run", GRID, "-o", copy)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--resume", proc.stderr)
        proc = sweep("run", GRID, "-o", copy, "--resume")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("8 of 8 runs already done", proc.stderr)
        proc = sweep("run", SALTELLI, "-o", copy, "--resume")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("different sweep", proc.stderr)


class Failures(SweepTest):
    def test_failed_and_timed_out_runs_are_recorded_and_the_rest_complete(self):
        # A stand-in simulator: validates as the real one, but one run fails and one hangs. It has no
        # batch worker, so its runs go one process each (test_batch.py has these cases in the worker).
        fake = self.write("fake.sh", f"""
            #!/bin/sh
            case "$*" in
              batch*) exit 2 ;;
              run*price=0.05*) echo "fake: stuck" >&2; exec sleep 60 ;;
              run*price=0.06*) echo "fake: boom" >&2; exit 3 ;;
            esac
            exec {BINARY} "$@"
            """)
        os.chmod(fake, 0o755)
        path = self.write("failing.yaml", f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            set: {{time.years: 1, segments.retail.firms: 500}}
            parameters:
              - {{path: vendors.beta.products.iaas_cpu.price, values: [0.04, 0.05, 0.06, 0.07]}}
            timeout_seconds: 1.5
            """)
        out = self.path("out")
        start = time.monotonic()
        proc = sweep("run", path, "-o", out, "--jobs", "2", binary=fake)
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("2 ok, 1 failed, 1 timeout", proc.stderr)
        statuses = []
        for i in range(4):
            with open(os.path.join(out, "status", f"{i}.json")) as f:
                statuses.append(json.load(f))
        self.assertEqual([s["status"] for s in statuses], ["ok", "timeout", "failed", "ok"])
        self.assertEqual({s["via"] for s in statuses}, {"process"})
        self.assertEqual(statuses[2]["exit_code"], 3)
        self.assertIn("fake: boom", statuses[2]["stderr"])
        self.assertIn("fake: stuck", statuses[1]["stderr"])
        self.assertGreaterEqual(statuses[1]["wall_seconds"], 1.5)
        self.assertEqual(outputs(out), ["0.h5", "3.h5"])
        self.assertEqual([n for n in os.listdir(os.path.join(out, "runs")) if n.endswith(".partial")], [])
        import xarray as xr
        with xr.open_dataset(os.path.join(out, "sweep.h5"), engine="h5netcdf") as ds:
            self.assertEqual(list(ds["status"].values), ["ok", "timeout", "failed", "ok"])
            self.assertEqual(ds["hhi_final"].isnull().values.tolist(), [False, True, True, False])
            self.assertEqual(int(ds["exit_code"][2]), 3)

    def test_kill_9_then_resume_gives_the_uninterrupted_files(self):
        path = self.write("longer.yaml", f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            seed: 5
            replications: 2
            set: {{time.years: 3}}
            parameters:
              - {{path: segments.retail.firms, values: [100000, 150000]}}
              - {{path: vendors.beta.products.iaas_cpu.price, values: [0.04, 0.05, 0.06]}}
            metrics: [{{name: hhi_final, variable: hhi}}]
            """)
        whole, killed = self.path("whole"), self.path("killed")
        proc = sweep("run", path, "-o", whole, "--jobs", "2")
        self.assertEqual(proc.returncode, 0, proc.stderr)

        # Every process the sweep starts (batch workers, their runs) inherits this mark.
        token = f"{os.getpid()}.{time.monotonic_ns()}"
        mark = f"CM_TEST_VICTIM={token}".encode()
        victim = subprocess.Popen([sys.executable, SWEEP, "run", path, "-o", killed, "--jobs", "2",
                                   "--binary", BINARY], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, CM_TEST_VICTIM=token))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and victim.poll() is None:
            if len(glob.glob(os.path.join(killed, "status", "*.json"))) >= 3:
                break
            time.sleep(0.005)
        interrupted = victim.poll() is None
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        if interrupted:
            time.sleep(0.3)
            # its workers and simulators died with it (PR_SET_PDEATHSIG): nothing still writes into the directory
            self.assertEqual(processes_marked(mark), [], "an orphaned worker or run survived the kill")
            self.assertLess(len(glob.glob(os.path.join(killed, "status", "*.json"))), 12)
        proc = sweep("run", path, "-o", killed, "--jobs", "2", "--resume")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertSameOutputs(whole, killed, 12)
        self.assertEqual({runner.read_status(killed, i)["via"] for i in range(12)}, {"batch"})
        self.assertEqual([n for n in os.listdir(os.path.join(killed, "runs")) if not n.endswith(".h5")], [])


class Designs(SweepTest):
    def test_saltelli_sweep_gives_sobol_indices_and_a_plot(self):
        import xarray as xr
        out = self.path("salt")
        proc = sweep("run", SALTELLI, "-o", out, "--jobs", "2", "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("S1_conf", proc.stdout)
        with xr.open_dataset(os.path.join(out, "sweep.h5"), engine="h5netcdf") as ds:
            self.assertEqual(ds.sizes["run"], 4 * (2 * 2 + 2))
            firms = ds["segments.retail.firms"].values
            self.assertEqual(firms.dtype.kind, "i")
            self.assertTrue(((firms >= 300) & (firms <= 3000)).all())
            # seeds: common within a base sample (row j of every block)
            seeds = ds["seed"].values.reshape(6, 4)
            self.assertTrue((seeds == seeds[0]).all())
        with xr.open_dataset(os.path.join(out, "sweep.h5"), engine="h5netcdf", group="sensitivity") as sens:
            self.assertEqual(sens.attrs["method"], "sobol")
            self.assertEqual(list(sens["parameter"].values),
                             ["vendors.beta.products.iaas_cpu.price", "segments.retail.firms"])
            self.assertEqual(list(sens["output"].values), ["hhi_final", "share[alpha]", "share[beta]"])
            self.assertEqual(sens["S1"].shape, (3, 2))
            self.assertTrue(bool(sens["ST"].notnull().all()))
        png = self.path("salt.png")
        plot = subprocess.run([sys.executable, os.path.join(SOURCE, "tools", "plot_sweep.py"), out, "-o", png],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(plot.returncode, 0, plot.stderr)
        self.assertGreater(os.path.getsize(png), 10000)

    def test_morris_and_csv_designs(self):
        import xarray as xr
        path = self.write("morris.yaml", f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            design: {{type: morris, trajectories: 2, levels: 4}}
            set: {{time.years: 1, segments.retail.firms: 500}}
            parameters:
              - {{path: segments.retail.price_sensitivity, min: 1, max: 5}}
              - {{path: vendors.alpha.pricing.strategy, values: [cost_plus, fixed]}}
            metrics: [{{name: hhi_final, variable: hhi}}]
            """)
        proc = sweep("run", path, "-o", self.path("morris"), "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("mu_star", proc.stdout)
        with xr.open_dataset(self.path("morris/sweep.h5"), engine="h5netcdf", group="sensitivity") as sens:
            self.assertEqual(sens["mu_star"].shape, (1, 2))
        with open(self.path("points.csv"), "w") as f:
            f.write("time.years,vendors.alpha.pricing.strategy\n1,fixed\n2,cost_plus\n")
        path = self.write("csv.yaml", f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            design: {{type: csv, file: points.csv}}
            set: {{segments.retail.firms: 500}}
            parameters: [{{path: time.years}}, {{path: vendors.alpha.pricing.strategy}}]
            """)
        proc = sweep("run", path, "-o", self.path("csv"), "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with xr.open_dataset(self.path("csv/sweep.h5"), engine="h5netcdf") as ds:
            self.assertEqual(ds["time.years"].values.tolist(), [1, 2])
            self.assertEqual(list(ds["vendors.alpha.pricing.strategy"].values), ["fixed", "cost_plus"])
        with xr.open_dataset(self.path("csv/runs/1.h5"), engine="h5netcdf") as run:
            self.assertEqual(run.sizes["time"], 24)


class Mpi(SweepTest):
    def test_mpi_gives_the_local_sweeps_files(self):
        mpirun = mpirun_or_skip(self)
        ref, proc = Reference.get()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = self.path("mpi")
        proc = subprocess.run([mpirun, "--oversubscribe", "--allow-run-as-root", "-np", "2", sys.executable, SWEEP,
                               "run", GRID, "-o", out, "--mpi", "--binary", BINARY],
                              capture_output=True, text=True, timeout=180)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("1 MPI worker ranks", proc.stderr)
        self.assertSameOutputs(ref, out, 8)


class ThroughTheBinary(SweepTest):
    def test_cloudmarket_sweep_collect(self):
        ref, _ = Reference.get()
        if not BINARY:
            self.skipTest("CLOUDMARKET is not set")
        proc = subprocess.run([BINARY, "sweep", "collect", ref], capture_output=True, text=True, timeout=60)
        if proc.returncode == 2 and "sweep" in proc.stderr and "unknown" in proc.stderr:
            self.skipTest("this build of cloudmarket has no sweep command")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("8 runs (8 ok)", proc.stdout)


if __name__ == "__main__":
    unittest.main()
