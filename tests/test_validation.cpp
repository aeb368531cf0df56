// Validation against theory (issue "market economics"). Whole runs on the SimGrid engine: one
// simulation per TEST_CASE, each in its own process under ctest. The theory side is computed here,
// independently of the simulator's own optimiser and calibration.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "agents/bass.hpp"
#include "agents/enterprise_market.hpp"
#include "sim/simulation.hpp"

using namespace cm;

namespace {

struct Collect : RunObserver {
  std::vector<MonthReport> months;
  void on_month(const MonthReport& r, const std::vector<PriceChange>&) override { months.push_back(r); }
};

// A frictionless one-product logit market: unit demand (elasticity 0), no switching cost, every
// firm re-chooses each month, equal budgets, no growth, ample capacity.
Scenario logit_market(const std::vector<double>& cost, const std::vector<double>& price,
                      const std::vector<double>& share, double adoption, PricingRule rule, int years) {
  Scenario sc;
  sc.name = "logit";
  sc.seed = 5;
  sc.time.years = years;
  sc.products = {{"compute", "vcpu_hour", ProductKind::compute}};
  for (std::size_t j = 0; j < cost.size(); ++j) {
    Vendor v;
    v.id = "v" + std::to_string(j);
    v.initial_share = share[j];
    v.cash = 1e12;
    v.datacenters = {{"dc", 1e15}};
    v.offers = {Offer{price[j], cost[j], 1e15, 0.0}};
    v.pricing.strategy = rule;
    v.pricing.review_every = Duration{1, 0};
    v.pricing.reaction_delay = Duration{0, 0};
    sc.vendors.push_back(v);
  }
  Segment seg;
  seg.id = "all";
  seg.firms = 200000;
  seg.budget.distribution = BudgetDistribution::lognormal;
  seg.budget.median = 1.2e6;
  seg.budget.sigma = 0;
  seg.spend_shares = {1.0};
  seg.price_sensitivity = 2.0;
  seg.switching_cost = 0;
  seg.contract_months = 1;
  seg.cloud_adoption = adoption;
  seg.price_elasticity = 0;
  sc.segments = {seg};
  return sc;
}

// The same market in textbook form: u_j = a_j - b p_j, outside option 0, market size M units.
struct Logit {
  std::vector<double> a, c;
  double b, market;
  std::vector<double> shares(const std::vector<double>& p) const {
    double denominator = 1;
    for (std::size_t j = 0; j < p.size(); ++j) denominator += std::exp(a[j] - b * p[j]);
    std::vector<double> s;
    for (std::size_t j = 0; j < p.size(); ++j) s.push_back(std::exp(a[j] - b * p[j]) / denominator);
    return s;
  }
};

Logit textbook(const Scenario& sc) {
  const auto& seg = sc.segments[0];
  double reference = 0;
  for (const auto& v : sc.vendors) reference += v.offers[0].price;
  reference /= double(sc.vendors.size());
  Logit m;
  m.b = seg.price_sensitivity / reference;  // utility per currency unit of price
  for (const auto& v : sc.vendors) {
    // Without switching costs the calibrated intercept is log(s_j / s_0) at the initial prices.
    const double s0 = 1 - seg.cloud_adoption, sj = seg.cloud_adoption * v.initial_share;
    m.a.push_back(std::log(sj / s0) + m.b * v.offers[0].price);
    m.c.push_back(v.offers[0].unit_cost);
  }
  m.market = double(seg.firms) * seg.budget.median / 12.0 / reference;  // units per month
  return m;
}

// Bertrand-Nash of the textbook market: p_j - c_j = 1 / (b (1 - s_j)), by damped fixed point.
std::vector<double> nash(const Logit& m) {
  std::vector<double> p = m.c;
  for (double& x : p) x *= 1.5;
  for (int it = 0; it < 100000; ++it) {
    const auto s = m.shares(p);
    double moved = 0;
    for (std::size_t j = 0; j < p.size(); ++j) {
      const double target = m.c[j] + 1.0 / (m.b * (1.0 - s[j]));
      moved = std::max(moved, std::fabs(target - p[j]));
      p[j] += 0.5 * (target - p[j]);
    }
    if (moved < 1e-14) break;
  }
  return p;
}

void check_converges_to_nash(const std::vector<double>& cost, const std::vector<double>& share) {
  std::vector<double> start;
  for (double c : cost) start.push_back(1.6 * c);
  Scenario sc = logit_market(cost, start, share, 0.6, PricingRule::best_response, 3);
  const auto theory = nash(textbook(sc));
  Collect run;
  simulate(sc, run);
  const auto& last = run.months.back();
  for (std::size_t j = 0; j < cost.size(); ++j) {
    INFO("vendor " << j << ": simulated " << last.price(j, 0) << ", Nash " << theory[j]);
    CHECK(last.price(j, 0) == Approx(theory[j]).epsilon(0.005));
  }
}

}  // namespace

