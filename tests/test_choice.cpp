// The choice model against theory: nested logit probabilities, the stationary distribution of
// the renewal chain, and its calibration to target shares.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "agents/choice_model.hpp"
#include "agents/renewal.hpp"
#include "agents/share_calibration.hpp"
#include "tests/support/renewal_chain.hpp"

using namespace cm;
using cm::test::chain_stationary;

namespace {

ChoiceSet plain(std::vector<double> u, double nesting = 1.0) {
  return ChoiceSet{u, std::vector<char>(u.size(), 1), nesting};
}


}  // namespace

TEST_CASE("logit probabilities sum to one and follow utility differences", "[choice]") {
  const std::vector<double> u{0.0, 1.0, 2.0, 1000.0 - 998.0};
  std::vector<double> p(u.size());
  choice_probabilities(plain(u), Supplier(-1), 0.0, p);
  CHECK(std::accumulate(p.begin(), p.end(), 0.0) == Approx(1.0));
  CHECK(p[2] / p[1] == Approx(std::exp(1.0)));
  CHECK(inclusive_value(plain(u)) == Approx(std::log(1 + std::exp(1.0) + 2 * std::exp(2.0))));
  const std::vector<double> huge{0.0, 800.0, 801.0};  // no overflow
  CHECK(std::isfinite(inclusive_value(plain(huge))));
  choice_probabilities(plain(huge), Supplier(-1), 0.0, std::span<double>(p.data(), 3));
  CHECK(p[2] / p[1] == Approx(std::exp(1.0)));
}

TEST_CASE("nested logit: mu = 1 is the plain logit; mu < 1 follows the nested formula", "[choice]") {
  const std::vector<double> u{0.0, 0.5, 1.0, -0.3};
  std::vector<double> nested(4);
  choice_probabilities(plain(u), Supplier(-1), 0.0, nested);
  const double total = 1 + std::exp(0.5) + std::exp(1.0) + std::exp(-0.3);  // the plain logit by hand
  for (int j = 0; j < 4; ++j) CHECK(nested[j] == Approx(std::exp(u[j]) / total).epsilon(1e-12));

  const double mu = 0.4;
  choice_probabilities(plain(u, mu), Supplier(-1), 0.0, nested);
  const double d = std::exp(0.5 / mu) + std::exp(1.0 / mu) + std::exp(-0.3 / mu);
  const double p_cloud = std::pow(d, mu) / (1 + std::pow(d, mu));
  CHECK(nested[0] == Approx(1 - p_cloud).epsilon(1e-12));
  CHECK(nested[2] == Approx(p_cloud * std::exp(1.0 / mu) / d).epsilon(1e-12));
  CHECK(inclusive_value(plain(u, mu)) == Approx(std::log(1 + std::pow(d, mu))).epsilon(1e-12));
}

TEST_CASE("unavailable options are never chosen and the switching bonus keeps customers", "[choice]") {
  ChoiceSet set = plain({0.0, 0.5, 2.0, 0.1}, 0.7);
  set.available[2] = 0;
  std::vector<double> p(4), split(4);
  choice_probabilities(set, 1, 1.0, p);
  CHECK(p[2] == 0.0);
  CHECK(std::accumulate(p.begin(), p.end(), 0.0) == Approx(1.0));
  std::vector<double> fresh(4);
  choice_probabilities(set, Supplier(-1), 0.0, fresh);
  CHECK(p[1] > fresh[1]);
  cloud_split(set, 1, 1.0, split);
  CHECK(split[0] == 0.0);
  CHECK(split[2] == 0.0);
  CHECK(split[1] + split[3] == Approx(1.0));
  choice_probabilities(set, 2, 1.0, p);  // a firm whose vendor left must move
  CHECK(p[2] == 0.0);
}

TEST_CASE("the closed-form stationary shares match the renewal chain", "[choice]") {
  const std::vector<double> xi{0.0, 1.2, -0.4, 0.3};
  for (double lambda : {0.0, 0.7, 2.5}) {
    const RenewalTable table(plain(xi), lambda);
    const auto closed = stationary_shares(xi, lambda);
    const auto solved = stationary_distribution(table);
    const auto iterated = chain_stationary(table);
    for (std::size_t j = 0; j < xi.size(); ++j) {
      CHECK(closed[j] == Approx(iterated[j]).epsilon(1e-9));
      CHECK(solved[j] == Approx(iterated[j]).epsilon(1e-9));
    }
  }
}

