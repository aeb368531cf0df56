#pragma once
// Unit costs before learning: the start cost moved by input prices.
#include <cmath>

#include "sim/scenario.hpp"

namespace cm {

// Unit cost after `month` months: the start cost moved by the yearly trend (input prices,
// hardware generations).
inline double unit_cost_at(const Offer& offer, int month) {
  return offer.unit_cost * std::pow(1.0 + offer.cost_trend, month / 12.0);
}

}  // namespace cm
