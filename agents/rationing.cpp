#include "agents/rationing.hpp"

#include <algorithm>
#include <cmath>

namespace cm {

double fallback_price(double list_price, double reference_price, double scarcity_premium) {
  return std::max(list_price, (1.0 + scarcity_premium) * reference_price);
}

double rationed_price(double list_price, double fill, double reference_price, double scarcity_premium) {
  if (fill >= 1.0) return list_price;  // served in full: bit-identical to the unrationed index
  const double f = std::max(0.0, fill);
  return f * list_price + (1.0 - f) * fallback_price(list_price, reference_price, scarcity_premium);
}

double steady_fill(const std::function<double(double)>& units_wanted, double capacity) {
  if (!(capacity > 0)) return 0.0;
  const double at_full = units_wanted(1.0);
  if (!(at_full > capacity)) return 1.0;
  // g(f) = f Q(f) - K rises in f from -K at f = 0 to Q(1) - K > 0 at f = 1.
  double lo = 0.0, g_lo = -capacity, hi = 1.0, g_hi = at_full - capacity;
  int side = 0;
  for (int iteration = 0; iteration < 60 && hi - lo > 1e-12; ++iteration) {
    double f = lo - g_lo * (hi - lo) / (g_hi - g_lo);
    if (!(f > lo && f < hi)) f = 0.5 * (lo + hi);
    const double g = f * units_wanted(f) - capacity;
    if (std::abs(g) <= 1e-10 * capacity) return f;
    if (g < 0) {
      lo = f, g_lo = g;
      if (side == -1) g_hi *= 0.5;  // Illinois: the same end twice, halve the other's weight
      side = -1;
    } else {
      hi = f, g_hi = g;
      if (side == 1) g_lo *= 0.5;
      side = 1;
    }
  }
  return 0.5 * (lo + hi);
}

}  // namespace cm