TEST_CASE("calibrated intercepts make the chain stationary at the target shares", "[choice]") {
  const std::vector<double> target{0.4, 0.6 * 0.40, 0.6 * 0.215, 0.6 * 0.077, 0.6 * 0.075, 0.6 * 0.044, 0.6 * 0.189};
  const std::vector<char> all(target.size(), 1);
  for (double mu : {1.0, 0.5}) {
    for (double lambda : {0.0, 0.5, 1.5, 4.0}) {
      const auto xi = calibrate_intercepts(target, all, lambda, mu);
      CHECK(xi[0] == 0.0);
      const auto pi = chain_stationary(RenewalTable(ChoiceSet{xi, all, mu}, lambda));
      for (std::size_t j = 0; j < target.size(); ++j) CHECK(pi[j] == Approx(target[j]).epsilon(1e-8));
    }
  }
  // An unavailable vendor (a domestic-only segment) keeps a zero share.
  std::vector<double> partial{0.5, 0.3, 0.0, 0.2};
  std::vector<char> some{1, 1, 0, 1};
  const auto xi = calibrate_intercepts(partial, some, 1.0, 0.8);
  const auto pi = stationary_distribution(RenewalTable(ChoiceSet{xi, some, 0.8}, 1.0));
  CHECK(pi[2] == Approx(0.0).margin(1e-15));
  CHECK(pi[1] == Approx(0.3).epsilon(1e-8));
}

TEST_CASE("a renewal table picks options in proportion to their probabilities", "[choice]") {
  const RenewalTable table(plain({0.0, 0.5, 1.0}, 0.6), 1.0);
  const RandomStream stream(3, "test", "renewal");
  std::vector<int> count(3, 0);
  const int n = 300000;
  for (int i = 0; i < n; ++i) ++count[table.choose(1, stream.uniform(i, 0))];
  for (Supplier j = 0; j < 3; ++j) CHECK(double(count[j]) / n == Approx(table.probability(1, j)).margin(0.004));
  CHECK(table.probability(1, 1) > table.probability(0, 1));  // the switching cost keeps customers
}

namespace {

// An independent stationary distribution for the calibration tests: the renewal chain's transition
// matrix written from the nested-logit formula in long double, solved by the GTH algorithm
// (Grassmann, Taksar and Heyman 1985: state reduction without subtraction, accurate to rounding
// even for a nearly decomposable chain, as a large switching cost makes it).
std::vector<long double> gth_stationary(const std::vector<double>& u, const std::vector<char>& available, double lambda,
                                        double mu) {
  const std::size_t n = u.size();
  std::vector<long double> p(n * n, 0.0L);
  for (std::size_t c = 0; c < n; ++c) {
    if (c != 0 && !available[c]) continue;
    long double nest = 0;
    for (std::size_t j = 1; j < n; ++j)
      if (available[j]) nest += std::exp((u[j] + (j == c ? lambda : 0.0)) / (long double)mu);
    const long double cloud = std::exp(mu * std::log(nest)), outside = std::exp(u[0] + (c == 0 ? lambda : 0.0));
    p[c * n] = outside / (outside + cloud);
    for (std::size_t j = 1; j < n; ++j)
      if (available[j])
        p[c * n + j] = cloud / (outside + cloud) * std::exp((u[j] + (j == c ? lambda : 0.0)) / (long double)mu) / nest;
  }
  std::vector<std::size_t> states;
  for (std::size_t j = 0; j < n; ++j)
    if (j == 0 || available[j]) states.push_back(j);
  const std::size_t m = states.size();
  std::vector<long double> a(m * m);
  for (std::size_t r = 0; r < m; ++r)
    for (std::size_t c = 0; c < m; ++c) a[r * m + c] = p[states[r] * n + states[c]];
  for (std::size_t k = m; k-- > 1;) {  // eliminate state k
    long double out = 0;
    for (std::size_t j = 0; j < k; ++j) out += a[k * m + j];
    for (std::size_t i = 0; i < k; ++i) {
      const long double f = a[i * m + k] / out;
      for (std::size_t j = 0; j < k; ++j) a[i * m + j] += f * a[k * m + j];
    }
    for (std::size_t j = 0; j < k; ++j) a[j * m + k] /= out;  // reuse the column for back substitution
  }
  std::vector<long double> pi(m, 0.0L);
  pi[0] = 1;
  long double total = 1;
  for (std::size_t k = 1; k < m; ++k) {
    long double s = 0;
    for (std::size_t i = 0; i < k; ++i) s += pi[i] * a[i * m + k];
    pi[k] = s;
    total += s;
  }
  std::vector<long double> full(n, 0.0L);
  for (std::size_t k = 0; k < m; ++k) full[states[k]] = pi[k] / total;
  return full;
}

}  // namespace

