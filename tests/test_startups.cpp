// AI startups, deals and supply shocks on the SimGrid engine: one simulation per TEST_CASE, each
// in its own process under ctest.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/calendar.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/simulation.hpp"
#include "tests/support/money_identity.hpp"

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

// tests/scenarios/startups.yaml with only s1 and s2 (independent, on alpha's open marketplace),
// no investors, no burn: what they train is what their money and expected revenue buy.
Scenario trainers_world(double cash1, double cash2) {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  sc.investors.clear();
  for (auto& v : sc.vendors) v.investment.reset();
  sc.startups.erase(sc.startups.begin() + 2);  // the lab
  sc.startups[0].cash = cash1;
  sc.startups[1].cash = cash2;
  for (auto& s : sc.startups) s.burn_per_month = 0, s.runway_months = 1e-3;
  return sc;
}

constexpr double kAverageMonth = 30.4375 * 86400;

}  // namespace

TEST_CASE("a run rents its cluster for run_months: on an idle host it ends after run_months", "[startups]") {
  Scenario sc = trainers_world(1e7, 0);  // s2 trains only with what its model earns
  sc.time.years = 1;
  sc.vendors[0].datacenters[0].flops = 1e19;  // a host fast enough that their clusters fit
  Collect run;
  simulate(sc, run);
  REQUIRE(run.runs.size() >= 2);
  // Nothing is known before the first month closes: the first plan is made at month 1's review.
  CHECK(run.runs[0].start_seconds == Approx(31 * 86400 + 3600).epsilon(1e-12));
  for (const auto& r : run.runs) CHECK(r.end_seconds - r.start_seconds == Approx(3 * kAverageMonth).epsilon(1e-9));
}

TEST_CASE("two runs that each want the whole host share it and take twice as long", "[startups]") {
  Scenario sc = trainers_world(1e12, 1e12);  // money no object
  sc.time.years = 1;
  // Buyers follow quality so closely that gamma = beta (1 - s) k / ln 10 > 1: each wants all it
  // can get, the whole host.
  sc.market.model_choice_quality = 10;
  sc.vendors[0].datacenters[0].flops = 1e19;
  Collect run;
  simulate(sc, run);

  REQUIRE(run.runs.size() >= 2);
  CHECK(run.runs[0].start_seconds == run.runs[1].start_seconds);
  CHECK(run.runs[0].flops == Approx(sc.vendors[0].datacenters[0].flops * 3 * kAverageMonth).epsilon(1e-9));
  // Twice as long: inference takes only what training leaves of the host, so it slows no run.
  CHECK(run.runs[0].end_seconds - run.runs[0].start_seconds == Approx(6 * kAverageMonth).epsilon(1e-9));
  CHECK(run.runs[1].end_seconds == Approx(run.runs[0].end_seconds).epsilon(1e-12));
  // While they hold the whole host, their models' inference is all unserved.
  const Calendar calendar(sc.time.start);
  int held = 0;
  for (const auto& m : run.months) {
    if (calendar.month_start_seconds(m.month) < run.runs[0].start_seconds ||
        calendar.month_start_seconds(m.month + 1) > run.runs[0].end_seconds)
      continue;
    ++held;
    CHECK(m.inference_served[0] <= 1e-9 * m.inference_unserved[0]);
    CHECK(m.inference_unserved[0] > 0);
  }
  CHECK(held == 5);  // months 2 to 6 lie within the runs (month 1 + 1 hour to month 7 + 1 hour)
}

TEST_CASE("inference beyond a fleet's capacity is rationed in its month: served + unserved = demand", "[startups]") {
  Scenario sc = trainers_world(1e9, 1e9);
  sc.time.years = 1;
  sc.market.quality_per_decade = 0;  // training gains nothing: nobody trains, K - W = K
  // alpha's host serves about a month and a half of its marketplace's first-year tokens, so its
  // growing demand crosses the capacity.
  sc.vendors[0].datacenters[0].flops = 5.5e17;
  Collect run;
  simulate(sc, run);
  CHECK(run.runs.empty());
  const Calendar calendar(sc.time.start);
  const double per_million = sc.market.flops_per_million_tokens;
  int rationed = 0, unrationed = 0;
  for (const auto& m : run.months) {
    const double seconds = calendar.month_start_seconds(m.month + 1) - calendar.month_start_seconds(m.month);
    for (std::size_t v = 0; v < sc.vendors.size(); ++v) {
      double demand = 0;
      for (const auto& tokens : m.inference_tokens) demand += tokens[v] * per_million;
      const double capacity = m.flops[v] * seconds;
      CHECK(m.inference_served[v] + m.inference_unserved[v] == Approx(demand).epsilon(1e-12));
      CHECK(m.inference_served[v] == Approx(std::min(demand, capacity)).epsilon(1e-12));
      CHECK(m.inference_served[v] <= capacity * (1 + 1e-12));
      if (v == 0) (m.inference_unserved[v] > 0 ? rationed : unrationed) += 1;
    }
  }
  CHECK(rationed > 0);
  CHECK(unrationed > 0);
}

