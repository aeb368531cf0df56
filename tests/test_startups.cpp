// AI startups, deals and supply shocks on the SimGrid engine: one simulation per TEST_CASE, each
// in its own process under ctest.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "sim/scenario_loader.hpp"
#include "sim/simulation.hpp"

using namespace cm;

namespace {

struct Collect : RunObserver {
  std::vector<MonthReport> months;
  std::vector<TrainingRun> runs;
  std::vector<Deal> deals;
  void on_month(const MonthReport& r, const std::vector<PriceChange>&) override {
    months.push_back(r);
    runs.insert(runs.end(), r.training_runs.begin(), r.training_runs.end());
    deals.insert(deals.end(), r.deals.begin(), r.deals.end());
  }
};

double sum(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0); }

// tests/scenarios/small.yaml with a GPU product, and startups that only train (no model revenue).
Scenario gpu_world() {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/small.yaml");
  sc.time.years = 1;
  sc.products.push_back({"iaas_gpu", "gpu_hour", ProductKind::compute});
  for (auto& v : sc.vendors) {
    v.offers.push_back(Offer{2.0, 1.5, 1e9, 0.0});
    v.pricing.strategy = PricingRule::fixed;
  }
  for (auto& s : sc.segments) s.spend_shares.push_back(0.0);
  return sc;
}

Startup trainer(const std::string& id, double run_flops) {
  Startup s;
  s.id = id;
  s.cash = 1e12;
  s.burn_per_month = 0;
  s.run_flops = run_flops;
  s.run_growth = 1.0;
  s.training_rate = 1e21;  // above the host's speed: the host limits it
  s.trains_on = 0;
  return s;
}

constexpr double kDay = 86400;

}  // namespace

TEST_CASE("a training run on an idle host takes its FLOP divided by the host's speed", "[startups]") {
  Scenario sc = gpu_world();
  const double speed = sc.vendors[0].datacenters[0].flops;
  sc.startups = {trainer("solo", speed * 5 * kDay)};
  Collect run;
  simulate(sc, run);
  REQUIRE(run.runs.size() >= 2);
  CHECK(run.runs[0].start_seconds == 0);
  CHECK(run.runs[0].end_seconds == Approx(5 * kDay).epsilon(1e-9));
  CHECK(run.runs[1].end_seconds - run.runs[1].start_seconds == Approx(5 * kDay).epsilon(1e-9));
  // Its compute is billed: GPU-hours at the vendor's GPU price.
  const double hours = run.months[0].startup_spend[0] / 2.0;
  CHECK(hours > 0);
}

TEST_CASE("two equal training runs sharing a host each take twice as long", "[startups]") {
  Scenario sc = gpu_world();
  const double speed = sc.vendors[0].datacenters[0].flops;
  sc.startups = {trainer("first", speed * 5 * kDay), trainer("second", speed * 5 * kDay)};
  Collect run;
  simulate(sc, run);
  REQUIRE(run.runs.size() >= 2);
  CHECK(run.runs[0].end_seconds == Approx(10 * kDay).epsilon(1e-9));
  CHECK(run.runs[1].end_seconds == Approx(10 * kDay).epsilon(1e-9));
}

TEST_CASE("credits are spent only on the investor's cloud and never exceed the deal", "[startups]") {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  sc.startups[1].trains_on = 1;    // s2 trains on beta but will take alpha's money
  sc.startups[1].cash = 1e7;       // so it raises at once
  sc.vendors[1].investment.reset();  // only alpha (and the fund) invest
  Collect run;
  simulate(sc, run);
  REQUIRE_FALSE(run.deals.empty());
  std::vector<std::vector<double>> granted(sc.startups.size(), std::vector<double>(sc.vendors.size(), 0.0));
  bool spent_some = false;
  for (const auto& m : run.months) {
    for (const auto& deal : m.deals)  // the deals signed during the month
      if (deal.terms.investor.is_vendor)
        granted[deal.startup][deal.terms.investor.index] += deal.terms.amount * deal.terms.credit_share;
    for (std::size_t i = 0; i < sc.startups.size(); ++i)
      for (std::size_t v = 0; v < sc.vendors.size(); ++v) {
        CHECK(m.startup_credits[i][v] >= 0);
        CHECK(m.startup_credits[i][v] <= granted[i][v] * (1 + 1e-12));
      }
    // s2 computes on beta: alpha's credits to it stay untouched.
    CHECK(m.startup_credits[1][0] == Approx(granted[1][0]));
    spent_some = spent_some || m.startup_credits[0][0] < granted[0][0];
    CHECK(m.roundtrip_revenue[1] == 0.0);  // beta made no deal
  }
  CHECK(spent_some);  // s1 trains on alpha with alpha's credits
}

