#include "agents/share_calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

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

namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kMinusInfinity) return b;
  if (b == kMinusInfinity) return a;
  const double top = std::max(a, b);
  return top + std::log1p(std::exp(-std::fabs(a - b)));
}

// log(1 / (1 + exp(x))), without overflow.
double log_logistic_complement(double x) { return x > 0 ? -x - std::log1p(std::exp(-x)) : -std::log1p(std::exp(x)); }

}  // namespace

// The renewal chain of choice_model.hpp with y_j = exp(u_j / mu) for the clouds, Y = sum y_j,
// K = exp(lambda / mu) - 1. A firm at cloud c sees the nest sum Z_c = Y + K y_c and stays in the cloud
// nest with q_c = Z_c^mu / (e^u_0 + Z_c^mu); an on-premises firm sees Z_0 = Y and q_0 = Y^mu /
// (e^(u_0 + lambda) + Y^mu); with a repatriation cost R, e^u_0 in q_c becomes e^(u_0 - R). It moves to cloud j with q_c y_j (1 + K [j = c]) / Z_c. The balance of cloud j is then
//     pi_j = A y_j + pi_j K y_j q_j / Z_j,   A = sum_c pi_c q_c / Z_c   (c over all options),
// so pi_j = A y_j / d_j with d_j = 1 - (K y_j / Z_j) q_j = a + b (1 - a), a = Y / Z_j, b = 1 - q_j (no
// cancellation), and the on-premises balance gives pi_0 q_0 = sum_c pi_c (1 - q_c). Everything in logs.
std::vector<double> stationary_log_shares(const ChoiceSet& set, double switching_cost) {
  const std::size_t n = set.utility.size();
  const double mu = set.nesting, lambda = switching_cost, u0 = set.utility[0];
  std::vector<double> log_pi(n, kMinusInfinity);
  double log_y_total = kMinusInfinity;
  for (std::size_t j = 1; j < n; ++j)
    if (set.available[j]) log_y_total = log_add(log_y_total, set.utility[j] / mu);
  if (log_y_total == kMinusInfinity) {
    log_pi[0] = 0;
    return log_pi;
  }
  const double x = lambda / mu;  // log K = log(expm1(x))
  const double log_k = x <= 0 ? kMinusInfinity : (x > 1 ? x + std::log1p(-std::exp(-x)) : std::log(std::expm1(x)));
  double log_out = kMinusInfinity;  // log sum_c pi_c (1 - q_c), pi unnormalised (A = 1)
  for (std::size_t j = 1; j < n; ++j) {
    if (!set.available[j]) continue;
    const double log_y = set.utility[j] / mu;
    const double log_z = log_add(log_y_total, log_k + log_y);
    const double a = std::exp(log_y_total - log_z);
    // A cloud firm sees on-premises at u_0 - R (the repatriation cost).
    const double log_b = log_logistic_complement(mu * log_z - (u0 - set.repatriation_cost));  // log(1 - q_j)
    const double b = std::exp(log_b);
    log_pi[j] = log_y - std::log(a + b * (1 - a));
    log_out = log_add(log_out, log_pi[j] + log_b);
  }
  const double log_q0 = log_logistic_complement(u0 + lambda - mu * log_y_total);
  log_pi[0] = log_out - log_q0;
  double log_total = kMinusInfinity;
  for (double l : log_pi) log_total = log_add(log_total, l);
  for (double& l : log_pi) l -= log_total;
  return log_pi;
}

