#pragma once
// Unit costs before learning: the start cost moved by input prices.
#include <cmath>

#include "sim/scenario.hpp"

namespace cm {

// The factor by which input prices move unit cost (and capex) over months [from, to): the yearly
// cost_trend in force each month, compounded monthly (a dated cost_trend integrates its schedule).
inline double cost_trend_factor(const Offer& offer, int from, int to) {
  return offer.dated.compound("cost_trend", offer.cost_trend, from, to);
}
inline double cost_trend_factor(const Offer& offer, int month) {
  return offer.dated.compound("cost_trend", offer.cost_trend, month);
}

// Unit cost after `month` months: the start cost moved by the yearly trend (input prices,
// hardware generations).
inline double unit_cost_at(const Offer& offer, int month) { return offer.unit_cost * cost_trend_factor(offer, month); }

}  // namespace cm
