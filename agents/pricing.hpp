#pragma once
// Pricing rules: what a vendor's list price for a product should be at a review.
#include <cmath>
#include <optional>

#include "sim/scenario.hpp"

namespace cm {

// Unit cost after `month` months: the start cost moved by the yearly trend (input prices,
// hardware generations).
inline double unit_cost_at(const Offer& offer, int month) {
  return offer.unit_cost * std::pow(1.0 + offer.cost_trend, month / 12.0);
}

// The price a review sets, or nothing when the rule keeps the current price.
inline std::optional<double> review_price(const Pricing& pricing, const Offer& offer, int month) {
  switch (pricing.strategy) {
    case PricingRule::fixed: return std::nullopt;
    case PricingRule::cost_plus: {
      const double markup = pricing.markup ? *pricing.markup
                                           : (offer.unit_cost > 0 ? offer.price / offer.unit_cost - 1.0 : 0.0);
      return unit_cost_at(offer, month) * (1.0 + markup);
    }
  }
  return std::nullopt;
}

}  // namespace cm
