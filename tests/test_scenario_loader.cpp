#include <catch2/catch.hpp>

#include "sim/scenario_loader.hpp"

using namespace cm;

namespace {
const std::string kBaseline = std::string(CM_SOURCE_DIR) + "/scenarios/baseline.yaml";
const std::string kSmall = std::string(CM_SOURCE_DIR) + "/tests/scenarios/small.yaml";
}  // namespace

TEST_CASE("the baseline loads with its facts and defaults", "[scenario]") {
  const Scenario sc = load_scenario(kBaseline);
  CHECK(sc.name == "baseline");
  REQUIRE(sc.vendors.size() == 6);
  CHECK(sc.vendors[0].id == "aws");
  CHECK(sc.vendors[0].initial_share == 0.40);
  CHECK(sc.vendors[1].initial_share == 0.215);
  CHECK(sc.products.size() == 4);
  CHECK(sc.segments[4].budget.distribution == BudgetDistribution::pareto);
  CHECK_FALSE(sc.vendors[0].pricing.markup);           // cost_plus keeps initial markups
  CHECK(sc.vendors[0].offers[3].cost_trend == 0.0);    // default
  CHECK(sc.time.months() == 60);
}

TEST_CASE("overrides address list elements by id and are validated like the file", "[scenario]") {
  const Scenario sc = load_scenario(kSmall, {"vendors.beta.pricing.markup=0.5", "segments.retail.firms=123",
                                              "time.output_period=year"});
  CHECK(*sc.vendors[1].pricing.markup == 0.5);
  CHECK(sc.segments[0].firms == 123);
  CHECK(sc.time.output_period == OutputPeriod::year);
  CHECK_THROWS_AS(load_scenario(kSmall, {"segments.retail.firms=0"}), InputError);
  // A product's own pricing inherits the vendor's settings it does not name.
  const Scenario inherit = load_scenario(kSmall, {"vendors.alpha.pricing={strategy: q_learning, q_learning: {levels: 7}}",
                                                  "vendors.alpha.products.saas.pricing={q_learning: {discount: 0.5}}"});
  CHECK(inherit.vendors[0].pricing_of(1).strategy == PricingRule::q_learning);
  CHECK(inherit.vendors[0].pricing_of(1).q_learning.levels == 7);
  CHECK(inherit.vendors[0].pricing_of(1).q_learning.discount == 0.5);
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.beta.pricing.markp=0.5"}),
                    Catch::Contains("unknown key 'markp'") && Catch::Contains("did you mean 'markup'"));
}

TEST_CASE("the resolved scenario reads back to the same scenario", "[scenario]") {
  const Scenario sc = load_scenario(kBaseline, {"seed=99"});
  const std::string text = scenario_to_yaml(sc);
  const Scenario again = decode_scenario(yaml::parse_string(text, "<resolved>"));
  CHECK(scenario_to_yaml(again) == text);
  CHECK(again.seed == 99);
  CHECK(again.vendors[2].offers[1].price == sc.vendors[2].offers[1].price);
}
