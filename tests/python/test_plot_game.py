"""tools/plot_game.py: a game's output and a game sweep's heat map become readable PNGs, and bad
input is refused with exit code 2 and a message (no traceback). Files laid out as the game
output's contract says (game_file.py) are plotted always; the binary's own files when
CLOUDMARKET is set."""
import os
import subprocess
import sys
import textwrap
import unittest

import h5py

import game_file
from common import BINARY, SOURCE, TempDirTest
from test_game_sweep import TINY_GAME

PLOT = os.path.join(SOURCE, "tools", "plot_game.py")
SWEEP = os.path.join(SOURCE, "tools", "sweep.py")


def plot(*args):
    return subprocess.run([sys.executable, PLOT, *args], capture_output=True, text=True, timeout=120)


class PlotTest(TempDirTest):
    def assertPng(self, path, min_width=600, min_height=400):
        with open(path, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG")
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        self.assertGreaterEqual(width, min_width)
        self.assertGreaterEqual(height, min_height)
        self.assertLess(width * height, 4000 * 3000, "an image far larger than a figure")
        self.assertGreater(os.path.getsize(path), 20_000, "too small to hold the plot's content")

    def assertRefused(self, proc, *fragments):
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)
        for fragment in fragments:
            self.assertIn(fragment, proc.stderr)

    def make_sweep(self, parameters, runs_values):
        """A sweep.h5 as `cloudmarket sweep collect` writes it (the attributes plot_game reads)."""
        import h5netcdf
        import numpy as np
        directory = self.path("sweep")
        os.makedirs(directory)
        n = len(runs_values)
        with h5netcdf.File(os.path.join(directory, "sweep.h5"), "w") as f:
            f.attrs.update({"schema": "cloudmarket-sweep-output/1", "title": "cloudmarket sweep 'test'",
                            "parameters": " ".join(parameters), "metrics": "delta price_end",
                            "base_schema": "cloudmarket-game/1"})
            f.dimensions = {"run": n, "seller": 2}
            f.create_variable("run", ("run",), data=np.arange(n, dtype=np.int64))
            f.create_variable("seller", ("seller",), dtype=h5py.string_dtype(),
                              data=np.array(["firm1", "firm2"], dtype=object))
            for j, p in enumerate(parameters):
                var = f.create_variable(p, ("run",), data=np.array([r[j] for r in runs_values], dtype=float))
                var.attrs["units"] = "1"
            var = f.create_variable("delta", ("run",), data=np.array([r[-1] for r in runs_values], dtype=float))
            var.attrs.update({"units": "1", "long_name": "mean over the sessions of mean_profit_gain"})
            var = f.create_variable("price_end", ("run", "seller"),
                                    data=np.array([[r[-1], 2 * r[-1]] for r in runs_values], dtype=float))
            var.attrs.update({"units": "1", "long_name": "mean over the sessions of price"})
        return directory


class PlotContractFiles(PlotTest):
    def test_a_game_output(self):
        path = self.path("game.h5")
        game_file.write(path, sessions=40)
        proc = plot(path, "-o", self.path("game.png"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertPng(self.path("game.png"), 1200, 500)

    def test_heat_map_of_a_two_parameter_grid_with_a_failed_run(self):
        rows = [(a, b, a + b) for a in (0.05, 0.1, 0.15, 0.2) for b in (1e-6, 2e-6, 4e-6)]
        rows += [(0.05, 1e-6, 0.7), (0.2, 4e-6, float("nan"))]  # a replication, and a run not ok
        directory = self.make_sweep(["q_learning.learning_rate", "q_learning.exploration_decay"], rows)
        proc = plot("--sweep", directory, "--metric", "delta", "-o", self.path("heat.png"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertPng(self.path("heat.png"))
        proc = plot("--sweep", directory, "--metric", "price_end", "--select", "seller=firm2",
                    "-o", self.path("heat2.png"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertPng(self.path("heat2.png"))

    def test_bad_input_exits_2_with_a_message(self):
        text, empty = self.not_run_files()
        out = self.path("x.png")
        self.assertRefused(plot(text, "-o", out), text, "cannot open it as a game output")
        self.assertRefused(plot(empty, "-o", out), empty, "not a game output")
        self.assertRefused(plot(self.path("none.h5"), "-o", out), "no such file")
        self.assertRefused(plot("-o", out), "give a game output file")
        directory = self.make_sweep(["a", "b", "c"], [(1, 2, 3, 0.5), (2, 3, 4, 0.6)])
        self.assertRefused(plot(os.path.join(directory, "sweep.h5"), "-o", out), "use --sweep DIR --metric NAME")
        self.assertRefused(plot("--sweep", directory, "--metric", "nope", "-o", out),
                           "no metric 'nope' in the sweep; its metrics are: delta, price_end")
        self.assertRefused(plot("--sweep", directory, "--metric", "delta", "-o", out),
                           "the sweep has 3 parameters (a, b, c)", "--x PATH --y PATH")
        self.assertRefused(plot("--sweep", directory, "--metric", "delta", "--x", "a", "--y", "z", "-o", out),
                           "--y 'z' is not a parameter of the sweep")
        self.assertRefused(plot("--sweep", directory, "--metric", "price_end", "--x", "a", "--y", "b", "-o", out),
                           "metric 'price_end' has a value per seller", "seller: firm1, firm2")
        self.assertRefused(plot("--sweep", self.path("nowhere"), "--metric", "delta", "-o", out), "no such file")
        game = self.path("game.h5")
        game_file.write(game, sessions=5)
        self.assertRefused(plot("--sweep", game, "--metric", "delta", "-o", out), "not a sweep's sweep.h5")
        self.assertFalse(os.path.exists(out), "nothing may be written for bad input")


class PlotBinaryFiles(PlotTest):
    """The same on files the binary writes: a game, and a 2 x 2 sweep over it."""

    def setUp(self):
        super().setUp()
        if not BINARY:
            self.skipTest("CLOUDMARKET is not set (run through ctest)")
        with open(self.path("tiny.yaml"), "w") as f:
            f.write(TINY_GAME)

    def test_a_game_run_by_the_binary(self):
        out = self.path("g.h5")
        proc = subprocess.run([BINARY, "run", self.path("tiny.yaml"), "-o", out, "--quiet", "--set", "sessions=6"],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = plot(out, "-o", self.path("g.png"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertPng(self.path("g.png"), 1200, 500)

    def test_heat_map_of_a_sweep_run_by_the_binary(self):
        path = self.path("sweep.yaml")
        with open(path, "w") as f:
            f.write(textwrap.dedent("""
                schema: cloudmarket-sweep/1
                base: tiny.yaml
                set: {sessions: 2}
                parameters:
                  - {path: q_learning.learning_rate, values: [0.1, 0.2]}
                  - {path: q_learning.exploration_decay, values: [1.0e-3, 2.0e-3]}
                """))
        directory = self.path("sw")
        proc = subprocess.run([sys.executable, SWEEP, "run", path, "-o", directory, "--quiet", "--jobs", "2",
                               "--binary", BINARY], capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = plot("--sweep", directory, "--metric", "profit_gain_mean", "-o", self.path("heat.png"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertPng(self.path("heat.png"))


if __name__ == "__main__":
    unittest.main()
