#pragma once
// dynamic_best_response: the price that maximises the vendor's discounted gross profit over a
// horizon, with the installed base renewing through the switching-cost chain, demand growing, and
// its own capacity (customer_value.hpp, docs/model.md). It invests (prices below the static best
// response) while the customers it can still win are worth more than the margin on the ones it
// holds, and harvests (prices above it) once its base is locked in.
#include <optional>

#include "agents/pricing_strategy.hpp"

namespace cm {

class DynamicBestResponsePricing final : public PricingStrategy {
 public:
  explicit DynamicBestResponsePricing(double min_margin) : min_margin_(min_margin) {}
  std::optional<double> review(const PricingView& view) override;

 private:
  double min_margin_;
};

}  // namespace cm
