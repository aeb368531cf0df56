#pragma once
// Calibrating the choice model to observed shares.
//
// At each renewal a firm re-chooses among its options (0 = on-premises, 1..V = vendors) by logit
// with utility xi_j, plus a switching-cost bonus lambda for the option it already has. This is a
// Markov chain over a firm's supplier. Its stationary distribution has a closed form,
//     pi_j  proportional to  x_j (S + k x_j),   x_j = exp(xi_j),  S = sum_l x_l,  k = exp(lambda) - 1,
// so large suppliers are stickier than plain logit shares suggest. We pick the intercepts xi that
// make the chain stationary at the target shares (with xi_0 = 0), so that a scenario started at
// its observed shares stays there while prices are unchanged.
#include <span>
#include <vector>

namespace cm {

std::vector<double> stationary_shares(std::span<const double> intercepts, double switching_cost);
std::vector<double> calibrate_intercepts(std::span<const double> target_shares, double switching_cost);

}  // namespace cm
