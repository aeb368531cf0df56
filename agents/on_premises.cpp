#include "agents/on_premises.hpp"

#include <cmath>

namespace cm {

double on_premises_cost_index(const OnPremises& o, int month) {
  // Dated trends compound month by month at the rate in force (sim/dated_parameter.hpp).
  return o.hardware_share * o.dated.compound("hardware_trend", o.hardware_trend, month) +
         (1.0 - o.hardware_share) * o.dated.compound("staff_trend", o.staff_trend, month);
}

double on_premises_utility(const OnPremises& o, double price_sensitivity, double cloud_index_at_start, int month) {
  if (o.hardware_trend == 0 && o.staff_trend == 0 && o.dated.empty()) return 0.0;  // exactly today's outside option
  return -price_sensitivity * o.cost_level * cloud_index_at_start * (on_premises_cost_index(o, month) - 1.0);
}

double cloud_cost_weight(double discretionary_share, double budget_factor) {
  if (discretionary_share == 0 || budget_factor == 1.0) return 1.0;
  return 1.0 + discretionary_share * (1.0 / budget_factor - 1.0);
}

double cloud_cost_weight(const OnPremises& o, int month, double budget_factor) {
  return cloud_cost_weight(o.dated.at("discretionary_share", o.discretionary_share, month), budget_factor);
}

}  // namespace cm
