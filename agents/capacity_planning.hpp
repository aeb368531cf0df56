#pragma once
// Capacity orders: a vendor orders what it needs so that, when the order arrives `lead_months`
// from now, capacity serves the demand it then expects at its target utilisation. Expected demand
// extrapolates the growth of demand (units asked for, served or not) over the past `span_months`
// (up to a year), bounded to [-5%, +10%] a month so that a one-off jump (a rival's exit, a price
// cut) is not read as a trend; and one month's order is at most the capacity in service (a build
// rate: capacity at most doubles in a month).
#include <algorithm>
#include <cmath>

namespace cm {

constexpr double kMinMonthlyDemandGrowth = 0.95;
constexpr double kMaxMonthlyDemandGrowth = 1.10;

inline double capacity_order(double demand_now, double demand_before, int span_months, double in_service,
                             double on_order, int lead_months, double target_utilization) {
  double monthly_growth = 1.0;
  if (span_months > 0 && demand_before > 0 && demand_now > 0)
    monthly_growth = std::clamp(std::pow(demand_now / demand_before, 1.0 / span_months), kMinMonthlyDemandGrowth,
                                kMaxMonthlyDemandGrowth);
  const double expected = demand_now * std::pow(monthly_growth, lead_months);
  const double needed = expected / target_utilization - (in_service + on_order);
  return std::clamp(needed, 0.0, in_service);
}

// Wright's law: unit cost falls by `learning_rate` with each doubling of cumulative output.
inline double learning_factor(double cumulative_output, double initial_experience, double learning_rate) {
  if (learning_rate <= 0 || initial_experience <= 0) return 1.0;
  const double exponent = -std::log2(1.0 - learning_rate);
  return std::pow(cumulative_output / initial_experience, -exponent);
}

}  // namespace cm
