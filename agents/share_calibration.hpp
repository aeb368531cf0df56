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
// so large suppliers are stickier than plain logit shares suggest. The general case (nested logit,
// unavailable options) is solved numerically; the closed form checks it.
#include <span>
#include <vector>

#include "agents/choice_model.hpp"

namespace cm {

std::vector<double> stationary_shares(std::span<const double> intercepts, double switching_cost);

// target[j] > 0 for every available option, 0 for unavailable ones. Returns the intercepts as
// utilities (unavailable options keep utility 0 and stay unavailable).
std::vector<double> calibrate_intercepts(std::span<const double> target, const std::vector<char>& available,
                                         double switching_cost, double nesting);

}  // namespace cm
