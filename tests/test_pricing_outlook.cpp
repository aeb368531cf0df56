// What World tells a forward-looking or capacity-aware vendor (agents/world_outlook.cpp) against
// what the world then does: the outlook's units of a product at unchanged prices follow the units
// the market actually buys, month by month; the capacity it sees is what is in service and on
// order; best_response's profit oracle caps the product's sales at that capacity, and the parts
// of it kept over a review's evaluations give the figures computed afresh. No SimGrid: the World is
// driven month by month here.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <utility>

#include "agents/billing.hpp"
#include "agents/customer_value.hpp"
#include "agents/own_price_demand.hpp"
#include "agents/rationing.hpp"
#include "agents/world.hpp"
#include "sim/scenario_loader.hpp"

using namespace cm;

namespace {
Scenario small() { return load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/small.yaml"); }
}  // namespace

TEST_CASE("the outlook's units at unchanged prices follow the units the market buys", "[pricing_outlook]") {
  Scenario sc = small();
  sc.segments[0].firms = 20000;
  sc.segments[0].growth = 0.3;  // growth the outlook must foresee
  for (auto& v : sc.vendors) v.pricing.strategy = PricingRule::fixed;
  Pricing pricing;
  pricing.horizon = Duration{11, 0};
  World world(sc);
  world.open_month(0);
  const std::size_t alpha = 0, cpu = 0;
  const Grid prices = world.prices.in_force(0);
  const DynamicPricingProblem pb = world.dynamic_pricing_problem(alpha, cpu, prices, 0, pricing);
  REQUIRE(pb.months() == 11);
  REQUIRE(pb.segments.size() == 1);
  const double price = prices(alpha, cpu);
  const auto held = held_path(pb, price);
  const SegmentOutlook& seg = pb.segments[0];
  world.close_month(0);
  for (int t = 0; t < 11; ++t) {
    world.open_month(t + 1);
    const MonthReport r = world.close_month(t + 1);
    const double expected_units = held[std::size_t(t)] * seg.own_spend[std::size_t(t)] *
                                  std::pow(price / seg.reference_price, 1.0 - seg.elasticity) / price;
    // Renewals are random draws of 20 000 firms; the outlook is their expectation.
    CHECK(r.quantity(alpha, cpu) == Approx(expected_units).epsilon(0.02));
  }
  // The growth is in it: a year on, the product sells about 30% more.
  CHECK(seg.own_spend[10] / seg.own_spend[0] == Approx(std::pow(1.3, 10.0 / 12.0)).epsilon(1e-12));
}

TEST_CASE("best_response's profit oracle caps the product's sales at the capacity the vendor will have",
          "[pricing_outlook]") {
  Scenario sc = small();
  const std::size_t alpha = 0, cpu = 0;
  World world(sc);
  world.open_month(0);
  const Grid prices = world.prices.in_force(0);
  const double uncapped = world.expected_profit(alpha, prices, 0);
  // Ample capacity: no difference.
  CHECK(world.expected_profit(alpha, prices, 0, cpu) == uncapped);
  CHECK(world.capacity_outlook(alpha, cpu, 0, 3) == std::vector<double>(3, sc.vendors[0].offers[0].capacity));

  // Binding capacities K1 < K2 (a million units against some ten billion wanted): the product's
  // profit is (p - c) K, and firms see the fill rate K / Q, so the vendor with more capacity also
  // keeps more customers for its other product (rationing is priced, docs/model.md): the oracle
  // differs by more than (p - c) (K2 - K1), and is below the uncapped one. (Before rationing was
  // priced it differed by exactly (p - c) (K2 - K1).)
  const double p = prices(alpha, cpu), c = sc.vendors[0].offers[0].unit_cost;
  auto capped_at = [&](double K) {
    Scenario tight = sc;
    tight.vendors[0].offers[0].capacity = K;
    World scarce(tight);
    scarce.open_month(0);
    CHECK(scarce.capacity_outlook(alpha, cpu, 0, 1)[0] == K);
    return scarce.expected_profit(alpha, prices, 0, cpu);
  };
  const double k1 = 1e6, k2 = 2e6;
  CHECK(capped_at(k2) - capped_at(k1) > 1.01 * (p - c) * (k2 - k1));
  CHECK(capped_at(k2) < uncapped - 1e3 * (p - c) * k2);
}

TEST_CASE("a review's demand for one vendor is expected_wanted_at_reference's at every price and fill, to the bit",
          "[pricing_outlook]") {
  // Two segments, the AI layer partly bought apart (the own model's price moves its split), a budget
  // shock, a scarcity premium with rationing seen, and an ecosystem's utility.
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  sc.startups.clear();
  sc.investors.clear();
  for (auto& v : sc.vendors) v.investment.reset();
  sc.market.ai_layer_unbundled = 0.4;
  sc.market.scarcity_premium = 0.5;
  Segment other = sc.segments[0];
  other.id = "finance";
  other.price_sensitivity = 1.5;
  other.switching_cost = 2;
  other.ai_adoption->initial = 0.3;
  sc.segments.push_back(other);
  std::size_t maas = 0;
  for (std::size_t p = 0; p < sc.products.size(); ++p)
    if (sc.products[p].kind == ProductKind::model) maas = p;
  const EnterpriseMarket market(sc);
  const std::size_t vendors = sc.vendors.size(), products = sc.products.size(), v = 1;
  SupplyConditions seen{Grid(vendors, products), std::vector<char>(vendors, 1), Grid(vendors, products, 1.0),
                        Grid(sc.segments.size(), vendors, 0.0), 3, {0.9, 1.0}, {0.2, 0.5}};
  for (std::size_t j = 0; j < vendors; ++j)
    for (std::size_t p = 0; p < products; ++p) seen.prices(j, p) = sc.vendors[j].offers[p].price;
  seen.fill(0, maas) = 0.7;
  seen.ecosystem(1, 0) = 0.3;
  for (const std::size_t q : {maas, std::size_t(0)}) {
    OwnPriceDemand demand(market, seen, seen.budget_factor, v, q);
    const double p0 = seen.prices(v, q);
    const double at_seen = demand.wanted(0, q);
    for (const auto& [price, fill] : std::vector<std::pair<double, double>>{
             {p0, 1.0}, {0.5 * p0, 1.0}, {0.5 * p0, 0.6}, {2.0 * p0, 0.6}, {2.0 * p0, 1.0}, {p0, 1.0}}) {
      demand.set(price, fill);
      SupplyConditions at = seen;
      at.prices(v, q) = price;
      at.fill(v, q) = fill;
      const auto expected = market.expected_wanted_at_reference(at.month, at.budget_factor, market.choice_sets(at));
      for (std::size_t s = 0; s < sc.segments.size(); ++s)
        for (std::size_t p = 0; p < products; ++p) CHECK(demand.wanted(s, p) == expected[s](v, p));
      if (price != p0) CHECK(demand.wanted(0, q) != at_seen);  // the vendor's choice moved with its price
    }
  }
}

TEST_CASE("best_response's objective is the profit of the fresh-choice demand at each trial price, to the bit",
          "[pricing_outlook]") {
  // The objective computed directly, as World::expected_profit defined it before its fixed parts
  // were kept across evaluations: every trial price and fill re-makes the choice sets and the demand.
  Scenario sc = small();
  sc.vendors[0].offers[0].capacity = 2e9;  // binding: the steady fill is searched for
  sc.segments[0].price_elasticity = 1.4;
  const std::size_t alpha = 0, cpu = 0, vendors = sc.vendors.size(), products = sc.products.size();
  World world(sc);
  world.open_month(0);
  const int month = 0;
  const Grid seen = world.prices.in_force(0);
  // Month 0 of a world without events, startups or a closed month: no shocks, nothing rationed
  // yet, no ecosystem utility.
  const std::vector<double> factor(sc.segments.size(), 1.0);
  const SupplyConditions conditions{seen, std::vector<char>(vendors, 1), Grid(vendors, products, 1.0),
                                    Grid(sc.segments.size(), vendors, 0.0), month, factor, {}};
  const double capacity = world.capacity_outlook(alpha, cpu, month, 1)[0];
  const auto& ref = world.market.reference_price();
  double fill_found = 1;
  auto direct = [&](double price) {
    SupplyConditions supply = conditions;
    supply.prices(alpha, cpu) = price;
    auto wanted_at = [&] { return world.market.expected_wanted_at_reference(month, factor, world.market.choice_sets(supply)); };
    auto units_of = [&](const std::vector<Grid>& wanted, std::size_t p) {
      double spend = 0;
      for (std::size_t s = 0; s < wanted.size(); ++s)
        spend += spend_at_price(wanted[s](alpha, p), supply.prices(alpha, p), ref[p], sc.segments[s].price_elasticity);
      return spend / supply.prices(alpha, p);
    };
    std::vector<Grid> wanted;
    const double f = steady_fill(
        [&](double trial) {
          supply.fill(alpha, cpu) = trial;
          wanted = wanted_at();
          return units_of(wanted, cpu);
        },
        capacity);
    supply.fill(alpha, cpu) = fill_found = f;
    wanted = wanted_at();
    double profit = 0;
    for (std::size_t p = 0; p < products; ++p) {
      const double list = supply.prices(alpha, p), c = world.unit_cost(alpha, p);
      profit += p == cpu ? capped_profit(list, c, units_of(wanted, p), capacity) : units_of(wanted, p) * (list - c);
    }
    return profit;
  };
  ExpectedProfit objective = world.expected_profit_at(alpha, cpu, seen, month, true);
  const double p0 = seen(alpha, cpu);
  direct(p0);
  REQUIRE(fill_found < 1);  // the capacity binds at the seen price: customers see rationing
  for (double price : {p0, 0.7 * p0, 1.3 * p0, 3 * p0, p0}) {
    CHECK(objective(price) == direct(price));
    CHECK(world.expected_profit(alpha, [&] { Grid g = seen; g(alpha, cpu) = price; return g; }(), month, cpu) ==
          direct(price));
  }
}
