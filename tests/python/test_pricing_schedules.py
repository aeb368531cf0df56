"""Strategy schedules and events that persist (issue 9, items 3 and 4), each run in its own process:
a vendor's pricing switches strategy on a regime's date and records the switch in
/events/price_changes; a price_change under cost_plus holds for its `for:` and then the rule resumes;
`validate` warns (exit 0) when a configuration would undo an event within its month."""
import os
import unittest

import numpy as np
import xarray as xr

from common import TempDirTest, cloudmarket

# One product, unit cost 1 (no trend, no learning), a rival fixed at 2.0, monthly output from
# 2024-01-01. A price announced in month m is in force from month m+1 (agents/price_book.hpp).
WORLD = """schema: cloudmarket/1
name: schedules
seed: 3
time: {{start: 2024-01-01, years: 1}}
products:
  - {{id: iaas_cpu, unit: vcpu_hour, kind: compute}}
vendors:
  - id: mover
    initial_share: 0.5
    datacenters: [{{id: east, flops: 1.0e18}}]
    products:
      iaas_cpu: {{price: 1.5, unit_cost: 1.0, capacity: 1.0e15}}
    pricing:
{pricing}
  - id: rival
    initial_share: 0.5
    datacenters: [{{id: west, flops: 1.0e18}}]
    products:
      iaas_cpu: {{price: 2.0, unit_cost: 1.0, capacity: 1.0e15}}
segments:
  - id: buyers
    firms: 500
    budget: {{distribution: lognormal, median: 1.0e6, sigma: 0.5}}
    spend_shares: {{iaas_cpu: 1.0}}
    price_sensitivity: 2
    switching_cost: 1
    contract_months: 12
    cloud_adoption: 0.9
events:
{events}
"""

SCHEDULE = """      - {strategy: undercut, undercut: 0.1, review_every: 1 month, reaction_delay: 0 days}
      - {from: 2024-06-01, strategy: cost_plus, markup: 0.3, review_every: 3 months}
      - {from: 2024-09-15, strategy: fixed}"""

COST_PLUS = """      {strategy: cost_plus, markup: 0.5, review_every: 1 month}"""


def date(value):
    """A decoded time coordinate as YYYY-MM-DD."""
    return str(np.datetime_as_string(value, unit="D"))


class PricingSchedules(TempDirTest):
    def scenario(self, pricing, events="  []"):
        path = self.path("world.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(WORLD.format(pricing=pricing, events=events))
        return path

    def run_world(self, pricing, events="  []"):
        out = self.path("out.nc")
        self.run_ok("run", self.scenario(pricing, events), "-o", out, "--quiet")
        prices = xr.open_dataset(out, engine="h5netcdf").price.sel(vendor="mover", product="iaas_cpu").values
        changes = xr.open_dataset(out, group="events/price_changes", engine="h5netcdf")
        return prices, changes.where(changes.vendor_id == "mover", drop=True)

    def test_schedule_switches_strategy_on_its_date(self):
        prices, changes = self.run_world(SCHEDULE)
        # January at the initial price; undercut 10% below the rival from February to June; the
        # cost_plus regime of 2024-06-01 (announced on its date) is in force from July.
        np.testing.assert_allclose(prices[0], 1.5)
        np.testing.assert_allclose(prices[1:6], 1.8)
        np.testing.assert_allclose(prices[6:], 1.3)
        reasons = [str(r) for r in changes.reason.values]
        switch = reasons.index("regime: cost_plus from 2024-06-01")
        self.assertEqual(date(changes.announced.values[switch]), "2024-06-01")
        self.assertEqual(date(changes.effective.values[switch]), "2024-07-01")
        self.assertAlmostEqual(float(changes.old_price.values[switch]), 1.8)
        self.assertAlmostEqual(float(changes.new_price.values[switch]), 1.3)
        # A switch that does not move the price is recorded too: new_price == old_price.
        still = reasons.index("regime: fixed from 2024-09-15")
        self.assertAlmostEqual(float(changes.old_price.values[still]), 1.3)
        self.assertAlmostEqual(float(changes.new_price.values[still]), 1.3)
        self.assertEqual(reasons.count("undercut"), 1)  # one cut, then the rival never moves

    def test_validate_prints_the_schedule_back(self):
        proc = self.run_ok("validate", self.scenario(SCHEDULE), "--print")
        printed = self.path("printed.yaml")
        with open(printed, "w", encoding="utf-8") as f:
            f.write(proc.stdout)
        again = self.run_ok("validate", printed, "--print")
        self.assertEqual(again.stdout, proc.stdout)
        self.assertIn("from: 2024-09-15", proc.stdout)

    def test_price_change_under_cost_plus_holds_for_its_duration(self):
        event = "  - {type: price_change, at: 2024-03-01, vendor: mover, product: iaas_cpu, price: 1.1, for: 3 months}"
        prices, changes = self.run_world(COST_PLUS, event)
        # cost_plus 50% from February; the cut of 2024-03-01 holds April, May and June although
        # cost_plus reviews every month (one review is on the event's date itself); the rule's
        # price is back from July.
        np.testing.assert_allclose(prices[0], 1.5)
        np.testing.assert_allclose(prices[1:3], 1.5)
        np.testing.assert_allclose(prices[3:6], 1.1)
        np.testing.assert_allclose(prices[6:], 1.5)
        reasons = [str(r) for r in changes.reason.values]
        self.assertEqual(reasons, ["event", "cost_plus"])
        self.assertEqual(date(changes.announced.values[1]), "2024-06-01")

    def test_price_change_without_for_holds_until_the_next_regime(self):
        pricing = """      - {strategy: cost_plus, markup: 0.5, review_every: 1 month}
      - {from: 2024-10-01, strategy: cost_plus, markup: 0.2, review_every: 1 month}"""
        event = "  - {type: price_change, at: 2024-03-01, vendor: mover, product: iaas_cpu, price: 1.1}"
        prices, _ = self.run_world(pricing, event)
        np.testing.assert_allclose(prices[3:10], 1.1)
        np.testing.assert_allclose(prices[10:], 1.2)

    def test_validate_warns_when_an_event_would_be_undone_within_its_month(self):
        pricing = """      - {strategy: cost_plus, markup: 0.5, review_every: 1 month}
      - {from: 2024-03-20, strategy: cost_plus, markup: 0.2}"""
        events = ("  - {type: price_change, at: 2024-03-01, vendor: mover, product: iaas_cpu, price: 1.1}\n"
                  "  - {type: price_change, at: 2024-05-02, vendor: mover, product: iaas_cpu, change: -0.1, for: 10 days}")
        path = self.scenario(pricing, events)
        proc = self.run_ok("validate", path)
        lines = [line for line in proc.stderr.splitlines() if ": warning: " in line]
        self.assertEqual(len(lines), 2, proc.stderr)
        events_line = WORLD.split("\n").index("events:") + 1 + pricing.count("\n")
        self.assertTrue(lines[0].startswith(f"{path}:{events_line + 1}:"), lines[0])
        self.assertIn("switch to the 'cost_plus' regime on 2024-03-20", lines[0])
        self.assertTrue(lines[1].startswith(f"{path}:{events_line + 2}:"), lines[1])
        self.assertIn("holds for only 10 days", lines[1])
        # Without the conflicts: no warning.
        quiet = self.run_ok("validate", self.scenario(COST_PLUS, "  - {type: price_change, at: 2024-03-01, "
                                                                 "vendor: mover, product: iaas_cpu, price: 1.1}"))
        self.assertNotIn("warning", quiet.stderr)


if __name__ == "__main__":
    unittest.main()
