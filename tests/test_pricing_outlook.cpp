// What World tells a forward-looking or capacity-aware vendor (agents/world_outlook.cpp) against
// what the world then does: the outlook's units of a product at unchanged prices follow the units
// the market actually buys, month by month; the capacity it sees is what is in service and on
// order; best_response's profit oracle caps the product's sales at that capacity. No SimGrid: the
// World is driven month by month here.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "agents/customer_value.hpp"
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
