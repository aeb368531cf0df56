#include "agents/dynamic_best_response.hpp"

#include <algorithm>
#include <cmath>

namespace cm {

std::optional<double> DynamicBestResponsePricing::review(const PricingView& view) {
  if (!view.discounted_profit_at) return std::nullopt;  // no outlook to respond to
  double reference = view.own_price;
  for (double p : view.rival_prices) reference = std::max(reference, p);
  double lo = view.unit_cost * (1.0 + min_margin_);
  // As best_response: with no positive floor, a price far below the market's is floor enough.
  if (!(lo > 0)) lo = 1e-6 * reference;
  if (!(lo > 0)) return std::nullopt;
  // Scarcity can justify prices far above the unconstrained ones; 20 x cost or 5 x the market
  // price is still generous for rationing a tight capacity.
  const double hi = std::max({20.0 * view.unit_cost, 5.0 * reference, 4.0 * lo});
  const auto& J = view.discounted_profit_at;
  const double best = maximise_profit(J, lo, hi);
  // A flat outlook (no customers at all) must not drag the price to the floor.
  if (view.own_price >= lo && view.own_price <= hi && !(J(best) > J(view.own_price))) return std::nullopt;
  if (!std::isfinite(best) || best == view.own_price) return std::nullopt;
  return best;
}

}  // namespace cm