namespace {

// Solves a x = b in place (dense, partial pivoting); false if singular.
bool solve_dense(std::vector<double>& a, std::vector<double>& b, std::size_t n) {
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::fabs(a[r * n + col]) > std::fabs(a[pivot * n + col])) pivot = r;
    if (!(std::fabs(a[pivot * n + col]) > 1e-300)) return false;
    if (pivot != col) {
      for (std::size_t c = 0; c < n; ++c) std::swap(a[col * n + c], a[pivot * n + c]);
      std::swap(b[col], b[pivot]);
    }
    for (std::size_t r = col + 1; r < n; ++r) {
      const double f = a[r * n + col] / a[col * n + col];
      if (f == 0) continue;
      for (std::size_t c = col; c < n; ++c) a[r * n + c] -= f * a[col * n + c];
      b[r] -= f * b[col];
    }
  }
  for (std::size_t r = n; r-- > 0;) {
    double s = b[r];
    for (std::size_t c = r + 1; c < n; ++c) s -= a[r * n + c] * b[c];
    b[r] = s / a[r * n + r];
  }
  return std::all_of(b.begin(), b.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

CalibrationResult calibrate_intercepts_detailed(std::span<const double> target, const std::vector<char>& available,
                                                double switching_cost, double nesting, double repatriation_cost) {
  const std::size_t n = target.size();
  if (!(nesting > 0 && nesting <= 1)) throw std::invalid_argument("calibrate_intercepts: nesting must be in (0, 1]");
  if (!(switching_cost >= 0 && std::isfinite(switching_cost)))
    throw std::invalid_argument("calibrate_intercepts: switching cost must be finite and >= 0");
  for (std::size_t j = 0; j < n; ++j)
    if ((available[j] || j == 0) && !(target[j] > 0))
      throw std::invalid_argument("calibrate_intercepts: every available option needs a target share > 0");
  if (!(repatriation_cost >= 0 && std::isfinite(repatriation_cost)))
    throw std::invalid_argument("calibrate_intercepts: repatriation cost must be finite and >= 0");
  ChoiceSet set{std::vector<double>(n, 0.0), available, nesting, repatriation_cost};
  set.available[0] = 1;
  std::vector<std::size_t> free;  // the available clouds: the unknowns
  double cloud_total = 0;
  for (std::size_t j = 1; j < n; ++j)
    if (set.available[j]) {
      free.push_back(j);
      cloud_total += target[j];
    }
  CalibrationResult result{set.utility, 0, 0.0};
  if (free.empty()) return result;
  const std::size_t m = free.size();
  std::vector<double> log_target(n, kMinusInfinity);
  for (std::size_t j = 0; j < n; ++j)
    if (set.available[j]) log_target[j] = std::log(target[j]);
  // Start from the answer without switching costs (exact for lambda = 0): the nest holds
  // cloud_total / t_0 = Y^mu against on-premises, and clouds split the nest as y_j / Y.
  for (std::size_t j : free)
    set.utility[j] = std::log(cloud_total / target[0]) + nesting * std::log(target[j] / cloud_total);

  // Residual: g_j = log(pi_j / pi_0) - log(t_j / t_0) for the free clouds; zero at the answer.
  auto residual = [&](const std::vector<double>& utility, std::vector<double>& g) {
    ChoiceSet trial{utility, set.available, nesting, repatriation_cost};
    const auto log_pi = stationary_log_shares(trial, switching_cost);
    double worst = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t j = free[i];
      g[i] = (log_pi[j] - log_pi[0]) - (log_target[j] - log_target[0]);
      worst = std::max(worst, std::fabs(g[i]));
    }
    return std::isfinite(worst) ? worst : std::numeric_limits<double>::infinity();
  };
  auto norm2 = [](const std::vector<double>& g) {
    double s = 0;
    for (double v : g) s += v * v;
    return s;
  };

  // Newton's method with a finite-difference Jacobian (central differences; each residual costs
  // O(options)) and a backtracking line search on |g|^2. The residual is computed in logs without
  // cancellation, so it reaches ~1e-13 in practice; kTolerance leaves room for rounding.
  constexpr double kTolerance = 1e-12;
  constexpr double kFloor = 1e-9;  // accepted if rounding stalls the search below this
  std::vector<double> g(m), g_trial(m), g_plus(m), g_minus(m), jac(m * m), step(m);
  double worst = residual(set.utility, g);
  for (int iteration = 1; iteration <= 200; ++iteration) {
    result.iterations = iteration - 1;
    result.residual = worst;
    if (worst < kTolerance) {
      result.intercepts = set.utility;
      return result;
    }
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t jk = free[k];
      const double h = 1e-6 * std::max(1.0, std::fabs(set.utility[jk]));
      std::vector<double> u = set.utility;
      u[jk] = set.utility[jk] + h;
      residual(u, g_plus);
      u[jk] = set.utility[jk] - h;
      residual(u, g_minus);
      for (std::size_t i = 0; i < m; ++i) jac[i * m + k] = (g_plus[i] - g_minus[i]) / (2 * h);
    }
    for (std::size_t i = 0; i < m; ++i) step[i] = -g[i];
    if (!solve_dense(jac, step, m)) {
      // Singular Jacobian (should not happen): fall back to the fixed-point direction.
      for (std::size_t i = 0; i < m; ++i) step[i] = -nesting * g[i];
    }
    const double base = norm2(g);
    bool moved = false;
    for (double alpha = 1.0; alpha > 1e-10; alpha *= 0.5) {
      std::vector<double> u = set.utility;
      for (std::size_t i = 0; i < m; ++i) u[free[i]] += alpha * step[i];
      const double w = residual(u, g_trial);
      if (std::isfinite(w) && norm2(g_trial) < (1 - 1e-4 * alpha) * base) {
        set.utility = u;
        g = g_trial;
        worst = w;
        moved = true;
        break;
      }
    }
    if (!moved) {
      if (worst < kFloor) {  // rounding noise: as close as doubles get
        result.intercepts = set.utility;
        return result;
      }
      break;
    }
  }
  char message[200];
  std::snprintf(message, sizeof message,
                "calibrate_intercepts: no convergence (switching cost %g, nesting %g, residual %.3g after %d "
                "iterations)",
                switching_cost, nesting, worst, result.iterations);
  throw std::runtime_error(message);
}

std::vector<double> calibrate_intercepts(std::span<const double> target, const std::vector<char>& available,
                                         double switching_cost, double nesting, double repatriation_cost) {
  return calibrate_intercepts_detailed(target, available, switching_cost, nesting, repatriation_cost).intercepts;
}

}  // namespace cm
