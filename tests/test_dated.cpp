// Dated parameters (docs/scenario.md, "Dated parameters"): loading, lookup by month, integration
// of yearly rates, the resolved scenario, and their effect on a run.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "agents/enterprise_market.hpp"
#include "agents/growth_paths.hpp"
#include "agents/pricing.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/simulation.hpp"
#include "sim/yaml_tree.hpp"
#include "tests/support/money_identity.hpp"

using namespace cm;

namespace {

const std::string kSmall = std::string(CM_SOURCE_DIR) + "/tests/scenarios/small.yaml";
const std::string kGrowth = "segments.retail.growth=[{from: 2023-01-01, value: 0.1}, {from: 2025-01-01, value: 0.4}]";

Scenario small(const std::vector<std::string>& overrides = {}) {
  Scenario sc = load_scenario(kSmall, overrides);
  sc.time.years = 4;
  return sc;
}

double total(const Grid& g) { return std::accumulate(g.values().begin(), g.values().end(), 0.0); }

struct Collect : RunObserver {
  std::vector<MonthReport> months;
  void on_month(const MonthReport& r, const std::vector<PriceChange>&) override { months.push_back(r); }
};

}  // namespace

TEST_CASE("a schedule gives the value in force by month and integrates a yearly rate month by month", "[dated]") {
  // Start 2023-01-15: month m starts on the 15th; a date takes effect at the first month start on or after it.
  const DatedSchedule s{{Date{2023, 1, 1}, 0.10, 0}, {Date{2024, 1, 20}, 0.40, 13}, {Date{2025, 3, 15}, -0.5, 26}};
  DatedFields f;
  CHECK(f.at("growth", 0.3, 50) == 0.3);
  CHECK(f.compound("growth", 0.3, 30) == std::pow(1.3, 30 / 12.0));  // undated: exactly the old expression
  f.set("growth", s);
  CHECK(f.at("growth", 9, 0) == 0.10);
  CHECK(f.at("growth", 9, 12) == 0.10);
  CHECK(f.at("growth", 9, 13) == 0.40);
  CHECK(f.at("growth", 9, 25) == 0.40);
  CHECK(f.at("growth", 9, 26) == -0.5);
  CHECK(f.at("growth", 9, 600) == -0.5);
  CHECK(f.at("other", 9, 20) == 9);
  // Independent closed form: each rate over the months it is in force.
  CHECK(f.compound("growth", 9, 0) == 1.0);
  CHECK(f.compound("growth", 9, 13) == Approx(std::pow(1.1, 13 / 12.0)).epsilon(1e-14));
  CHECK(f.compound("growth", 9, 20) == Approx(std::pow(1.1, 13 / 12.0) * std::pow(1.4, 7 / 12.0)).epsilon(1e-14));
  CHECK(f.compound("growth", 9, 40) ==
        Approx(std::pow(1.1, 13 / 12.0) * std::pow(1.4, 13 / 12.0) * std::pow(0.5, 14 / 12.0)).epsilon(1e-14));
  // Between two months: the ratio of the cumulative factors.
  CHECK(f.compound("growth", 9, 10, 30) == Approx(f.compound("growth", 9, 30) / f.compound("growth", 9, 10)).epsilon(1e-13));
  CHECK(f.compound("growth", 9, 30, 30) == 1.0);
}

TEST_CASE("the loader reads schedules, places them in months, and the resolved scenario writes them back",
          "[dated]") {
  const Scenario sc = load_scenario(kSmall, {"segments.retail.growth=[{from: 2022-12-01, value: 0.1}, {from: 2025-01-01, value: 0.4}]",
                                             "time.start=2022-12-15",
                                             "vendors.alpha.products.iaas_cpu.cost_trend=[{from: 2022-01-01, value: -0.1}, "
                                             "{from: 2023-06-15, value: -0.3}, {from: 2023-06-16, value: -0.2}]",
                                             "market.scarcity_premium=[{from: 2020-01-01, value: 2}]"});
  const DatedSchedule* growth = sc.segments[0].dated.find("growth");
  REQUIRE(growth);
  REQUIRE(growth->size() == 2);
  CHECK(sc.segments[0].growth == 0.1);  // the plain field holds the start's value
  CHECK((*growth)[0].month == 0);
  CHECK((*growth)[1].month == 25);      // 2025-01-01 -> the month starting 2025-01-15
  const DatedSchedule* trend = sc.vendors[0].offers[0].dated.find("cost_trend");
  REQUIRE(trend);
  CHECK((*trend)[1].month == 6);        // 2023-06-15 is a month start
  CHECK((*trend)[2].month == 7);        // the day after: the next one
  CHECK(sc.vendors[0].offers[0].cost_trend == -0.1);
  CHECK(sc.vendors[1].offers[0].dated.empty());
  CHECK(sc.market.scarcity_premium == 2);

  // Round trip: the resolved YAML reads back to the same schedules.
  const std::string text = scenario_to_yaml(sc);
  CHECK(text.find("growth: [{from: 2022-12-01, value: 0.1}, {from: 2025-01-01, value: 0.4}]") != std::string::npos);
  const Scenario back = decode_scenario(yaml::parse_string(text, "resolved.yaml"));
  CHECK(back.segments[0].dated == sc.segments[0].dated);
  CHECK(back.vendors[0].offers[0].dated == sc.vendors[0].offers[0].dated);
  CHECK(back.market.dated == sc.market.dated);
  CHECK(scenario_to_yaml(back) == text);
}

