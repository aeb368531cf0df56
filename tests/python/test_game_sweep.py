"""Sweeps over a game file (schema cloudmarket-game/1): metrics reduce over sessions, the seller
dimension is labelled by the game's sellers, and a scenario's variables are refused where they are
named. The end-to-end tests run a tiny game (few prices, fast-decaying exploration, a few
sessions) with the binary under test; they are skipped when CLOUDMARKET is unset."""
import glob
import os
import subprocess
import sys
import unittest

import h5py
import numpy as np

from common import BINARY, SOURCE, TempDirTest

SWEEP = os.path.join(SOURCE, "tools", "sweep.py")
SMALL = os.path.join(SOURCE, "tests", "scenarios", "small.yaml")
sys.path.insert(0, os.path.join(SOURCE, "tools"))

from sweeplib.sweepfile import GAME_VARIABLES  # noqa: E402

# Two Q-learners on a 5-price grid; exploration dies out after some thousands of periods, so a
# session ends in well under a second.
TINY_GAME = """
schema: cloudmarket-game/1
name: tiny
seed: 1
sessions: 3
units: "1"
demand: {model: logit, price_sensitivity: 4.0, outside_quality: 0.0}
sellers:
  - {id: alpha, quality: 2.0, marginal_cost: 1.0, strategy: q_learning}
  - {id: beta, quality: 2.0, marginal_cost: 1.0, strategy: q_learning}
grid: {points: 5, extend: 0.1}
q_learning: {learning_rate: 0.15, discount: 0.95, exploration_decay: 1.0e-3, exploration: epsilon, q_init: expected, memory: 1}
moves: synchronous
convergence: {stable_periods: 500, max_periods: 200000}
impulse: {deviator: alpha, periods: 5}
"""


def sweep(*args, binary=None, timeout=300):
    return subprocess.run([sys.executable, SWEEP, *args, "--binary", binary or BINARY],
                          capture_output=True, text=True, timeout=timeout)


class GameSweepTest(TempDirTest):
    def need_binary(self):
        if not BINARY:
            self.skipTest("CLOUDMARKET is not set (run through ctest)")


