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

TEST_CASE("dynamic_best_response reads its discount rate and horizon, with defaults and ranges", "[scenario]") {
  const Scenario plain = load_scenario(kSmall, {"vendors.alpha.pricing.strategy=dynamic_best_response"});
  CHECK(plain.vendors[0].pricing.strategy == PricingRule::dynamic_best_response);
  CHECK(plain.vendors[0].pricing.discount_rate == 0.10);
  CHECK(plain.vendors[0].pricing.horizon == Duration{60, 0});
  const Scenario set = load_scenario(kSmall, {"vendors.alpha.pricing={strategy: dynamic_best_response, discount_rate: 0.2}",
                                              "vendors.alpha.products.saas.pricing={horizon: 2 years}"});
  CHECK(set.vendors[0].pricing_of(1).discount_rate == 0.2);  // inherited from the vendor
  CHECK(set.vendors[0].pricing_of(1).horizon == Duration{24, 0});
  CHECK(set.vendors[0].pricing_of(0).horizon == Duration{60, 0});
  const std::string text = scenario_to_yaml(set);
  CHECK(scenario_to_yaml(decode_scenario(yaml::parse_string(text, "<resolved>"))) == text);
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.pricing.discount_rate=-0.1"}),
                    Catch::Contains("'discount_rate' must be in [0, 10]"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.pricing.horizon=10 days"}),
                    Catch::Contains("'horizon' must be whole months or years"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.pricing.horizon=51 years"}),
                    Catch::Contains("'horizon' must be at most 50 years"));
}

TEST_CASE("the resolved scenario reads back to the same scenario", "[scenario]") {
  const Scenario sc = load_scenario(kBaseline, {"seed=99"});
  const std::string text = scenario_to_yaml(sc);
  const Scenario again = decode_scenario(yaml::parse_string(text, "<resolved>"));
  CHECK(scenario_to_yaml(again) == text);
  CHECK(again.seed == 99);
  CHECK(again.vendors[2].offers[1].price == sc.vendors[2].offers[1].price);
}

TEST_CASE("startups, investors and vendors' AI keys are read with their defaults", "[scenario]") {
  const Scenario plain = load_scenario(kSmall);
  CHECK(plain.startups.empty());
  CHECK(plain.investors.empty());
  CHECK(plain.vendors[0].ai_strategy == AiStrategy::none);
  CHECK(plain.vendors[0].revenue_share == 0.3);
  CHECK_FALSE(plain.vendors[0].investment);
  CHECK(plain.market.quality_per_decade == 0.5);
  CHECK(plain.market.flops_per_million_tokens == 3.5e17);

  const Scenario sc = load_scenario(
      kSmall, {"startups=[{id: s1, cash: 1e8, burn_per_month: 1e7, trains_on: alpha},"
               " {id: lab, region: us, owner: beta, cash: 0, burn_per_month: 0, trains_on: beta, training_flops: 1e24,"
               " run_months: 6, plan_horizon_months: 36, runway_months: 120, round_months: 0.5,"
               " valuation: 5e10}]",
               "investors=[{id: vc, budget: 5e9}, {id: fund2, capital: [{at: 2023-01-01, amount: 4e8},"
               " {at: 2024-06-01, amount: 6e8}], max_ticket: 2e8, hurdle_rate: 0.3, failure_hazard: 0.2,"
               " exit_years: 7}]",
               "vendors.alpha.ai_strategy=open_ecosystem", "vendors.alpha.revenue_share=0.2",
               "vendors.alpha.investment={budget: 1e10}",
               "vendors.beta.investment={budget: 2e9, max_ticket: 5e8, credit_share: 1, commitment: 10, exclusive: true,"
               " duration: 3 years}",
               "market.bundle_weight=1.5", "market.flops_per_gpu_hour=1e18"});
  REQUIRE(sc.startups.size() == 2);
  const Startup& s1 = sc.startups[0];
  CHECK(s1.id == "s1");
  CHECK(s1.region == "global");
  CHECK_FALSE(s1.owner);
  CHECK(s1.cash == 1e8);
  CHECK(s1.burn_per_month == 1e7);
  CHECK(s1.training_flops == 1e22);
  CHECK(s1.run_months == 3);
  CHECK(s1.plan_horizon_months == 24);
  CHECK(s1.trains_on == 0);
  CHECK(s1.runway_months == 6);
  CHECK(s1.round_months == 24);
  CHECK(s1.valuation == 1e9);
  const Startup& lab = sc.startups[1];
  CHECK(lab.region == "us");
  REQUIRE(lab.owner);
  CHECK(*lab.owner == 1);
  CHECK(lab.trains_on == 1);
  CHECK(lab.training_flops == 1e24);
  CHECK(lab.run_months == 6);
  CHECK(lab.plan_horizon_months == 36);
  CHECK(lab.runway_months == 120);
  CHECK(lab.round_months == 0.5);
  CHECK(lab.valuation == 5e10);

  REQUIRE(sc.investors.size() == 2);
  CHECK(sc.investors[0].id == "vc");
  // budget: one tranche at the start; capital: dated tranches.
  REQUIRE(sc.investors[0].policy.capital.size() == 1);
  CHECK(sc.investors[0].policy.capital[0].amount == 5e9);
  CHECK(sc.investors[0].policy.capital[0].at == sc.time.start);
  CHECK(sc.investors[0].policy.max_ticket == 0);
  CHECK(sc.investors[0].policy.hurdle_rate == 0.25);
  CHECK(sc.investors[0].policy.failure_hazard == 0.15);
  CHECK(sc.investors[0].policy.exit_years == 5);
  CHECK(sc.investors[1].policy.max_ticket == 2e8);
  REQUIRE(sc.investors[1].policy.capital.size() == 2);
  CHECK(sc.investors[1].policy.capital[1].at == Date{2024, 6, 1});
  CHECK(sc.investors[1].policy.total_capital() == 1e9);
  CHECK(sc.investors[1].policy.hurdle_rate == 0.3);
  CHECK(sc.investors[1].policy.failure_hazard == 0.2);
  CHECK(sc.investors[1].policy.exit_years == 7);

  CHECK(sc.vendors[0].ai_strategy == AiStrategy::open_ecosystem);
  CHECK(sc.vendors[0].revenue_share == 0.2);
  REQUIRE(sc.vendors[0].investment);
  CHECK(sc.vendors[0].investment->total_capital() == 1e10);
  CHECK(sc.vendors[0].investment->cost_of_capital == 0.1);
  CHECK(sc.vendors[0].investment->max_ticket == 0);
  CHECK(sc.vendors[0].investment->credit_share == 0);
  CHECK(sc.vendors[0].investment->commitment == 0);
  CHECK_FALSE(sc.vendors[0].investment->exclusive);
  CHECK(sc.vendors[0].investment->duration == Duration{24, 0});
  REQUIRE(sc.vendors[1].investment);
  CHECK(sc.vendors[1].investment->credit_share == 1);
  CHECK(sc.vendors[1].investment->commitment == 10);
  CHECK(sc.vendors[1].investment->exclusive);
  CHECK(sc.vendors[1].investment->duration == Duration{36, 0});
  CHECK(sc.market.bundle_weight == 1.5);
  CHECK(sc.market.flops_per_gpu_hour == 1e18);
  CHECK(sc.market.ecosystem_weight == 0.3);
}

TEST_CASE("startups, investors and investment are validated", "[scenario]") {
  const std::string s1 = "startups=[{id: s1, cash: 1e8, burn_per_month: 1e7, trains_on: alpha";
  CHECK_NOTHROW(load_scenario(kSmall, {"startups=[]", "investors=[]"}));
  CHECK_THROWS_WITH(load_scenario(kSmall, {s1 + ", owner: beta}]"}),
                    Catch::Contains("startup 's1' is owned by vendor 'beta' and must train on it"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"startups=[{id: s1, cash: 1, burn_per_month: 1, trains_on: alpah}]"}),
                    Catch::Contains("unknown vendor 'alpah'") && Catch::Contains("did you mean 'alpha'"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {s1 + "}, {id: s1, cash: 1, burn_per_month: 1, trains_on: beta}]"}),
                    Catch::Contains("duplicate startup id 's1'"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"startups=[{id: beta, cash: 1, burn_per_month: 1, trains_on: beta}]"}),
                    Catch::Contains("startup id 'beta' is already a vendor id"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"investors=[{id: vc, budget: 1}]",
                                           "startups=[{id: vc, cash: 1, burn_per_month: 1, trains_on: beta}]"}),
                    Catch::Contains("startup id 'vc' is already a investor id"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"investors=[{id: alpha, budget: 1}]"}),
                    Catch::Contains("investor id 'alpha' is already a vendor id"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"investors=[{id: vc, budget: 1}, {id: vc, budget: 2}]"}),
                    Catch::Contains("duplicate investor id 'vc'"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"investors=[{id: vc, max_ticket: 1}]"}),
                    Catch::Contains("missing required key 'budget' in investor 'vc'"));
  for (const char* key : {"credit_share: 0.5", "commitment: 1", "exclusive: true", "duration: 1 year"})
    CHECK_THROWS_WITH(load_scenario(kSmall, {std::string("investors=[{id: vc, budget: 1, ") + key + "}]"}),
                      Catch::Contains("unknown key") && Catch::Contains("in investor 'vc'"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {s1 + ", run_months: 0.5}]"}), Catch::Contains("'run_months' must be in [1, 24]"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {s1 + ", training_rate: 1e18}]"}),
                    Catch::Contains("'training_rate' was replaced by the training plan"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"investors=[{id: vc, budget: 1, capital: [{at: 2023-01-01, amount: 1}]}]"}),
                    Catch::Contains("has both 'budget' and 'capital'"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"investors=[{id: vc, capital: [{at: 2024-01-01, amount: 1},"
                                           " {at: 2023-01-01, amount: 1}]}]"}),
                    Catch::Contains("must be in date order"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"investors=[{id: vc, budget: 1, hurdle_rate: 3}]"}),
                    Catch::Contains("'hurdle_rate' must be in [0, 2]"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"investors=[{id: vc, budget: 1, cost_of_capital: 0.1}]"}),
                    Catch::Contains("unknown key"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {s1 + ", runway_months: 0}]"}), Catch::Contains("'runway_months' must be in (0, 120]"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {s1 + ", training_flops: 0}]"}), Catch::Contains("'training_flops' must be > 0"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"startups=[{id: s1, cash: 1, trains_on: alpha}]"}),
                    Catch::Contains("missing required key 'burn_per_month' in startup 's1'"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.investment={budget: 1, duration: 2 weeks}"}),
                    Catch::Contains("'duration' must be whole months or years"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.investment={budget: 1, duration: 0 months}"}),
                    Catch::Contains("'duration' must be longer than zero"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.investment={max_ticket: 1}"}),
                    Catch::Contains("missing required key 'budget' in investment of vendor 'alpha'"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.investment={budget: 1, commitment: 11}"}),
                    Catch::Contains("'commitment' must be in [0, 10]"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.revenue_share=1.2"}),
                    Catch::Contains("'revenue_share' must be in [0, 1]"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"vendors.alpha.ai_strategy=verticle"}),
                    Catch::Contains("did you mean 'vertical'"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"market.model_choice_quality=101"}),
                    Catch::Contains("'model_choice_quality' must be in [0, 100]"));
  CHECK_THROWS_WITH(load_scenario(kSmall, {"market.flops_per_million_tokens=0"}),
                    Catch::Contains("'flops_per_million_tokens' must be > 0"));
}

TEST_CASE("export_control, outage and cost_shock events read only their own keys", "[scenario]") {
  const Scenario sc = load_scenario(
      kSmall, {"events=[{type: export_control, at: 2023-03-01, region: cn, product: iaas_cpu},"
               " {type: outage, at: 2023-02-01, vendor: beta, availability: 0},"
               " {type: cost_shock, at: 2023-04-01, product: saas, change: 10}]"});
  REQUIRE(sc.events.size() == 3);
  CHECK(sc.events[0].type == EventType::export_control);
  CHECK(*sc.events[0].region == "cn");
  CHECK(sc.events[0].product == 0);
  CHECK(sc.events[0].substitute_efficiency == 1);
  CHECK(sc.events[0].substitute_cap == 0);
  CHECK(sc.events[1].type == EventType::outage);
  CHECK(sc.events[1].vendor == 1);
  CHECK_FALSE(sc.events[1].until);
  CHECK(sc.events[1].availability == 0);
  CHECK(sc.events[2].type == EventType::cost_shock);
  CHECK(sc.events[2].product == 1);
  CHECK_FALSE(sc.events[2].region);
  CHECK(*sc.events[2].change == 10);

  auto event = [](const std::string& body) { return load_scenario(kSmall, {"events=[{" + body + "}]"}); };
  CHECK(event("type: export_control, at: 2023-03-01, region: cn, product: saas, substitute_efficiency: 0.4,"
              " substitute_cap: 1e6").events[0].substitute_cap == 1e6);
  CHECK(event("type: outage, at: 2023-03-01, until: 2023-04-01, vendor: alpha, availability: 0.5").events[0].until);
  CHECK(*event("type: cost_shock, at: 2023-03-01, product: saas, region: cn, change: -0.5").events[0].region == "cn");
  CHECK_THROWS_WITH(event("type: outage, at: 2023-03-01, vendor: alpha, availability: 1"),
                    Catch::Contains("'availability' must be in [0, 1)"));
  CHECK_THROWS_WITH(event("type: outage, at: 2023-03-01, vendor: alpha"),
                    Catch::Contains("missing required key 'availability'"));
  CHECK_THROWS_WITH(event("type: outage, at: 2023-03-01, until: 2023-03-01, vendor: alpha, availability: 0.5"),
                    Catch::Contains("'until' must be after 'at'"));
  CHECK_THROWS_WITH(event("type: outage, at: 2023-03-01, vendor: alpha, availability: 0.5, product: saas"),
                    Catch::Contains("unknown key 'product'"));
  CHECK_THROWS_WITH(event("type: export_control, at: 2023-03-01, product: saas"),
                    Catch::Contains("missing required key 'region'"));
  CHECK_THROWS_WITH(event("type: export_control, at: 2023-03-01, region: cn, product: saas, substitute_efficiency: 0"),
                    Catch::Contains("'substitute_efficiency' must be in (0, 1]"));
  CHECK_THROWS_WITH(event("type: export_control, at: 2023-03-01, region: cn, product: saas, change: 0.1"),
                    Catch::Contains("unknown key 'change'"));
  CHECK_THROWS_WITH(event("type: cost_shock, at: 2023-03-01, product: saas, change: -1"),
                    Catch::Contains("'change' must be in (-1, 10]"));
  CHECK_THROWS_WITH(event("type: cost_shock, at: 2023-03-01, product: saas, change: 0.1, until: 2024-01-01"),
                    Catch::Contains("unknown key 'until'"));
  CHECK_THROWS_WITH(event("type: price_change, at: 2023-03-01, vendor: alpha, product: saas, change: 0.1, region: cn"),
                    Catch::Contains("unknown key 'region'"));
}

TEST_CASE("startups, investors, investment and every event type read back unchanged", "[scenario]") {
  const Scenario sc = load_scenario(
      kSmall,
      {"startups=[{id: s1, cash: 1e8, burn_per_month: 1e7, trains_on: alpha, api_price: 5,"
       " pricing: {strategy: undercut, undercut: 0.2, review_every: 1 month}},"
       " {id: lab, region: us, owner: beta, cash: 3.3e9, burn_per_month: 1.7e8, trains_on: beta, run_months: 2,"
       " open_weight: true}]",
       "investors=[{id: vc, capital: [{at: 2023-01-01, amount: 5e9}, {at: 2025-01-01, amount: 1e9}],"
       " max_ticket: 1.5e8, hurdle_rate: 0.4}]", "vendors.alpha.ai_strategy=hybrid",
       "vendors.beta.ai_strategy=vertical", "vendors.beta.revenue_share=0.15",
       "vendors.alpha.investment={budget: 1e10, credit_share: 0.6, commitment: 2.5, exclusive: true, duration: 18 months,"
       " cost_of_capital: 0.12, failure_hazard: 0.3, exit_years: 4}",
       "market={quality_per_decade: 0.7, ecosystem_weight: 0.1}",
       "events=[{type: budget_shock, at: 2023-02-01, segment: retail, change: -0.1, until: 2023-06-01},"
       " {type: price_change, at: 2023-03-01, vendor: alpha, product: saas, price: 20},"
       " {type: export_control, at: 2023-04-01, region: cn, product: iaas_cpu, substitute_efficiency: 0.35,"
       " substitute_cap: 2e10},"
       " {type: outage, at: 2023-05-01, until: 2023-05-15, vendor: beta, availability: 0.25},"
       " {type: outage, at: 2023-06-01, vendor: alpha, availability: 0.9},"
       " {type: cost_shock, at: 2023-07-01, product: iaas_cpu, region: cn, change: 0.3},"
       " {type: cost_shock, at: 2023-08-01, product: saas, change: -0.2}]"});
  const std::string text = scenario_to_yaml(sc);
  const Scenario again = decode_scenario(yaml::parse_string(text, "<resolved>"));
  CHECK(scenario_to_yaml(again) == text);
  REQUIRE(again.startups.size() == 2);
  CHECK(*again.startups[1].owner == 1);
  CHECK(again.startups[1].run_months == 2);
  CHECK(again.startups[1].open_weight);
  CHECK_FALSE(again.startups[0].open_weight);
  CHECK(again.startups[0].pricing.strategy == PricingRule::undercut);
  CHECK(again.startups[0].pricing.undercut == 0.2);
  CHECK(again.startups[0].pricing.review_every == Duration{1, 0});
  CHECK(again.startups[1].pricing.strategy == PricingRule::fixed);
  CHECK(again.investors[0].policy.max_ticket == 1.5e8);
  REQUIRE(again.investors[0].policy.capital.size() == 2);
  CHECK(again.investors[0].policy.capital[1].at == Date{2025, 1, 1});
  CHECK(again.investors[0].policy.hurdle_rate == 0.4);
  CHECK(again.vendors[0].investment->cost_of_capital == 0.12);
  CHECK(again.vendors[0].investment->failure_hazard == 0.3);
  CHECK(again.vendors[0].investment->exit_years == 4);
  CHECK(again.vendors[0].investment->duration == Duration{18, 0});
  CHECK(again.vendors[0].investment->exclusive);
  CHECK(again.vendors[1].ai_strategy == AiStrategy::vertical);
  CHECK(again.market.quality_per_decade == 0.7);
  REQUIRE(again.events.size() == 7);
  CHECK(again.events[2].substitute_efficiency == 0.35);
  CHECK(again.events[3].availability == 0.25);
  CHECK_FALSE(again.events[4].until);
  CHECK(*again.events[5].region == "cn");
  CHECK_FALSE(again.events[6].region);
}
