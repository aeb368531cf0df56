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

namespace {
Scenario small() { return load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/small.yaml"); }
double sum(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0); }
}  // namespace

TEST_CASE("capacity orders arrive after their lead time and cash pays for them", "[simulation]") {
  Scenario sc = small();
  sc.time.years = 3;
  sc.segments[0].growth = 0.6;
  for (auto& v : sc.vendors) {
    v.offers[0].capacity = 4.0e9;  // binds soon: about 3.4e9 vcpu-hours wanted at the start
    v.offers[0].capex_per_unit = 0.2;
    v.pricing.strategy = PricingRule::fixed;
    v.capacity_policy = CapacityPolicy{0.8, Duration{3, 0}, 4.0};
  }
  Collect run;
  simulate(sc, run);
  const auto& months = run.months;
  double ordered_before = 0;
  for (std::size_t m = 1; m < months.size(); ++m) {
    for (std::size_t v = 0; v < 2; ++v) {
      CHECK(months[m].capacity(v, 0) >= months[m - 1].capacity(v, 0));
      // Cash moves by revenue - cost of goods - fixed costs - capex (depreciation is not cash).
      double gross = 0;
      for (std::size_t p = 0; p < 2; ++p) gross += months[m].revenue(v, p) - months[m].cogs(v, p);
      CHECK(months[m].cash[v] - months[m - 1].cash[v] ==
            Approx(gross - months[m].fixed_cost[v] - months[m].capex[v]).epsilon(1e-9));
      CHECK(months[m].quantity(v, 0) <= months[m].capacity(v, 0) * (1 + 1e-12));
    }
    // Nothing ordered in month m can be in service before month m + 1 + lead.
    if (m < 4) CHECK(months[m].capacity(0, 0) == months[0].capacity(0, 0));
    ordered_before += sum(months[m].capex);
  }
  CHECK(ordered_before > 0);
  CHECK(months.back().capacity(0, 0) > 2 * months[0].capacity(0, 0));
  CHECK(sum(months.back().depreciation) > 0);
  // The vendor's SimGrid hosts follow its compute capacity (in 2% steps).
  const double capacity_ratio = months.back().capacity(0, 0) / months[0].capacity(0, 0);
  const double flops_ratio = months.back().flops[0] / months[0].flops[0];
  CHECK(flops_ratio <= capacity_ratio * (1 + 1e-9));
  CHECK(flops_ratio > capacity_ratio / 1.0201);
  CHECK(months[0].flops[0] == sc.vendors[0].datacenters[0].flops);
}

TEST_CASE("a vendor whose cash stays negative exits and its customers re-choose", "[simulation]") {
  Scenario sc = small();
  sc.time.years = 2;
  sc.vendors[1].cash = 0;
  sc.vendors[1].fixed_cost_per_month = 1e12;
  sc.vendors[1].exit_after = Duration{3, 0};
  Collect run;
  simulate(sc, run);
  int exits = 0, exit_month = -1;
  for (const auto& m : run.months)
    for (const auto& e : m.exits) {
      ++exits;
      exit_month = m.month;
      CHECK(e.vendor == 1);
      CHECK(e.customers > 0);
    }
  REQUIRE(exits == 1);
  CHECK(exit_month == 3);  // negative from month 0: more than 3 months by the end of month 3
  for (const auto& m : run.months) {
    if (m.month <= exit_month) continue;
    CHECK(m.customers[1] == 0);
    CHECK(m.revenue(1, 0) + m.revenue(1, 1) == 0.0);
    CHECK(m.fixed_cost[1] == 0.0);
    CHECK(m.segment_cloud_firms[0] > 0);  // its customers moved to alpha or on-premises
  }
}

TEST_CASE("domestic-only segments buy only from vendors of their region; multi-cloud firms hold several contracts",
          "[simulation]") {
  Scenario sc = small();
  sc.time.years = 1;
  sc.vendors[0].region = "cn";
  Segment domestic = sc.segments[0];
  domestic.id = "government";
  domestic.region = "cn";
  domestic.domestic_only = true;
  sc.segments.push_back(domestic);
  sc.segments[0].multi_cloud_threshold = 0.0;  // every retail firm splits its spend
  Collect run;
  simulate(sc, run);
  for (const auto& m : run.months) {
    // Retail firms on a cloud have a contract with both vendors; government firms only with alpha.
    const std::int64_t cloud = m.segment_cloud_firms[0] + m.segment_cloud_firms[1];
    CHECK(m.customers[0] + m.customers[1] > cloud);
    CHECK(m.customers[1] == m.segment_cloud_firms[0]);
    const double paid = sum(m.segment_spend);
    double earned = 0;
    for (double r : m.revenue.values()) earned += r;
    CHECK(paid == Approx(earned).epsilon(1e-12));
  }
}

TEST_CASE("scheduled events: a budget shock while it lasts and a price change from the next month", "[simulation]") {
  Scenario sc = small();
  sc.time.years = 1;
  sc.segments[0].growth = 0;
  sc.segments[0].contract_months = 120;  // renewals are rare, so spend reflects budgets
  for (auto& v : sc.vendors) v.pricing.strategy = PricingRule::fixed;
  Event shock;
  shock.type = EventType::budget_shock;
  shock.at = Date{2023, 4, 1};
  shock.until = Date{2023, 7, 1};
  shock.segment = 0;
  shock.change = -0.3;
  Event cut;
  cut.type = EventType::price_change;
  cut.at = Date{2023, 5, 21};
  cut.vendor = 1;
  cut.product = 1;
  cut.change = -0.5;
  sc.events = {shock, cut};
  Collect run;
  simulate(sc, run);
  const auto& m = run.months;
  CHECK(sum(m[3].segment_spend) / sum(m[2].segment_spend) == Approx(0.7).epsilon(0.02));
  CHECK(sum(m[6].segment_spend) / sum(m[5].segment_spend) > 1.3);
  CHECK(m[4].price(1, 1) == 25.0);   // announced in May
  CHECK(m[5].price(1, 1) == 12.5);   // in force from June
}
