// Rationing priced on the demand side (agents/rationing.hpp) against closed forms and an
// independent solution: a two-product vendor whose GPU capacity binds prices its GPU at the
// clearing price, above its unconstrained best response, instead of cutting it to win customers
// for its other product with GPUs it cannot deliver.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "agents/customer_value.hpp"
#include "agents/pricing_strategy.hpp"
#include "agents/rationing.hpp"

using namespace cm;

TEST_CASE("the expected cost per unit wanted: list price when served, the fallback for the rest", "[rationing]") {
  CHECK(rationed_price(1.3, 1.0, 1.0, 1.0) == 1.3);  // exactly: no rationing, no change
  CHECK(rationed_price(1.3, 0.25, 1.0, 1.0) == Approx(0.25 * 1.3 + 0.75 * 2.0).epsilon(1e-15));
  CHECK(rationed_price(1.3, 0.0, 1.0, 1.0) == Approx(2.0).epsilon(1e-15));
  // The fallback is never below the list price: a customer would not pay the vendor more.
  CHECK(fallback_price(3.0, 1.0, 1.0) == 3.0);
  CHECK(rationed_price(3.0, 0.5, 1.0, 1.0) == Approx(3.0).epsilon(1e-15));
}

TEST_CASE("the steady fill solves f = min(1, K / Q(f))", "[rationing]") {
  // Q(f) = a + b f: f (a + b f) = K  =>  f = (-a + sqrt(a^2 + 4 b K)) / (2 b).
  const double a = 50, b = 100;
  for (double K : {10.0, 60.0, 140.0}) {
    const double expected = (-a + std::sqrt(a * a + 4 * b * K)) / (2 * b);
    CHECK(steady_fill([&](double f) { return a + b * f; }, K) == Approx(expected).epsilon(1e-9));
  }
  CHECK(steady_fill([&](double f) { return a + b * f; }, 150.0) == 1.0);  // Q(1) = K: all served
  CHECK(steady_fill([&](double f) { return a + b * f; }, 1e6) == 1.0);
}

namespace {

// One vendor against on-premises (logit), selling a CPU product at a fixed price and a GPU at p.
// Firms hold budget B with shares w_cpu, w_gpu (reference prices 1, fixed spend: units = spend /
// price) and see the index w_cpu p_cpu + w_gpu e(p, f).
struct TwoProductVendor {
  double xi = 0.5, alpha = 4.0, w_cpu = 0.8, w_gpu = 0.2, budget = 100.0;
  double p_cpu = 1.0, c_cpu = 0.3, c_gpu = 0.8, premium = 1.0;

  double share(double p, double f) const {
    const double u = xi - alpha * (w_cpu * p_cpu + w_gpu * rationed_price(p, f, 1.0, premium) - 1.0);
    return std::exp(u) / (1.0 + std::exp(u));
  }
  double gpu_units(double p, double f) const { return budget * share(p, f) * w_gpu / p; }
  // The vendor's profit at GPU price p with capacity K, customers seeing the steady fill.
  double profit(double p, double K) const {
    const double f = steady_fill([&](double x) { return gpu_units(p, x); }, K);
    const double s = share(p, f);
    return capped_profit(p, c_gpu, gpu_units(p, f), K) + budget * s * w_cpu * (1.0 - c_cpu / p_cpu);
  }
};

// Independent: the clearing price D(p, 1) = K by bisection (demand falls in p).
double clearing_price(const TwoProductVendor& m, double K) {
  double lo = m.c_gpu, hi = 20.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (m.gpu_units(mid, 1.0) > K ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Independent: the unconstrained best response by a fine scan, everything served.
double unconstrained_price(const TwoProductVendor& m) {
  double best = m.c_gpu, best_profit = -std::numeric_limits<double>::infinity();
  for (double p = m.c_gpu; p < 6.0; p += 1e-5) {
    const double profit = (p - m.c_gpu) * m.gpu_units(p, 1.0) + m.budget * m.share(p, 1.0) * m.w_cpu * (1.0 - m.c_cpu);
    if (profit > best_profit) best_profit = profit, best = p;
  }
  return best;
}

}  // namespace

TEST_CASE("a binding GPU capacity raises the best-response price to the clearing price", "[rationing]") {
  const TwoProductVendor m;
  const double p_free = unconstrained_price(m);
  const double K = 0.6 * m.gpu_units(p_free, 1.0);  // capacity at 60% of what the free price draws
  const double p_clear = clearing_price(m, K);
  REQUIRE(p_clear > 1.05 * p_free);
  const double p_star = maximise_profit([&](double p) { return m.profit(p, K); }, m.c_gpu, 6.0);
  CHECK(p_star == Approx(p_clear).epsilon(1e-4));
  CHECK(m.gpu_units(p_star, steady_fill([&](double f) { return m.gpu_units(p_star, f); }, K)) ==
        Approx(K).epsilon(1e-3));

  // Slack capacity changes nothing.
  CHECK(maximise_profit([&](double p) { return m.profit(p, 10 * K); }, m.c_gpu, 6.0) == Approx(p_free).epsilon(1e-4));

  // Unpriced rationing (the fallback at the list price: a GPU the vendor cannot deliver still
  // lowers the index by its list price) makes the vendor cut below the clearing price to win CPU
  // customers, which is what pricing rationing prevents.
  TwoProductVendor unpriced = m;
  unpriced.premium = -1.0;  // fallback = max(p, 0) = p
  const double p_unpriced = maximise_profit([&](double p) { return unpriced.profit(p, K); }, m.c_gpu, 6.0);
  CHECK(p_unpriced < 0.97 * p_clear);
}