TEST_CASE("a startup with twice the money trains and bills twice the compute when money binds", "[startups]") {
  Scenario sc = trainers_world(1e7, 2e7);  // both want far more than they can pay
  sc.time.years = 1;
  sc.vendors[0].datacenters[0].flops = 1e19;  // a host fast enough that only their clusters bound them
  Collect run;
  simulate(sc, run);
  const TrainingRun* first[2] = {nullptr, nullptr};
  for (const auto& r : run.runs)
    if (!first[r.startup]) first[r.startup] = &r;
  REQUIRE(first[0]);
  REQUIRE(first[1]);
  // Both planned at month 1's review with what they had: cash plus month 0's API revenue.
  const double money0 = 1e7 + run.months[0].startup_revenue[0], money1 = 2e7 + run.months[0].startup_revenue[1];
  const double gpu_price = run.months[1].price(0, 2);
  CHECK(first[0]->flops / sc.market.flops_per_gpu_hour * gpu_price == Approx(money0).epsilon(1e-9));
  CHECK(first[1]->flops / sc.market.flops_per_gpu_hour * gpu_price == Approx(money1).epsilon(1e-9));
  CHECK(run.months[1].startup_planned_spend[0] == Approx(money0).epsilon(1e-9));  // the output's record of it
  CHECK(run.months[1].startup_gpu_hours[1] == Approx(first[1]->flops / sc.market.flops_per_gpu_hour / 3).epsilon(1e-9));
  // And bills in proportion while those runs last (months 1-3): each rents its cluster for 3 months.
  double spend[2] = {0, 0};
  for (int m = 1; m <= 3; ++m)
    for (int i : {0, 1}) spend[i] += run.months[m].startup_spend[i];
  CHECK(spend[0] > 0.9 * money0);
  CHECK(spend[1] == Approx(spend[0] * money1 / money0).epsilon(1e-6));
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
  test::check_money_conserved(sc, run.months);
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

TEST_CASE("a startup whose quality stalls while its rivals train raises a down round", "[startups]") {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  sc.investors.clear();
  sc.vendors[1].investment.reset();
  // The lab: alpha's in-house lab on alpha's open marketplace, beside s1 and s2. Its model is so
  // large that a run is hardly worth its price (A gamma / C < c) and its cash never rises above its
  // reserve: it does not train, while s1 and s2, rich and small, train hard. Its owner funds it
  // every month, at whatever it is worth.
  Startup& lab = sc.startups[2];
  lab.owner = 0;
  lab.trains_on = 0;
  lab.training_flops = 1e26;
  lab.round_months = 2;
  lab.burn_per_month = 3e7;  // above what its model earns: it raises every month  sc.vendors[0].investment->credit_share = 0;  // cash, no spend commitment: nothing makes it train
  sc.vendors[0].investment->commitment = 0;
  for (int i : {0, 1}) sc.startups[i].cash = 1e12, sc.startups[i].burn_per_month = 0;
  Collect run;
  simulate(sc, run);
  int down = 0;
  double last_post = 0;
  for (const auto& d : run.deals) {
    if (d.startup != 2) continue;
    CHECK(d.terms.last_post_money == last_post);
    CHECK(d.terms.down_round == (last_post > 0 && d.terms.pre_money < last_post));
    down += d.terms.down_round;
    last_post = d.post_money();
  }
  CHECK(down > 0);
  for (const auto& r : run.runs) CHECK(r.startup != 2);  // it did not train
  CHECK(run.months.back().startup_quality[0] > run.months.front().startup_quality[0] + 0.5);
}

TEST_CASE("a fund invests only capital it has: a tranche from its date on", "[startups]") {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  for (auto& v : sc.vendors) v.investment.reset();
  sc.startups.resize(2);  // s1 and s2 on alpha's marketplace, equal: neither can afford to train
  for (auto& s : sc.startups) s.cash = 3e8, s.burn_per_month = 2e7;  // short of runway in month 9
  sc.investors[0].policy.capital = {{Date{2024, 1, 1}, 1e9}};
  sc.investors[0].policy.max_ticket = 0;
  sc.investors[0].policy.hurdle_rate = 0;
  sc.investors[0].policy.failure_hazard = 0;
  Collect run;
  simulate(sc, run);
  const double from = 365 * 86400;  // 2024-01-01
  REQUIRE_FALSE(run.deals.empty());
  for (const auto& d : run.deals) CHECK(d.seconds >= from);
  for (const auto& m : run.months) {
    CHECK(m.fund_cash[0] <= 1e9);
    if (m.month < 12) CHECK(m.fund_cash[0] == 1e9);  // committed, not yet investable
  }
}
