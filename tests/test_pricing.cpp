#include <catch2/catch.hpp>

#include "agents/pricing.hpp"

using namespace cm;

TEST_CASE("unit costs follow their yearly trend", "[pricing]") {
  const Offer offer{0.04, 0.03, 1e9, -0.1};
  CHECK(unit_cost_at(offer, 0) == 0.03);
  CHECK(unit_cost_at(offer, 12) == Approx(0.027));
  CHECK(unit_cost_at(offer, 24) == Approx(0.0243));
}

