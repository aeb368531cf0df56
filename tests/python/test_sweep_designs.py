"""Experimental designs and sensitivity analysis of batch sweeps (tools/sweeplib).

Pure-Python tests, no binary needed:
    cd tests/python && /usr/bin/python3 -m unittest -v test_sweep_designs
"""
import itertools
import os
import sys
import unittest

import numpy as np

SOURCE = os.environ.get("CM_SOURCE_DIR",
                        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(SOURCE, "tools"))

from sweeplib import analysis, designs  # noqa: E402


def ishigami(unit, a=7.0, b=0.1):
    """Ishigami function on [-pi, pi]^3, given unit-cube rows."""
    x = -np.pi + 2 * np.pi * unit
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


class GridTest(unittest.TestCase):
    def test_size_and_row_major_order(self):
        levels = [[1, 2], [10, 20, 30], [0.5, 1.5, 2.5, 3.5]]
        g = designs.grid(levels)
        self.assertEqual(g.shape, (2 * 3 * 4, 3))
        # Last parameter fastest == itertools.product order.
        np.testing.assert_array_equal(g, np.array(list(itertools.product(*levels)), dtype=float))
        np.testing.assert_array_equal(g[:4, 2], levels[2])
        np.testing.assert_array_equal(g[:4, 0], [1, 1, 1, 1])

    def test_non_numeric_values_and_errors(self):
        g = designs.grid([["a", "b"], [1, 2]])
        self.assertEqual(g.dtype, object)
        self.assertEqual(g.tolist(), [["a", 1], ["a", 2], ["b", 1], ["b", 2]])
        with self.assertRaises(ValueError):
            designs.grid([[1, 2], []])


class LhsTest(unittest.TestCase):
    def test_each_stratum_holds_one_point(self):
        n, d = 64, 5
        x = designs.lhs(n, d, seed=3)
        self.assertEqual(x.shape, (n, d))
        self.assertTrue(np.all((x >= 0) & (x < 1)))
        for j in range(d):
            strata = np.floor(x[:, j] * n).astype(int)
            np.testing.assert_array_equal(np.sort(strata), np.arange(n), err_msg=f"dim {j}")


class SaltelliTest(unittest.TestCase):
    def test_row_count_and_block_structure(self):
        n, d = 32, 4
        x = designs.saltelli(n, d, seed=1)
        self.assertEqual(x.shape, (n * (2 * d + 2), d))
        self.assertEqual(designs.saltelli_size(n, d), x.shape[0])
        blocks = designs.saltelli_blocks(n, d)
        a, b = x[blocks["A"]], x[blocks["B"]]
        self.assertEqual(blocks["A"], slice(0, n))
        self.assertEqual(blocks["B"], slice((2 * d + 1) * n, (2 * d + 2) * n))
        self.assertFalse(np.any(a == b))   # independent halves of the 2d Sobol sequence
        for i in range(d):
            ab, ba = x[blocks["AB"][i]], x[blocks["BA"][i]]
            self.assertEqual(blocks["AB"][i], slice((1 + i) * n, (2 + i) * n))
            self.assertEqual(blocks["BA"][i], slice((1 + d + i) * n, (2 + d + i) * n))
            others = [j for j in range(d) if j != i]
            np.testing.assert_array_equal(ab[:, i], b[:, i])
            np.testing.assert_array_equal(ab[:, others], a[:, others])
            np.testing.assert_array_equal(ba[:, i], a[:, i])
            np.testing.assert_array_equal(ba[:, others], b[:, others])

    def test_n_must_be_power_of_two(self):
        for n in (0, 3, 100):
            with self.assertRaises(ValueError):
                designs.saltelli(n, 2, seed=0)
        self.assertEqual(designs.saltelli(1, 2, seed=0).shape, (6, 2))


class MorrisTest(unittest.TestCase):
    def test_trajectory_structure(self):
        for levels in (4, 6):
            r, d = 20, 5
            delta = levels / (2 * (levels - 1))
            self.assertAlmostEqual(designs.morris_delta(levels), delta)
            x = designs.morris(r, d, levels, seed=2)
            self.assertEqual(x.shape, (r * (d + 1), d))
            # All values on the grid {0, 1/(levels-1), ..., 1}.
            k = x * (levels - 1)
            np.testing.assert_allclose(k, np.round(k), atol=1e-12)
            self.assertTrue(np.all((x >= 0) & (x <= 1)))
            signs = []
            for t in range(r):
                traj = x[t * (d + 1):(t + 1) * (d + 1)]
                diff = np.diff(traj, axis=0)
                moved = np.abs(diff) > 1e-12
                np.testing.assert_array_equal(moved.sum(axis=1), np.ones(d))   # one factor/step
                np.testing.assert_array_equal(np.sort(np.argmax(moved, axis=1)), np.arange(d))
                steps = diff[moved]
                np.testing.assert_allclose(np.abs(steps), delta)
                signs.extend(np.sign(steps))
            self.assertIn(1.0, signs)   # both directions occur
            self.assertIn(-1.0, signs)

    def test_odd_levels_rejected(self):
        with self.assertRaises(ValueError):
            designs.morris(2, 3, 5, seed=0)


