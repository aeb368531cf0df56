#pragma once
// Calibrating the choice model to observed shares.
//
// At each renewal a firm re-chooses among its options (0 = on-premises, 1..V = vendors) with a
// switching-cost bonus lambda for the option it holds: a Markov chain over a firm's supplier. We
// pick the intercepts xi (xi_0 = 0) that make this chain stationary at the target shares, so a
// scenario started at its observed shares stays there while prices do not move.
//
// For the plain logit (mu = 1) the stationary distribution has a closed form,
//     pi_j  proportional to  x_j (S + k x_j),   x_j = exp(xi_j),  S = sum_l x_l,  k = exp(lambda) - 1,
// so large suppliers are stickier than plain logit shares suggest. The nested logit has a similar
// explicit form (stationary_log_shares, derived in share_calibration.cpp); the calibration solves
// for the intercepts with Newton's method on it, in logs, over the whole documented range
// (nesting in [0.05, 1], switching cost in [0, 20], shares down to the smallest doubles).
#include <span>
#include <vector>

#include "agents/choice_model.hpp"

namespace cm {

std::vector<double> stationary_shares(std::span<const double> intercepts, double switching_cost);

// Log of the stationary distribution of the renewal chain (options not available: -inf), computed
// in O(options) without cancellation. Equal to stationary_distribution(RenewalTable(set, lambda))
// in exact arithmetic, and accurate to rounding where that dense solve loses digits (a large
// switching cost makes the chain nearly decomposable).
std::vector<double> stationary_log_shares(const ChoiceSet& set, double switching_cost);

struct CalibrationResult {
  std::vector<double> intercepts;
  int iterations = 0;     // Newton steps taken
  double residual = 0.0;  // max |log(pi_j / pi_0) - log(t_j / t_0)| at the answer
};

// target[j] > 0 for every available option, 0 for unavailable ones. Returns the intercepts as
// utilities (unavailable options keep utility 0 and stay unavailable). Throws std::runtime_error if
// the solver does not converge (not seen over the documented range). A repatriation cost (utility
// a cloud firm pays to move on-premises, choice_model.hpp) is part of the chain being made stationary.
CalibrationResult calibrate_intercepts_detailed(std::span<const double> target, const std::vector<char>& available,
                                                double switching_cost, double nesting, double repatriation_cost = 0);
std::vector<double> calibrate_intercepts(std::span<const double> target, const std::vector<char>& available,
                                         double switching_cost, double nesting, double repatriation_cost = 0);

}  // namespace cm
