#include "agents/share_calibration.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "agents/renewal.hpp"

namespace cm {

std::vector<double> stationary_shares(std::span<const double> intercepts, double switching_cost) {
  const double k = std::expm1(switching_cost);
  std::vector<double> x(intercepts.size());
  for (std::size_t j = 0; j < x.size(); ++j) x[j] = std::exp(intercepts[j]);
  const double s = std::accumulate(x.begin(), x.end(), 0.0);
  std::vector<double> pi(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) pi[j] = x[j] * (s + k * x[j]);
  const double total = std::accumulate(pi.begin(), pi.end(), 0.0);
  for (double& p : pi) p /= total;
  return pi;
}

std::vector<double> calibrate_intercepts(std::span<const double> target, const std::vector<char>& available,
                                         double switching_cost, double nesting) {
  const std::size_t n = target.size();
  for (std::size_t j = 0; j < n; ++j)
    if ((available[j] || j == 0) && !(target[j] > 0))
      throw std::invalid_argument("calibrate_intercepts: every available option needs a target share > 0");
  ChoiceSet set{std::vector<double>(n, 0.0), available, nesting};
  set.available[0] = 1;
  for (std::size_t j = 1; j < n; ++j)
    if (set.available[j]) set.utility[j] = std::log(target[j] / target[0]);  // the plain-logit answer
  // Damped fixed point xi_j += step * log(target_j / pi_j): shares respond to xi with slope between
  // 1 and (1 + stickiness) / mu, so a step of mu / 2 never overshoots.
  const double step = 0.5 * nesting;
  for (int iteration = 0; iteration < 100000; ++iteration) {
    const auto pi = stationary_distribution(RenewalTable(set, switching_cost));
    double worst = 0;
    for (std::size_t j = 1; j < n; ++j) {
      if (!set.available[j]) continue;
      const double gap = std::log(target[j] / pi[j]) - std::log(target[0] / pi[0]);
      worst = std::max(worst, std::fabs(gap));
      set.utility[j] += step * gap;
    }
    if (worst < 1e-11) return set.utility;
  }
  throw std::runtime_error("calibrate_intercepts: no convergence (switching cost " + std::to_string(switching_cost) +
                           ", nesting " + std::to_string(nesting) + ")");
}

}  // namespace cm
