// Whole runs on the SimGrid engine. The engine is a process-wide singleton, so each TEST_CASE here
// runs one simulation, and ctest runs every TEST_CASE in its own process.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "sim/scenario_loader.hpp"
#include "sim/simulation.hpp"

using namespace cm;

namespace {

struct Collect : RunObserver {
  std::vector<MonthReport> months;
  std::vector<PriceChange> changes;
  void on_month(const MonthReport& r, const std::vector<PriceChange>& c) override {
    months.push_back(r);
    changes.insert(changes.end(), c.begin(), c.end());
  }
};

Scenario baseline() { return load_scenario(std::string(CM_SOURCE_DIR) + "/scenarios/baseline.yaml"); }

}  // namespace

TEST_CASE("at constant prices the market stays at its calibrated shares, and the books balance every month",
          "[simulation]") {
  Scenario sc = baseline();
  sc.time.years = 3;
  for (auto& v : sc.vendors) v.pricing.strategy = PricingRule::fixed;
  Collect run;
  simulate(sc, run);
  REQUIRE(run.months.size() == 36);
  CHECK(run.changes.empty());

  for (const auto& m : run.months) {
    const double cloud_firms = double(std::accumulate(m.customers.begin(), m.customers.end(), std::int64_t(0)));
    for (std::size_t v = 0; v < sc.vendors.size(); ++v)
      CHECK(double(m.customers[v]) / cloud_firms == Approx(sc.vendors[v].initial_share).margin(0.006));
    for (std::size_t s = 0; s < sc.segments.size(); ++s)
      CHECK(double(m.segment_cloud_firms[s]) / double(m.segment_firms[s]) ==
            Approx(sc.segments[s].cloud_adoption).margin(0.015));

    // Money is conserved: what the segments paid is what the vendors earned.
    const double paid = std::accumulate(m.segment_spend.begin(), m.segment_spend.end(), 0.0);
    const double earned = std::accumulate(m.revenue.values().begin(), m.revenue.values().end(), 0.0);
    CHECK(paid == Approx(earned).epsilon(1e-12));
    for (std::size_t i = 0; i < m.quantity.values().size(); ++i)
      CHECK(m.quantity.values()[i] <= m.capacity.values()[i] * (1 + 1e-12));
  }
}

TEST_CASE("cost-plus vendors reprice at their review cadence, effective the next month", "[simulation]") {
  Scenario sc = baseline();
  sc.time.years = 1;
  for (auto& s : sc.segments) s.firms = 2000;
  sc.vendors[0].pricing.strategy = PricingRule::cost_plus;
  sc.vendors[0].pricing.review_every = Duration{3, 0};
  sc.vendors[0].pricing.markup = 0.3;
  sc.vendors[1].pricing.strategy = PricingRule::fixed;
  Collect run;
  simulate(sc, run);
  // aws reviews every 3 months from the start, so it announces at months 0, 3, 6, 9.
  std::vector<double> aws_announced;
  for (const auto& c : run.changes)
    if (sc.vendors[c.vendor].id == "aws" && c.product == 0) aws_announced.push_back(c.announced_seconds);
  const Calendar cal(sc.time.start);
  REQUIRE(aws_announced.size() == 4);
  for (int k = 0; k < 4; ++k) CHECK(aws_announced[k] == cal.month_start_seconds(3 * k));
  // The first change (cost * (1 + markup)) shows in February's prices, not January's.
  const Offer& cpu = sc.vendors[0].offers[0];
  CHECK(run.months[0].price(0, 0) == cpu.price);
  REQUIRE(sc.vendors[0].pricing.markup);
  CHECK(run.months[1].price(0, 0) == Approx(cpu.unit_cost * (1 + *sc.vendors[0].pricing.markup)));
  // Fixed-price vendors never change.
  for (const auto& m : run.months) CHECK(m.price(1, 0) == sc.vendors[1].offers[0].price);
}