TEST_CASE("best_response pricing converges to the symmetric logit Bertrand-Nash equilibrium", "[validation]") {
  check_converges_to_nash({1.0, 1.0, 1.0}, {1.0 / 3, 1.0 / 3, 1.0 / 3});
}

TEST_CASE("best_response pricing converges to an asymmetric logit Bertrand-Nash equilibrium", "[validation]") {
  check_converges_to_nash({1.0, 1.2, 0.9}, {0.5, 0.3, 0.2});
}

TEST_CASE("fixed prices at the joint-profit optimum earn the monopoly profit", "[validation]") {
  // Symmetric market: a = 1 + b c0... chosen so the collusive price is well inside the grid.
  const double c = 1.0, b = 2.0, a = 3.0;
  const std::size_t n = 3;
  // Joint optimum of n symmetric products: p - c = 1 / (b (1 - S)), S = n s(p).
  double p = 2 * c;
  for (int it = 0; it < 100000; ++it) {
    const double s = std::exp(a - b * p) / (1 + n * std::exp(a - b * p));
    p += 0.5 * (c + 1.0 / (b * (1 - n * s)) - p);
  }
  const double s = std::exp(a - b * p) / (1 + n * std::exp(a - b * p));
  // Build the simulated market at that price: reference price p, so price sensitivity = b * p.
  Scenario sc = logit_market({c, c, c}, {p, p, p}, {1.0 / 3, 1.0 / 3, 1.0 / 3}, n * s, PricingRule::fixed, 2);
  sc.segments[0].price_sensitivity = b * p;
  const Logit m = textbook(sc);
  const double monopoly = double(n) * (p - c) * m.market * s;
  // Nash profit of the same market is lower (collusion pays).
  const auto pn = nash(m);
  const auto sn = m.shares(pn);
  double nash_profit = 0;
  for (std::size_t j = 0; j < n; ++j) nash_profit += (pn[j] - c) * m.market * sn[j];
  CHECK(nash_profit < monopoly);

  Collect run;
  simulate(sc, run);
  double earned = 0;
  for (const auto& month : run.months)
    for (std::size_t j = 0; j < n; ++j) earned += month.revenue(j, 0) - month.cogs(j, 0);
  CHECK(earned / double(run.months.size()) == Approx(monopoly).epsilon(0.01));
}

// Runs Bass adoption month by month on one segment (the market is pure: no engine needed) and
// checks the adopted fraction against the closed form where it is at least `from`.
static void check_bass(std::int64_t firms, double p, double q, int years, double from, double epsilon, double margin) {
  Scenario sc = logit_market({1.0, 1.0}, {1.5, 1.5}, {0.5, 0.5}, 0.6, PricingRule::fixed, years);
  sc.segments[0].firms = firms;
  AiAdoption ai;
  ai.p = p;
  ai.q = q;
  ai.product_shares = {1.0};
  sc.segments[0].ai_adoption = ai;
  EnterpriseMarket market(sc);
  for (int month = 1; month < sc.time.months(); ++month) {
    market.adopt_ai(month);
    const double theory = bass_fraction(p, q, month / 12.0);
    if (theory < from) continue;
    INFO("month " << month);
    CHECK(market.ai_adoption()[0] == Approx(theory).epsilon(epsilon).margin(margin));
  }
}

TEST_CASE("simulated AI adoption of a large segment follows the closed-form Bass curve", "[validation]") {
  check_bass(1'000'000, 0.03, 0.38, 10, 0.0, 0.01, 0.0003);
}

// ---- long validation (make validate): hidden from ctest by the "[.]" tag ----

TEST_CASE("Bass adoption of a five-million-firm segment is within 1% of the closed form", "[.][validation_long]") {
  check_bass(5'000'000, 0.01, 0.5, 15, 0.01, 0.01, 0.0);
}

TEST_CASE("best_response reaches Bertrand-Nash with six asymmetric vendors", "[.][validation_long]") {
  check_converges_to_nash({1.0, 1.1, 0.8, 1.3, 0.95, 1.05}, {0.3, 0.25, 0.15, 0.1, 0.1, 0.1});
}
