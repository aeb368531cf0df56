#pragma once
// Capacity orders: a vendor orders what it needs so that, when the order arrives `lead_months`
// from now, capacity serves the demand it then expects at its target utilisation. Expected demand
// extrapolates the past year's growth of demand (units asked for, served or not).
#include <algorithm>
#include <cmath>

namespace cm {

inline double capacity_order(double demand_now, double demand_year_ago, double in_service, double on_order,
                             int lead_months, double target_utilization) {
  double monthly_growth = 1.0;
  if (demand_year_ago > 0 && demand_now > 0) monthly_growth = std::pow(demand_now / demand_year_ago, 1.0 / 12.0);
  const double expected = demand_now * std::pow(monthly_growth, lead_months);
  return std::max(0.0, expected / target_utilization - (in_service + on_order));
}

// Wright's law: unit cost falls by `learning_rate` with each doubling of cumulative output.
inline double learning_factor(double cumulative_output, double initial_experience, double learning_rate) {
  if (learning_rate <= 0 || initial_experience <= 0) return 1.0;
  const double exponent = -std::log2(1.0 - learning_rate);
  return std::pow(cumulative_output / initial_experience, -exponent);
}

}  // namespace cm