TEST_CASE("money is conserved across investors and startups and vendors every month", "[startups]") {
  const Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  Collect run;
  simulate(sc, run);
  REQUIRE_FALSE(run.deals.empty());
  std::vector<double> vendor_cash, startup_cash, fund_cash;
  for (const auto& v : sc.vendors) vendor_cash.push_back(v.cash);
  for (const auto& s : sc.startups) startup_cash.push_back(s.cash);
  for (const auto& f : sc.investors) fund_cash.push_back(f.policy.budget);
  for (const auto& m : run.months) {
    const double moved = sum(m.cash) - sum(vendor_cash) + sum(m.startup_cash) - sum(startup_cash) + sum(m.fund_cash) -
                         sum(fund_cash);
    const double cogs = std::accumulate(m.cogs.values().begin(), m.cogs.values().end(), 0.0);
    // Chip programmes: R&D leaves; a chip sale moves money between vendors, its making cost leaves.
    const double outside = sum(m.segment_spend) - cogs - sum(m.fixed_cost) - sum(m.capex) - sum(m.startup_burn) -
                           sum(m.chip_rd_spend) + sum(m.chip_sales) - sum(m.chip_sales_cost);
    INFO("month " << m.month);
    CHECK(moved == Approx(outside).epsilon(1e-9).margin(1e-3));
    vendor_cash = m.cash;
    startup_cash = m.startup_cash;
    fund_cash = m.fund_cash;
  }
}

TEST_CASE("export controls stop capacity additions from their date on", "[startups]") {
  Scenario sc = gpu_world();
  sc.time.years = 2;
  sc.segments[0].growth = 0.8;
  sc.segments[0].spend_shares = {0.5, 0.3, 0.2};
  sc.vendors[0].region = "cn";
  for (auto& v : sc.vendors) {
    v.offers[2].capacity = 2.0e7;
    v.offers[2].capex_per_unit = 1.0;
    v.capacity_policy = CapacityPolicy{0.8, Duration{1, 0}, 4.0};
  }
  Event control;
  control.type = EventType::export_control;
  control.at = Date{2023, 7, 1};
  control.region = "cn";
  control.product = 2;
  control.substitute_cap = 0;
  sc.events = {control};
  Collect run;
  simulate(sc, run);
  // Orders placed up to June arrive by month 7; from then on alpha (cn) adds no GPU capacity.
  for (std::size_t m = 8; m < run.months.size(); ++m) CHECK(run.months[m].capacity(0, 2) == run.months[7].capacity(0, 2));
  CHECK(run.months[7].capacity(0, 2) > run.months[0].capacity(0, 2));   // it did add before
  CHECK(run.months.back().capacity(1, 2) > run.months[7].capacity(1, 2));  // beta (global) keeps adding
}

TEST_CASE("a startup without funding fails when its cash runs out and leaves no dangling customers", "[startups]") {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  sc.investors.clear();
  for (auto& v : sc.vendors) v.investment.reset();
  sc.startups.erase(sc.startups.begin() + 2);  // no in-house lab: alpha hosts s1 and s2
  sc.startups[0].cash = 3e7;
  sc.startups[0].burn_per_month = 1e7;
  Collect run;
  simulate(sc, run);
  CHECK(run.deals.empty());
  int failed_at = -1;
  for (const auto& m : run.months) {
    if (!m.startup_failures.empty()) {
      REQUIRE(m.startup_failures.size() == 1);
      CHECK(m.startup_failures[0].startup == 0);
      failed_at = m.month;
      CHECK(m.startup_cash[0] < 0);  // it failed in the month its cash ran out
    } else if (failed_at < 0) {
      CHECK(m.startup_cash[0] >= 0);
    }
    if (failed_at >= 0 && m.month > failed_at) {
      CHECK(m.startup_alive[0] == 0);
      CHECK(m.startup_revenue[0] == 0.0);  // no marketplace sends it customers any more
      CHECK(m.startup_spend[0] == 0.0);    // its training stopped
      // alpha's model revenue now goes, net of its share, to s2 alone.
      CHECK(m.model_payouts[0] == Approx(m.startup_revenue[1]).epsilon(1e-12));
      CHECK(m.model_payouts[0] ==
            Approx((1 - sc.vendors[0].revenue_share) * m.revenue(0, 3)).epsilon(1e-12));
    }
  }
  CHECK(failed_at > 0);
}

TEST_CASE("an outage cuts a vendor's capacity and its hosts' speed while it lasts", "[startups]") {
  Scenario sc = gpu_world();
  Event outage;
  outage.type = EventType::outage;
  outage.at = Date{2023, 3, 1};
  outage.until = Date{2023, 5, 1};
  outage.vendor = 0;
  outage.availability = 0.5;
  sc.events = {outage};
  Collect run;
  simulate(sc, run);
  const auto& m = run.months;
  for (int month : {2, 3}) {
    CHECK(m[month].capacity(0, 0) == Approx(0.5 * m[0].capacity(0, 0)));
    CHECK(m[month].flops[0] == Approx(0.5 * m[0].flops[0]).epsilon(0.02));
    CHECK(m[month].flops[0] <= 0.5 * m[0].flops[0]);
    CHECK(m[month].capacity(1, 0) == m[0].capacity(1, 0));  // beta is not affected
  }
  CHECK(m[4].capacity(0, 0) == m[0].capacity(0, 0));
  CHECK(m[4].flops[0] == Approx(m[0].flops[0]));
}
