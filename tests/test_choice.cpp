// The choice model against theory: logit probabilities, the stationary distribution of the
// renewal chain, and its calibration to target shares.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <vector>

#include "agents/logit.hpp"
#include "agents/renewal.hpp"
#include "agents/share_calibration.hpp"

using namespace cm;

TEST_CASE("logit probabilities sum to one and follow utility differences", "[choice]") {
  const std::vector<double> u{0.0, 1.0, 2.0, 1000.0 - 998.0};
  std::vector<double> p(u.size());
  logit_probabilities(u, p);
  CHECK(std::accumulate(p.begin(), p.end(), 0.0) == Approx(1.0));
  CHECK(p[2] / p[1] == Approx(std::exp(1.0)));
  CHECK(inclusive_value(u) == Approx(std::log(1 + std::exp(1.0) + 2 * std::exp(2.0))));
  const std::vector<double> huge{800.0, 801.0};  // no overflow
  CHECK(std::isfinite(inclusive_value(huge)));
}

// Power iteration of the renewal chain, computed from the transition table alone.
static std::vector<double> chain_stationary(const RenewalTable& table) {
  const std::size_t n = table.options();
  std::vector<double> pi(n, 1.0 / double(n)), next(n);
  for (int it = 0; it < 20000; ++it) {
    std::fill(next.begin(), next.end(), 0.0);
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t j = 0; j < n; ++j) next[j] += pi[k] * table.probability(Supplier(k), Supplier(j));
    pi.swap(next);
  }
  return pi;
}

TEST_CASE("the closed-form stationary shares match the renewal chain", "[choice]") {
  const std::vector<double> xi{0.0, 1.2, -0.4, 0.3};
  for (double lambda : {0.0, 0.7, 2.5}) {
    const auto closed = stationary_shares(xi, lambda);
    const auto iterated = chain_stationary(RenewalTable(xi, lambda));
    for (std::size_t j = 0; j < xi.size(); ++j) CHECK(closed[j] == Approx(iterated[j]).epsilon(1e-9));
  }
}

TEST_CASE("calibrated intercepts make the chain stationary at the target shares", "[choice]") {
  const std::vector<double> target{0.4, 0.6 * 0.40, 0.6 * 0.215, 0.6 * 0.077, 0.6 * 0.075, 0.6 * 0.044, 0.6 * 0.189};
  for (double lambda : {0.0, 0.5, 1.5, 4.0}) {
    const auto xi = calibrate_intercepts(target, lambda);
    CHECK(xi[0] == 0.0);
    const auto pi = chain_stationary(RenewalTable(xi, lambda));
    for (std::size_t j = 0; j < target.size(); ++j) CHECK(pi[j] == Approx(target[j]).epsilon(1e-9));
  }
}

TEST_CASE("a renewal table picks options in proportion to their probabilities", "[choice]") {
  const std::vector<double> u{0.0, 0.5, 1.0};
  const RenewalTable table(u, 1.0);
  const RandomStream stream(3, "test", "renewal");
  std::vector<int> count(3, 0);
  const int n = 300000;
  for (int i = 0; i < n; ++i) ++count[table.choose(1, stream.uniform(i, 0))];
  for (Supplier j = 0; j < 3; ++j) CHECK(double(count[j]) / n == Approx(table.probability(1, j)).margin(0.004));
  CHECK(table.probability(1, 1) > table.probability(0, 1));  // the switching cost keeps customers
}