class GameSweepEndToEnd(GameSweepTest):
    def test_metrics_are_reductions_over_the_sessions_of_each_run(self):
        self.need_binary()
        self.write("tiny.yaml", TINY_GAME)
        path = self.write("sweep.yaml", """
            schema: cloudmarket-sweep/1
            base: tiny.yaml
            seed: 5
            set: {sessions: 3}
            parameters:
              - {path: q_learning.learning_rate, values: [0.1, 0.2]}
              - {path: q_learning.exploration_decay, values: [1.0e-3, 2.0e-3]}
            metrics:
              - {name: delta, variable: mean_profit_gain}
              - {name: delta_max, variable: mean_profit_gain, reduce: max}
              - {name: gain, variable: profit_gain, reduce: min}
              - {name: price_alpha, variable: price, select: {seller: alpha}}
              - {name: deviation, variable: impulse_price, select: {tau: "1"}, across: mean}
              - {name: converged_share, variable: converged}
              - {name: periods_last, variable: periods, reduce: last}
            """)
        out = self.path("out")
        proc = sweep("run", path, "-o", out, "--jobs", "2", "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        runs = sorted(glob.glob(os.path.join(out, "runs", "*.h5")))
        self.assertEqual(len(runs), 4)
        with h5py.File(os.path.join(out, "sweep.h5"), "r") as s:
            self.assertEqual(s.attrs["base_schema"], "cloudmarket-game/1")
            self.assertEqual([x.decode() for x in s["seller"][...]], ["alpha", "beta"])
            self.assertEqual([x.decode() for x in s["status"][...]], ["ok"] * 4)
            got = {name: s[name][...] for name in
                   ("delta", "delta_max", "gain", "price_alpha", "deviation", "converged_share", "periods_last")}
            self.assertEqual(s["gain"].dims[1][0].name, "/seller")
        for i in range(4):
            with h5py.File(os.path.join(out, "runs", f"{i}.h5"), "r") as f:
                self.assertEqual(f.attrs["sessions"], 3)
                sellers = [x.decode() for x in f["seller"][...]]
                delta = f["mean_profit_gain"][...].astype(float)
                self.assertEqual(delta.shape, (3,))
                self.assertAlmostEqual(got["delta"][i], np.mean(delta), places=12)
                self.assertAlmostEqual(got["delta_max"][i], np.max(delta), places=12)
                np.testing.assert_allclose(got["gain"][i], np.min(f["profit_gain"][...], axis=0), rtol=1e-12)
                self.assertAlmostEqual(got["price_alpha"][i], np.mean(f["price"][:, sellers.index("alpha")]),
                                       places=12)
                tau = list(f["tau"][...])
                self.assertAlmostEqual(got["deviation"][i], np.mean(f["impulse_price"][:, tau.index(1), :]),
                                       places=12)
                self.assertAlmostEqual(got["converged_share"][i], np.mean(f["converged"][...]), places=12)
                self.assertEqual(got["periods_last"][i], f["periods"][-1])

    def test_default_metrics_and_the_variable_table_match_what_a_game_writes(self):
        self.need_binary()
        self.write("tiny.yaml", TINY_GAME)
        path = self.write("sweep.yaml", """
            schema: cloudmarket-sweep/1
            base: tiny.yaml
            set: {sessions: 2}
            parameters:
              - {path: q_learning.learning_rate, values: [0.15]}
            """)
        out = self.path("out")
        proc = sweep("run", path, "-o", out, "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with h5py.File(os.path.join(out, "sweep.h5"), "r") as s, \
                h5py.File(os.path.join(out, "runs", "0.h5"), "r") as f:
            self.assertEqual(s.attrs["metrics"].split(),
                             ["profit_gain_mean", "converged_share", "converged_at_mean", "deviation_gain_mean"])
            self.assertAlmostEqual(s["profit_gain_mean"][0], np.mean(f["mean_profit_gain"][...]), places=12)
            self.assertAlmostEqual(s["converged_at_mean"][0], np.mean(f["converged_at"][...]), places=12)
            self.assertAlmostEqual(s["deviation_gain_mean"][0], np.mean(f["deviation_gain"][...]), places=12)
        # GAME_VARIABLES mirrors the C++ writer: every per-session variable, with its dimensions
        # (greedy_level, written only for small tables, is left out of it on purpose).
        import xarray as xr
        with xr.open_dataset(os.path.join(out, "runs", "0.h5"), engine="h5netcdf") as ds:
            written = {name: ds[name].dims for name in ds.data_vars
                       if ds[name].dims[:1] == ("session",) and name != "greedy_level"}
            self.assertEqual(written, dict(GAME_VARIABLES))
            for name in written:
                self.assertIn("units", ds[name].attrs, name)


class GameSweepChecks(GameSweepTest):
    """Sweep-file checks that come before the simulator is asked anything."""

    def run_bad(self, text, *expected):
        path = self.write("bad.yaml", text)
        out = self.path("out")
        proc = sweep("run", path, "-o", out, binary=BINARY or "/nonexistent/cloudmarket")
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)
        for line in expected:
            self.assertIn(f"{path}:{line}", proc.stderr)
        self.assertFalse(os.path.exists(out), "nothing may be written for an invalid sweep")
        return proc.stderr

    def test_a_scenario_variable_and_over_are_refused_where_they_are_written(self):
        self.write("tiny.yaml", TINY_GAME)
        self.run_bad("""
            schema: cloudmarket-sweep/1
            base: tiny.yaml
            parameters:
              - {path: q_learning.learning_rate, values: [0.1, 0.2]}
            metrics:
              - {name: h, variable: hhi}
              - {name: d, variable: mean_profit_gain, reduce: mean, over: 3}
              - {name: n, variable: nash_price}
              - {name: p, variable: price, select: {vendor: aws}}
              - {name: g, variable: mean_profit_gian}
            """,
            "6:25: error: unknown game output variable 'hhi' (it is a variable of a scenario's run; "
            "this sweep's base is a game)",
            "7:57: error: 'over' has no use in a sweep over a game",
            "8:25: error: unknown game output variable 'nash_price' (it is the same in every session",
            "9:41: error: variable 'price' has no dimension 'vendor'; its dimensions are seller",
            "10:25: error: unknown game output variable 'mean_profit_gian' (did you mean 'mean_profit_gain'?)")

    def test_a_game_variable_in_a_scenario_sweep_says_so(self):
        err = self.run_bad(f"""
            schema: cloudmarket-sweep/1
            base: {SMALL}
            parameters:
              - {{path: segments.retail.growth, values: [0.1, 0.2]}}
            metrics:
              - {{name: d, variable: mean_profit_gain}}
            """,
            "6:25: error: unknown output variable 'mean_profit_gain'")
        self.assertIn("('mean_profit_gain' is a variable of a game's output; this sweep's base is a scenario)", err)


class GameSweepSelects(GameSweepTest):
    def test_an_unknown_seller_is_named_with_the_games_sellers(self):
        self.need_binary()
        self.write("tiny.yaml", TINY_GAME)
        path = self.write("bad.yaml", """
            schema: cloudmarket-sweep/1
            base: tiny.yaml
            parameters:
              - {path: q_learning.learning_rate, values: [0.1, 0.2]}
            metrics:
              - {name: p, variable: price, select: {seller: gamma}}
            """)
        proc = sweep("run", path, "-o", self.path("out"))
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn(f"{path}:6:49: error: unknown seller 'gamma'", proc.stderr)
        self.assertIn("the base game's sellers are: alpha, beta", proc.stderr)


if __name__ == "__main__":
    unittest.main()
