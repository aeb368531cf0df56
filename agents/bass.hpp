#pragma once
// Bass diffusion: the adopted fraction F of a population with innovation p and imitation q (per
// year) follows dF/dt = (p + q F)(1 - F). With F(0) = 0 its solution is
//     F(t) = (1 - e^{-(p+q) t}) / (1 + (q/p) e^{-(p+q) t}).
// bass_step moves any F exactly along that flow for dt years, so a simulation that applies it to
// its realised adopted fraction each month tracks the closed form up to sampling noise.
#include <cmath>

namespace cm {

inline double bass_fraction(double p, double q, double t_years) {
  const double x = std::exp(-(p + q) * t_years);
  return (1 - x) / (1 + (q / p) * x);
}

inline double bass_step(double p, double q, double fraction, double dt_years) {
  // Position on the closed-form path: x = e^{-(p+q) t} solves F = (1 - x) / (1 + (q/p) x).
  const double x = (1 - fraction) / (1 + (q / p) * fraction);
  const double x_next = x * std::exp(-(p + q) * dt_years);
  return (1 - x_next) / (1 + (q / p) * x_next);
}

}  // namespace cm