TEST_CASE("the independent GTH solution matches the dense solve where that is accurate", "[choice]") {
  const std::vector<double> u{0.0, 0.4, -0.2, 0.9, 0.1};
  const std::vector<char> some{1, 1, 0, 1, 1};
  for (double mu : {1.0, 0.6, 0.05}) {
    const auto dense = stationary_distribution(RenewalTable(ChoiceSet{u, some, mu}, 1.5));
    const auto gth = gth_stationary(u, some, 1.5, mu);
    for (std::size_t j = 0; j < u.size(); ++j) CHECK(double(gth[j]) == Approx(dense[j]).margin(1e-13));
  }
}

TEST_CASE("stationary_log_shares is the stationary distribution of the renewal chain", "[choice]") {
  const std::vector<double> u{0.3, 0.4, -0.2, 0.9, 0.1};
  const std::vector<char> some{1, 1, 0, 1, 1};
  for (double mu : {1.0, 0.6, 0.2, 0.05})
    for (double lambda : {0.0, 1.0, 5.0, 20.0}) {
      const auto log_pi = stationary_log_shares(ChoiceSet{u, some, mu}, lambda);
      const auto gth = gth_stationary(u, some, lambda, mu);
      CHECK(log_pi[2] == -std::numeric_limits<double>::infinity());
      for (std::size_t j : {0, 1, 3, 4}) CHECK(std::exp(log_pi[j]) == Approx(double(gth[j])).epsilon(1e-11));
    }
}

TEST_CASE("calibration reproduces the target shares over the documented nesting and switching-cost range",
          "[choice]") {
  // The realistic shares of a shipped scenario, an extreme split (one share of 1e-12, one of
  // 1e-300 and two near-halves) and a domestic-only segment with an unavailable vendor.
  const std::vector<double> realistic{0.4, 0.6 * 0.40, 0.6 * 0.215, 0.6 * 0.077, 0.6 * 0.075, 0.6 * 0.044,
                                      0.6 * 0.189};
  const std::vector<double> extreme{1e-12, 0.5, 0.5 - 1e-12 - 1e-300, 1e-300};
  const std::vector<double> mostly_cloud{1e-9, 0.3, 0.0, 0.7 - 1e-9};
  const std::vector<std::pair<std::vector<double>, std::vector<char>>> cases{
      {realistic, std::vector<char>(realistic.size(), 1)},
      {extreme, std::vector<char>(extreme.size(), 1)},
      {mostly_cloud, {1, 1, 0, 1}},
  };
  int worst_iterations = 0;
  for (const auto& [target, available] : cases)
    for (double mu : {0.05, 0.1, 0.5, 1.0})
      for (double lambda : {0.0, 1.5, 20.0}) {
        INFO("nesting " << mu << ", switching cost " << lambda << ", " << target.size() << " options");
        CalibrationResult r;
        REQUIRE_NOTHROW(r = calibrate_intercepts_detailed(target, available, lambda, mu));
        worst_iterations = std::max(worst_iterations, r.iterations);
        CHECK(r.intercepts[0] == 0.0);
        CHECK(r.residual < 1e-11);
        const auto pi = gth_stationary(r.intercepts, available, lambda, mu);
        for (std::size_t j = 0; j < target.size(); ++j) {
          if (!available[j]) {
            CHECK(pi[j] == 0.0L);
            continue;
          }
          CHECK(double(pi[j] / target[j]) == Approx(1.0).epsilon(1e-9));
        }
      }
  CHECK(worst_iterations <= 10);
}

TEST_CASE("calibration of many vendors at the smallest nesting is fast", "[choice]") {
  std::vector<double> target(257);
  target[0] = 0.5;
  double clouds = 0;
  for (std::size_t j = 1; j < target.size(); ++j) clouds += target[j] = 1 + 0.5 * std::sin(double(j));
  for (std::size_t j = 1; j < target.size(); ++j) target[j] *= 0.5 / clouds;
  const auto r = calibrate_intercepts_detailed(target, std::vector<char>(target.size(), 1), 20.0, 0.05);
  CHECK(r.residual < 1e-11);
  CHECK(r.iterations <= 10);
}
