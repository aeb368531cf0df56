#include <catch2/catch.hpp>

#include "agents/pricing.hpp"

using namespace cm;

TEST_CASE("unit costs follow their yearly trend", "[pricing]") {
  const Offer offer{0.04, 0.03, 1e9, -0.1};
  CHECK(unit_cost_at(offer, 0) == 0.03);
  CHECK(unit_cost_at(offer, 12) == Approx(0.027));
  CHECK(unit_cost_at(offer, 24) == Approx(0.0243));
}

TEST_CASE("cost-plus prices at the given markup, or keeps the initial one", "[pricing]") {
  const Offer offer{0.04, 0.03, 1e9, -0.1};
  Pricing pricing;
  pricing.strategy = PricingRule::cost_plus;
  CHECK(*review_price(pricing, offer, 0) == Approx(0.04));           // initial markup 1/3 kept
  CHECK(*review_price(pricing, offer, 12) == Approx(0.027 * 4 / 3));
  pricing.markup = 0.5;
  CHECK(*review_price(pricing, offer, 12) == Approx(0.027 * 1.5));
  pricing.strategy = PricingRule::fixed;
  CHECK_FALSE(review_price(pricing, offer, 12));
}
