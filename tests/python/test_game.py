"""The pricing game from the command line (issue 12): a short Calvano et al. (2020) experiment
whose learners must beat random pricing and punish deviations; results that do not depend on the
number of threads but do on the seed; an output file that opens in xarray with units and a long
name on every variable; `run` and `validate` taking a game file; `validate --print` reading back to
the same game. The full experiment (100 sessions, 15 prices) is `make validate`'s."""
import os
import unittest

import numpy as np
import xarray as xr

from common import SOURCE, TempDirTest, cloudmarket

SMALL_GAME = os.path.join(SOURCE, "tests", "scenarios", "game_small.yaml")
CALVANO = os.path.join(SOURCE, "games", "calvano_2020.yaml")


def values(path):
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return {name: ds[name].values.copy() for name in ds.variables}


class Game(TempDirTest):
    def play(self, name, *args, game=SMALL_GAME):
        out = self.path(name)
        self.run_ok("game", game, "-o", out, "--quiet", *args)
        return out

    def test_learning_beats_random_pricing_and_punishes_deviations(self):
        out = self.play("short.h5", "--sessions", "16", "--jobs", "2")
        with xr.open_dataset(out, engine="h5netcdf") as ds:
            delta = ds.mean_profit_gain.values
            self.assertTrue(ds.converged.values.all(), ds.periods.values)
            # Random prices on this grid earn Delta ~0.47; learners collude above it (~0.75).
            random = float(ds.random_profit_gain)
            self.assertGreater(random, 0.3)
            self.assertGreater(delta.mean(), random + 0.15, delta)
            # The deviator loses over the periods after its deviation: it is punished.
            self.assertLess(ds.punishment.values.mean(), 0)
            self.assertGreater((ds.deviation_gain.values < 0).mean(), 0.5)
            # The cycle's prices lie on the grid, between its ends.
            grid = ds.price_grid.values
            self.assertTrue(((ds.price.values >= grid[:, :1].T - 1e-12) & (ds.price.values <= grid[:, -1:].T + 1e-12)).all())

    def test_threads_change_nothing_and_the_seed_changes_the_sessions(self):
        one = values(self.play("one.h5", "--sessions", "6"))
        three = values(self.play("three.h5", "--sessions", "6", "--jobs", "3"))
        self.assertEqual(one.keys(), three.keys())
        for name in one:
            np.testing.assert_array_equal(one[name], three[name], err_msg=name)
        other = values(self.play("other.h5", "--sessions", "6", "--seed", "8"))
        self.assertFalse(np.array_equal(one["periods"], other["periods"]))

    def test_every_variable_has_units_and_a_long_name(self):
        out = self.play("calvano.h5", "--sessions", "2", "--set", "q_learning.exploration_decay=2e-5", game=CALVANO)
        with xr.open_dataset(out, engine="h5netcdf") as ds:
            self.assertEqual(ds.attrs["schema"], "cloudmarket-game-output/1")
            self.assertEqual(ds.sizes["session"], 2)
            self.assertEqual(ds.sizes["state"], 15 ** 2)
            for name in ds.variables:
                if name == "seller":
                    continue
                self.assertIn("units", ds[name].attrs, name)
                self.assertIn("long_name", ds[name].attrs, name)
            # The tool's benchmarks: Calvano et al. report p^N = 1.473, p^M = 1.925.
            np.testing.assert_allclose(ds.nash_price.values, 1.4729, atol=1e-4)
            np.testing.assert_allclose(ds.monopoly_price.values, 1.9250, atol=1e-4)
            # Greedy strategies decode: state s holds both sellers' last levels.
            levels = ds.state_level.values[:, 0, :]
            np.testing.assert_array_equal(levels[:, 0] + 15 * levels[:, 1], np.arange(225))
            greedy = ds.greedy_level.values
            self.assertTrue(((greedy >= 0) & (greedy < 15)).all())

    def test_every_experiment_option_plays_to_convergence(self):
        """Memory of two periods, Boltzmann exploration, turn-taking moves, Q starting at zero: each
        converges, and each learns prices above Nash (a positive gain) in this short setting."""
        for option in ("q_learning.memory=2", "q_learning.exploration=boltzmann", "moves=asynchronous",
                       "q_learning.q_init=zero"):
            with self.subTest(option=option):
                out = self.play(option.replace("=", "_") + ".h5", "--sessions", "4", "--jobs", "2", "--set", option)
                with xr.open_dataset(out, engine="h5netcdf") as ds:
                    self.assertTrue(ds.converged.values.all())
                    self.assertGreater(ds.mean_profit_gain.values.mean(), 0.2)
                    if option == "q_learning.memory=2":
                        self.assertEqual(ds.attrs["memory"], 2)
                        levels = ds.state_level.values  # state, lag, seller
                        self.assertEqual(levels.shape, (7 ** 4, 2, 2))
                        code = levels[:, 0, 0] + 7 * levels[:, 0, 1] + 49 * levels[:, 1, 0] + 343 * levels[:, 1, 1]
                        np.testing.assert_array_equal(code, np.arange(7 ** 4))
                    if option == "moves=asynchronous":
                        self.assertTrue((ds.cycle_length.values % 2 == 0).all())  # turns: an even cycle

    def test_run_and_validate_take_a_game_file(self):
        proc = self.run_ok("validate", SMALL_GAME)
        self.assertIn("ok: game 'game_small', 2 sellers", proc.stdout)
        via_run = self.path("via_run.h5")
        self.run_ok("run", SMALL_GAME, "-o", via_run, "--quiet", "--set", "sessions=2")
        direct = values(self.play("direct.h5", "--sessions", "2"))
        for name, data in values(via_run).items():
            np.testing.assert_array_equal(data, direct[name], err_msg=name)

    def test_print_reads_back_to_the_same_game(self):
        printed = self.path("printed.yaml")
        proc = self.run_ok("validate", SMALL_GAME, "--print", "--set", "q_learning.learning_rate=0.2")
        with open(printed, "w") as f:
            f.write(proc.stdout)
        a = values(self.play("a.h5", "--sessions", "2", "--set", "q_learning.learning_rate=0.2"))
        b = values(self.play("b.h5", "--sessions", "2", game=printed))
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)

    def test_a_bad_override_is_located_and_writes_nothing(self):
        out = self.path("bad.h5")
        proc = cloudmarket("game", SMALL_GAME, "-o", out, "--set", "q_learning.learning_rat=0.2")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("unknown key 'learning_rat'", proc.stderr)
        self.assertIn("did you mean 'learning_rate'", proc.stderr)
        self.assertFalse(os.listdir(self.tmp))


if __name__ == "__main__":
    unittest.main()
