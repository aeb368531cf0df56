#include "agents/dynamic_best_response.hpp"

namespace cm {

std::optional<double> DynamicBestResponsePricing::review(const PricingView& view) {
  if (!view.discounted_profit_at) return std::nullopt;  // no outlook to respond to
  return best_price(view.discounted_profit_at, view, min_margin_);
}

}  // namespace cm