class ToValuesTest(unittest.TestCase):
    def test_uniform_and_loguniform(self):
        u = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
        specs = [{"min": -2, "max": 6},
                 {"min": 1e-3, "max": 10.0, "distribution": "loguniform"}]
        before = [dict(s) for s in specs]
        v = designs.to_values(u, specs)
        self.assertEqual(v.dtype, float)
        np.testing.assert_allclose(v[:, 0], [-2, 2, 6])
        np.testing.assert_allclose(v[:, 1], [1e-3, np.sqrt(1e-3 * 10.0), 10.0], rtol=1e-12)
        self.assertEqual(specs, before)                       # pure
        with self.assertRaises(ValueError):
            designs.to_values(u[:, :1], [{"min": 0, "max": 1, "distribution": "loguniform"}])
        with self.assertRaises(ValueError):
            designs.to_values(u[:, :1], [{"min": 1, "max": 2, "distribution": "normal"}])

    def test_integer(self):
        u = (np.arange(1000) + 0.5)[:, None] / 1000
        v = designs.to_values(u, [{"min": 3, "max": 7, "integer": True}])[:, 0]
        np.testing.assert_array_equal(v, np.floor(v))
        counts = [int(np.sum(v == k)) for k in range(3, 8)]
        self.assertEqual(counts, [200] * 5)                  # every integer equally likely
        np.testing.assert_array_equal(
            designs.to_values([[0.0], [1.0]], [{"min": 3, "max": 7, "integer": True}])[:, 0], [3, 7])
        lv = designs.to_values(u, [{"min": 1, "max": 100, "integer": True,
                                    "distribution": "loguniform"}])[:, 0]
        self.assertEqual((lv.min(), lv.max()), (1, 100))
        np.testing.assert_array_equal(lv, np.floor(lv))
        # Floor of log-uniform on [1, 101): P(value < 10) = log(10)/log(101) ~ 0.499
        # (a uniform map would give 0.09).
        self.assertLessEqual(abs(np.sum(lv < 10) - 1000 * np.log(10) / np.log(101)), 1)

    def test_choice(self):
        u = np.array([[0.0], [0.33], [0.34], [0.67], [0.999], [1.0]])
        v = designs.to_values(u, {"mode": {"values": ["low", "mid", "high"]}})
        self.assertEqual(v.dtype, object)
        self.assertEqual(v[:, 0].tolist(), ["low", "low", "mid", "high", "high", "high"])
        mixed = designs.to_values([[0.9, 0.5]], [{"min": 0, "max": 1}, {"values": [True, False]}])
        self.assertEqual(mixed.tolist(), [[0.9, False]])


class SobolTest(unittest.TestCase):
    def test_ishigami(self):
        n, d = 4096, 3
        x = designs.saltelli(n, d, seed=11)
        res = analysis.sobol_indices(ishigami(x), n, d, seed=11)
        self.assertEqual(set(res), {"S1", "S1_conf", "ST", "ST_conf"})
        np.testing.assert_allclose(res["S1"], [0.3139, 0.4424, 0.0], atol=0.03)
        np.testing.assert_allclose(res["ST"], [0.5576, 0.4424, 0.2437], atol=0.03)
        for key in ("S1_conf", "ST_conf"):
            self.assertEqual(res[key].shape, (d,))
            self.assertTrue(np.all((res[key] > 0) & (res[key] < 0.1)), res[key])

    def test_linear_model_and_wrong_length(self):
        # Additive linear model: S1 = ST = c_i^2 / sum(c^2) (uniform inputs).
        c = np.array([1.0, 2.0, 0.0, 3.0])
        n, d = 1024, 4
        x = designs.saltelli(n, d, seed=5)
        res = analysis.sobol_indices(x @ c, n, d)
        expected = c ** 2 / np.sum(c ** 2)
        np.testing.assert_allclose(res["S1"], expected, atol=0.03)
        np.testing.assert_allclose(res["ST"], expected, atol=0.03)
        self.assertEqual(res["ST"][2], 0.0)   # a factor with no effect has exactly ST = 0
        with self.assertRaises(ValueError):
            analysis.sobol_indices((x @ c)[:-1], n, d)


class MorrisIndicesTest(unittest.TestCase):
    def test_linear_model_recovers_coefficients(self):
        c = np.array([2.5, -1.0, 0.0, 4.0])
        r, d = 8, 4
        x = designs.morris(r, d, 4, seed=9)
        res = analysis.morris_indices(x, 1.0 + x @ c, r, d)
        np.testing.assert_allclose(res["mu_star"], np.abs(c), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(res["mu"], c, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(res["sigma"], 0.0, atol=1e-12)

    def test_nonlinear_factor_has_spread_and_bad_rows_rejected(self):
        r, d = 30, 2
        x = designs.morris(r, d, 4, seed=4)
        res = analysis.morris_indices(x, x[:, 0] ** 2 + x[:, 1], r, d)
        self.assertGreater(res["sigma"][0], 0.1)            # effect of x0 depends on x0
        self.assertAlmostEqual(res["sigma"][1], 0.0, places=12)
        self.assertAlmostEqual(res["mu_star"][1], 1.0, places=12)
        bad = x.copy()
        bad[1] = bad[0]                                       # a step that changes nothing
        with self.assertRaises(ValueError):
            analysis.morris_indices(bad, bad[:, 0], r, d)


class DeterminismTest(unittest.TestCase):
    def test_same_seed_same_design(self):
        cases = [
            lambda s: designs.lhs(16, 3, s),
            lambda s: designs.saltelli(16, 3, s),
            lambda s: designs.morris(5, 3, 4, s),
        ]
        for make in cases:
            np.testing.assert_array_equal(make(42), make(42))
            self.assertFalse(np.array_equal(make(42), make(43)))
        n, d = 64, 3
        y = ishigami(designs.saltelli(n, d, 0))
        r1, r2 = analysis.sobol_indices(y, n, d, seed=7), analysis.sobol_indices(y, n, d, seed=7)
        for key in r1:
            np.testing.assert_array_equal(r1[key], r2[key])
        self.assertFalse(np.array_equal(r1["S1_conf"],
                                        analysis.sobol_indices(y, n, d, seed=8)["S1_conf"]))


if __name__ == "__main__":
    unittest.main()
