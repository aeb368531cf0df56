#include "agents/training_plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "agents/startup_valuation.hpp"

namespace cm {

double affordable_spend(const TrainingMoney& m) {
  return std::max(0.0, m.credits) + std::max(0.0, m.cash - m.reserve);
}

double commitment_floor(const TrainingMoney& m, double run_months) {
  if (!(m.commitment_left > 0)) return 0;
  if (!(m.commitment_months_left > run_months)) return m.commitment_left;
  return m.commitment_left * run_months / m.commitment_months_left;
}

double quality_gain_exponent(double beta, double token_share, double k) {
  return beta * (1.0 - std::clamp(token_share, 0.0, 1.0)) * k / std::log(10.0);
}

double optimal_flops(double A, double C, double gamma, double c, double max_flops) {
  if (!(max_flops > 0) || !(A > 0) || !(gamma > 0) || !(C > 0)) return 0;
  if (!(c > 0)) return max_flops;  // free compute: all it can get
  auto value = [&](double F) { return A * (std::pow(1.0 + F / C, gamma) - 1.0) - c * F; };
  if (gamma < 1) {
    const double ratio = A * gamma / (c * C);
    const double F = C * std::max(0.0, std::pow(ratio, 1.0 / (1.0 - gamma)) - 1.0);
    return std::isfinite(F) ? std::min(F, max_flops) : max_flops;  // concave: the nearest bound
  }
  return value(max_flops) > 0 ? max_flops : 0.0;  // convex: an end point
}

TrainingPlan plan_training(const TrainingPlanInputs& in) {
  TrainingPlan plan;
  const double c = in.gpu_price > 0 ? in.gpu_price / in.flops_per_gpu_hour : 0.0;
  const double capacity_flops = std::max(0.0, in.free_gpu_hours_per_month) * in.run_months * in.flops_per_gpu_hour;
  const double afford = affordable_spend(in.money);
  const double money_flops = c > 0 ? afford / c : std::numeric_limits<double>::infinity();
  plan.expected_revenue = expected_revenue(in.monthly_revenue, in.growth_per_year, in.horizon_months);
  plan.gamma = quality_gain_exponent(in.model_choice_quality, in.token_share, in.quality_per_decade);
  // What it would buy with money no object, then within money and capacity.
  plan.wanted_flops = optimal_flops(plan.expected_revenue, in.cumulative_flops, plan.gamma, c,
                                    std::numeric_limits<double>::max());
  if (plan.gamma >= 1) plan.wanted_flops = optimal_flops(plan.expected_revenue, in.cumulative_flops, plan.gamma, c,
                                                         std::min(money_flops, capacity_flops));
  double flops = optimal_flops(plan.expected_revenue, in.cumulative_flops, plan.gamma, c,
                               std::min(money_flops, capacity_flops));
  // A live commitment: at least its share for this run, if it can pay it.
  const double floor_spend = std::min(afford, commitment_floor(in.money, in.run_months));
  if (c > 0) flops = std::max(flops, floor_spend / c);
  flops = std::min(flops, capacity_flops);
  plan.money_bound = plan.wanted_flops > money_flops * (1 + 1e-12);
  plan.capacity_bound = plan.wanted_flops > capacity_flops * (1 + 1e-12);
  plan.flops = flops;
  plan.gpu_hours_per_month = in.run_months > 0 ? flops / in.flops_per_gpu_hour / in.run_months : 0.0;
  plan.spend = c * flops;
  return plan;
}

}  // namespace cm