TEST_CASE("schedules are validated like the key's value, with located errors", "[dated]") {
  auto error_of = [](const std::string& assignment) {
    try {
      load_scenario(kSmall, {assignment});
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("segments.retail.growth=[{from: 2023-01-01, value: 0.1}, {from: 2024-01-01, value: 11}]"),
             Catch::Contains("'growth' must be in (-1, 10], got 11"));
  CHECK_THAT(error_of("segments.retail.growth=[{from: 2023-01-02, value: 0.1}]"),
             Catch::Contains("must be from on or before 2023-01-01"));
  CHECK_THAT(error_of("segments.retail.growth=[{from: 2023-01-01, value: 0.1}, {from: 2023-01-01, value: 0.2}]"),
             Catch::Contains("must be strictly increasing"));
  CHECK_THAT(error_of("segments.retail.growth=[]"), Catch::Contains("must not be empty"));
  CHECK_THAT(error_of("segments.retail.cloud_adoption=[{from: 2023-01-01, value: 0.5}]"),
             Catch::Contains("'cloud_adoption' cannot be dated") && Catch::Contains("segments[]: growth"));
  CHECK_THAT(error_of("segments.retail.firms=[{from: 2023-01-01, value: 5}]"), Catch::Contains("cannot be dated"));
}

TEST_CASE("dated growth: budgets follow the cumulative product of the rate in force each month", "[dated]") {
  const Scenario sc = small({kGrowth});
  const EnterpriseMarket market(sc);
  const std::vector<double> no_shock{1.0};
  const std::vector<ChoiceSet> no_layer(1);  // the AI layer is not bought apart here
  const double start = total(market.wanted_at_reference(0, no_shock, no_layer)[0]);
  for (int m : {1, 12, 24, 25, 30, 47}) {
    const double closed = m <= 24 ? std::pow(1.1, m / 12.0) : 1.1 * 1.1 * std::pow(1.4, (m - 24) / 12.0);
    CHECK(total(market.wanted_at_reference(m, no_shock, no_layer)[0]) / start == Approx(closed).epsilon(1e-12));
  }
}

TEST_CASE("a dated price_sensitivity moves renewals from its month, not before", "[dated]") {
  Scenario base = small();
  Scenario dated = small({"segments.retail.price_sensitivity=[{from: 2023-01-01, value: 3}, {from: 2023-07-01, value: 12}]"});
  EnterpriseMarket a(base), b(dated);
  Grid prices(2, 2);
  prices(0, 0) = 0.04, prices(0, 1) = 30, prices(1, 0) = 0.025, prices(1, 1) = 25;  // beta cuts its price
  const std::vector<char> active{1, 1};
  for (int m = 0; m < 12; ++m) {
    const auto ca = a.contracts(), cb = b.contracts();
    if (m <= 6) CHECK(ca == cb);  // renewals of months 0..5 saw the same utilities
    a.renew(m, a.choice_sets({prices, active, {}, {}, m}));
    b.renew(m, b.choice_sets({prices, active, {}, {}, m}));
  }
  // From July the more price-sensitive firms moved more of their contracts to the cheaper vendor.
  CHECK(b.contracts()[2] > a.contracts()[2]);
}

TEST_CASE("dated growth in a run: each month's spend grows at the rate in force", "[dated][simulation]") {
  Scenario sc = small({kGrowth, "segments.retail.switching_cost=20", "segments.retail.contract_months=120"});
  for (auto& v : sc.vendors) v.pricing.strategy = PricingRule::fixed;
  Collect run;
  simulate(sc, run);
  REQUIRE(run.months.size() == 48);
  auto spend = [&](int m) { return run.months[std::size_t(m)].segment_spend[0]; };
  for (int m = 1; m < 48; ++m) {
    const double rate = m <= 24 ? 1.1 : 1.4;  // month m grows at the rate in force in month m - 1
    CHECK(spend(m) / spend(m - 1) == Approx(std::pow(rate, 1 / 12.0)).epsilon(1e-4));
  }
  CHECK(spend(47) / spend(0) == Approx(1.21 * std::pow(1.4, 23 / 12.0)).epsilon(1e-3));
}

TEST_CASE("dated burn and fixed cost, and a vendor's dated capital: read at the month, money still conserved",
          "[dated][simulation]") {
  const Scenario sc = load_scenario(
      std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml",
      {"startups.s2.burn_per_month=[{from: 2023-01-01, value: 1.0e7}, {from: 2024-03-10, value: 3.0e7}]",
       "vendors.alpha.fixed_cost_per_month=[{from: 2023-01-01, value: 1.0e6}, {from: 2023-07-01, value: 5.0e6}]",
       "vendors.beta.investment.budget=null",
       "vendors.beta.investment.capital=[{at: 2023-01-01, amount: 3.0e9}, {at: 2025-01-01, amount: 1.0e9}]"});
  struct Deals : Collect {
    std::vector<Deal> deals;
    void on_month(const MonthReport& r, const std::vector<PriceChange>& c) override {
      Collect::on_month(r, c);
      deals.insert(deals.end(), r.deals.begin(), r.deals.end());
    }
  } run;
  simulate(sc, run);
  REQUIRE(run.months.size() == 36);
  for (const auto& m : run.months) {
    INFO("month " << m.month);
    CHECK(m.fixed_cost[0] == (m.month < 6 ? 1.0e6 : 5.0e6));
    if (m.startup_alive[1]) CHECK(m.startup_burn[1] == (m.month < 15 ? 1.0e7 : 3.0e7));  // from April 2024
  }
  // Beta invests at most the capital dated up to each deal: 3e9 before 2025, 4e9 from then on.
  const Calendar calendar(sc.time.start);
  double invested = 0;
  for (const auto& d : run.deals)
    if (d.terms.investor.is_vendor && d.terms.investor.index == 1) {
      invested += d.terms.amount;
      CHECK(invested <= (calendar.month_containing(d.seconds) < 24 ? 3.0e9 : 4.0e9) * (1 + 1e-12));
    }

  test::check_money_conserved(sc, run.months);  // with the dated flows
}

TEST_CASE("an investor's budget cannot be dated: dated money is `capital:` tranches", "[dated]") {
  const std::string path = std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml";
  CHECK_THROWS_WITH(load_scenario(path, {"investors.fund.budget=[{from: 2023-01-01, value: 1.0e9}]"}),
                    Catch::Contains("'budget' cannot be dated"));
  CHECK_THROWS_WITH(load_scenario(path, {"vendors.alpha.investment.budget=[{from: 2023-01-01, value: 1.0e9}]"}),
                    Catch::Contains("'budget' cannot be dated"));
}

TEST_CASE("growth paths give the compound growth of each month, inside and beyond the months they keep", "[dated]") {
  Scenario sc = small({kGrowth, "segments.retail.ai_adoption={p: 0.05, q: 0.4, initial: 0.1, spend_share: 0.2, "
                                "demand_growth: [{from: 2023-01-01, value: 0.3}, {from: 2024-07-01, value: 0.1}], "
                                "products: {iaas_cpu: 1}}"});
  const GrowthPaths paths(sc);
  const Segment& seg = sc.segments[0];
  // Kept: the run's months and one more (no dynamic_best_response reads further); beyond: computed.
  for (int m : {0, 1, 17, 24, 47, 48, 49, 120, -1}) {
    CHECK(paths.growth(0, m) == seg.dated.compound("growth", seg.growth, m));
    CHECK(paths.ai(0, m) == seg.ai_adoption->spend_share *
                                seg.ai_adoption->dated.compound("demand_growth", seg.ai_adoption->demand_growth, m));
  }
  CHECK(paths.growth(0, 36) == Approx(std::pow(1.1, 2) * std::pow(1.4, 1)).epsilon(1e-13));
}
