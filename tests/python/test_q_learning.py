"""Q-learning credited correctly (issue 9, item 5): against a rival that never moves, with no
switching costs and monthly contracts (so a month's profit depends only on the prices in force that
month) and discount 0, the learner must end on the best grid price in at least 8 of 10 seeds. The best
grid price is found independently of the learner: each grid price is held by a price_change event
(strategy fixed) and its mean monthly gross profit measured. Every run is its own process."""
import os
import subprocess
import unittest

import numpy as np
import xarray as xr

from common import BINARY, SOURCE, TempDirTest

SCENARIO = os.path.join(SOURCE, "tests", "scenarios", "q_fixed_rival.yaml")
GRID = [1.0 + 0.2 * i for i in range(6)]  # unit cost 1 x (1 + markup), markups 0, 0.2, ..., 1


class QLearningCredit(TempDirTest):
    def start(self, out, *settings):
        if not BINARY:
            raise unittest.SkipTest("CLOUDMARKET is not set (run through ctest)")
        args = [BINARY, "run", SCENARIO, "-o", out, "--quiet"]
        for s in settings:
            args += ["--set", s]
        return subprocess.Popen(args, stderr=subprocess.PIPE, text=True)

    def finish(self, procs):
        for p in procs:
            _, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)

    def learner(self, out, variable):
        with xr.open_dataset(out, engine="h5netcdf") as ds:
            return ds[variable].sel(vendor="learner", product="iaas_cpu").values

    def best_grid_price(self):
        outs = [self.path(f"grid{i}.nc") for i in range(len(GRID))]
        self.finish([self.start(out, "vendors.learner.pricing={strategy: fixed}", "time.years=2",
                                "events=[{type: price_change, at: 2000-01-01, vendor: learner, product: iaas_cpu, "
                                f"price: {price}}}]")
                     for out, price in zip(outs, GRID)])
        profit = []
        for out, price in zip(outs, GRID):
            np.testing.assert_allclose(self.learner(out, "price")[1:], price)
            revenue, quantity = self.learner(out, "revenue")[1:], self.learner(out, "quantity")[1:]
            profit.append(np.mean(revenue - 1.0 * quantity))  # unit cost 1
        ranked = sorted(profit, reverse=True)
        self.assertGreater(ranked[0], 1.1 * ranked[1], f"no clear best grid price: {profit}")
        return GRID[int(np.argmax(profit))]

    def test_learner_ends_on_the_best_grid_price(self):
        best = self.best_grid_price()
        seeds = range(1, 11)
        outs = [self.path(f"seed{s}.nc") for s in seeds]
        self.finish([self.start(out, f"seed={s}") for out, s in zip(outs, seeds)])
        final = [float(self.learner(out, "price")[-1]) for out in outs]
        hits = sum(abs(p - best) < 1e-9 for p in final)
        self.assertGreaterEqual(hits, 8, f"best grid price {best}, final prices {final}")
        # The learnt policy is in the output: every monthly review made, and every action credited
        # but the last two or three (an action's month closes at the next month start, the instant
        # of the review after next: whether that review sees it depends on the actors' order within
        # the instant); the greedy action in the state it ends in is the price it ends on.
        with xr.open_dataset(outs[0], group="strategies/q_learning", engine="h5netcdf") as q:
            self.assertEqual([str(v) for v in q.vendor_id.values], ["learner"])
            months = 12 * 40
            self.assertEqual(int(q.reviews.values[0]), months)
            self.assertIn(int(q.credited.values[0]), (months - 3, months - 2))
            own = int(round((final[0] - 1.0) / 0.2))
            state = int(np.flatnonzero(q.own_level.values == own)[0])
            self.assertAlmostEqual(float(q.greedy_price.values[state]), final[0])


if __name__ == "__main__":
    unittest.main()
