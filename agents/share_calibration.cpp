#include "agents/share_calibration.hpp"

#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

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

std::vector<double> calibrate_intercepts(std::span<const double> target, double switching_cost) {
  for (double t : target)
    if (!(t > 0)) throw std::invalid_argument("calibrate_intercepts: every target share must be > 0");
  const double k = std::expm1(switching_cost);
  const double pi0 = target[0];
  // Given S, the normalisation x_0 = 1 fixes the scale c = (S + k) / pi_0, and each x_j solves
  // k x^2 + S x - c pi_j = 0. The root in S of sum_j x_j(S) - S = 0 is the calibration.
  auto weights = [&](double s) {
    std::vector<double> x(target.size());
    const double c = (s + k) / pi0;
    for (std::size_t j = 0; j < x.size(); ++j)
      x[j] = k > 1e-12 ? 2 * c * target[j] / (s + std::sqrt(s * s + 4 * k * c * target[j])) : c * target[j] / s;
    return x;
  };
  auto gap = [&](double s) {
    const auto x = weights(s);
    return std::accumulate(x.begin(), x.end(), 0.0) - s;
  };
  double lo = 1.0, hi = 1.0;
  while (gap(hi) > 0) hi *= 2;  // gap > 0 for small S and < 0 for large S
  while (gap(lo) < 0) lo /= 2;
  std::uintmax_t iterations = 200;
  const auto [a, b] =
      boost::math::tools::toms748_solve(gap, lo, hi, boost::math::tools::eps_tolerance<double>(50), iterations);
  const auto x = weights((a + b) / 2);
  std::vector<double> xi(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) xi[j] = std::log(x[j] / x[0]);
  return xi;
}

}  // namespace cm
