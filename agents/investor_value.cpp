#include "agents/investor_value.hpp"

#include <algorithm>
#include <cmath>

namespace cm {

double failure_probability(double prior, double runway_months, double years) {
  if (!(runway_months > 0)) return 1.0;  // no cash left: it fails now
  const double h = prior * (1.0 + (std::isfinite(runway_months) ? 12.0 / runway_months : 0.0));
  return 1.0 - std::exp(-h * std::max(0.0, years));
}

double npv_per_unit(const DealValue& d) {
  const double stake =
      std::pow((1.0 + d.growth_per_year) / (1.0 + d.discount_rate), d.exit_years) * (1.0 - d.failure_probability);
  const double margin = 1.0 - d.unit_cost_share;
  return stake - (1.0 - d.credit_share) - d.credit_share * d.unit_cost_share +
         std::max(0.0, d.commitment - d.credit_share) * margin;
}

double deal_npv(const DealValue& d, double amount) { return d.strategic_value + amount * npv_per_unit(d); }

double largest_worthwhile_amount(const DealValue& d, double cap) {
  if (!(cap > 0)) return 0;
  const double u = npv_per_unit(d);
  if (u >= 0) return d.strategic_value >= 0 ? cap : 0.0;
  return std::clamp(d.strategic_value / -u, 0.0, cap);
}

}  // namespace cm
