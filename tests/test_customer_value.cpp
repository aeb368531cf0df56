// Forward-looking and capacity-aware pricing (agents/customer_value.hpp) against theory:
// - scarcity: in a logit market with a capacity, the best price is the unconstrained optimum when
//   capacity is slack and the clearing price D(p) = K when it binds (closed forms);
// - the discounted profit of holding a price equals an independent cohort-by-cohort simulation of
//   the renewal chain written here, and its maximiser is the brute-force one;
// - without switching costs and with monthly contracts it is the static Bertrand best response;
// - Klemperer: in a young, growing market with switching costs the dynamic price is below the
//   static best response, and above it once the market has matured and the base is locked in.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "agents/customer_value.hpp"
#include "agents/dynamic_best_response.hpp"
#include "agents/pricing_strategy.hpp"

using namespace cm;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- Written out here, independently of the model: a plain logit over {outside, firm 1, firm 2}
// where a firm holding option k gets bonus lambda on k. ----
struct Duopoly {
  double xi = 5.5;        // intercept of each cloud (outside = 0)
  double alpha = 4.0;     // utility per unit of price
  double lambda = 2.0;    // switching cost
  double cost = 1.0;      // unit cost
  int phases = 12;        // contract months
  double budget = 1.0;    // spend per month of the whole market at the reference price (fixed spend: eps = 1)

  double utility(int option, double p1, double p2) const {
    return option == 0 ? 0.0 : xi - alpha * (option == 1 ? p1 : p2);
  }
  // Pr(j | holding k); k = -1 for a fresh choice. `penalty1` lowers firm 1's utility (rationing).
  double prob(int j, int k, double p1, double p2, double penalty1 = 0) const {
    double den = 0, num = 0;
    for (int o = 0; o < 3; ++o) {
      const double e = std::exp(utility(o, p1, p2) - (o == 1 ? penalty1 : 0.0) + (o == k ? lambda : 0.0));
      den += e;
      if (o == j) num = e;
    }
    return num / den;
  }
};

// The same market in the model's terms, with firm 1 pricing: utilities at the seen price p_seen.
// The price set holds for `review` months, then the firm is back at p_seen.
DynamicPricingProblem as_problem(const Duopoly& m, const std::vector<std::vector<double>>& held, int first_phase,
                                 double p_seen, double p_rival, int review, int months, double yearly_rate,
                                 double growth, double capacity = kInf) {
  DynamicPricingProblem pb;
  pb.option = 1;
  pb.seen_price = p_seen;
  pb.deviation_months = review;
  pb.monthly_discount = monthly_discount(yearly_rate);
  SegmentOutlook o;
  o.choice.utility = {m.utility(0, p_seen, p_rival), m.utility(1, p_seen, p_rival), m.utility(2, p_seen, p_rival)};
  o.choice.available = {1, 1, 1};
  o.choice.nesting = 1.0;
  o.switching_cost = m.lambda;
  o.utility_per_price = -m.alpha;
  o.held = held;
  o.first_phase = first_phase;
  o.elasticity = 1.0;  // fixed spend: units = spend / price
  o.reference_price = 1.0;
  for (int t = 0; t < months; ++t) {
    o.own_spend.push_back(std::pow(1.0 + growth, (t + 1) / 12.0));  // per unit of budget held
    o.other_profit.push_back(0.0);
    pb.unit_cost.push_back(m.cost);
    pb.capacity.push_back(capacity);
  }
  pb.segments.push_back(o);
  return pb;
}

// Independent: simulate the phases one by one and add up firm 1's discounted profit.
// With a capacity K and a scarcity premium m: firm 1's fill rate f in a month prices its product at
// f p + (1 - f) max(p, 1 + m) (reference price 1) at the next month's renewals.
double brute_force_profit(const Duopoly& m, std::vector<std::vector<double>> held, int first_phase, double p_set,
                          double p_seen, double p_rival, int review, int months, double yearly_rate, double growth,
                          double K = kInf, double premium = 0) {
  const double delta = std::pow(1.0 + yearly_rate, -1.0 / 12.0);
  double total = 0, fill = 1;
  for (int t = 0; t < months; ++t) {
    const double p = t < review ? p_set : p_seen;
    auto& h = held[std::size_t((first_phase + t) % int(held.size()))];
    std::vector<double> next(3, 0.0);
    for (int k = 0; k < 3; ++k)
      for (int j = 0; j < 3; ++j)
        next[std::size_t(j)] +=
            h[std::size_t(k)] * m.prob(j, k, p, p_rival, m.alpha * (1 - fill) * (std::max(p, 1 + premium) - p));
    h = next;
    double firm1 = 0;
    for (const auto& phase : held) firm1 += phase[1];
    const double units = firm1 * std::pow(1.0 + growth, (t + 1) / 12.0) / p;
    total += std::pow(delta, t) * std::min(units, K) * (p - m.cost);
    fill = units > K ? K / units : 1.0;
  }
  return total;
}

// Every phase holds the same split `split` of the market budget.
std::vector<std::vector<double>> uniform_phases(const Duopoly& m, std::vector<double> split) {
  for (double& x : split) x *= m.budget / m.phases;
  return std::vector<std::vector<double>>(std::size_t(m.phases), split);
}

// The static best response (fresh choice, one month) by a fine scan then golden refinement done
// here: maximise (p - c) / p * Pr_fresh(1 | p, rival).
double static_best_response(const Duopoly& m, double p_rival) {
  auto f = [&](double p) { return (p - m.cost) / p * m.prob(1, -1, p, p_rival); };
  double best = m.cost, best_f = -kInf;
  for (double p = m.cost; p < 5 * m.cost; p += 1e-4)
    if (f(p) > best_f) best_f = f(p), best = p;
  return best;
}

double brute_force_argmax(const std::function<double(double)>& f, double lo, double hi, double step) {
  double best = lo, best_f = -kInf;
  for (double p = lo; p <= hi; p += step)
    if (const double v = f(p); v > best_f) best_f = v, best = p;
  return best;
}

// The stationary split of the renewal chain at symmetric prices p (power iteration, here).
std::vector<double> stationary(const Duopoly& m, double p) {
  std::vector<double> x{1.0 / 3, 1.0 / 3, 1.0 / 3};
  for (int it = 0; it < 20000; ++it) {
    std::vector<double> y(3, 0.0);
    for (int k = 0; k < 3; ++k)
      for (int j = 0; j < 3; ++j) y[std::size_t(j)] += x[std::size_t(k)] * m.prob(j, k, p, p);
    x = y;
  }
  return x;
}

}  // namespace

TEST_CASE("scarcity: the capacity-constrained price clears capacity when it binds, else is the optimum",
          "[customer_value]") {
  // Logit monopoly against an outside option: D(p) = N e^{a - b p} / (1 + e^{a - b p}).
  const double N = 1000, a = 6, b = 2, c = 1;
  auto demand = [&](double p) { return N / (1 + std::exp(-(a - b * p))); };
  // Unconstrained optimum from its first-order condition p - c = 1 / (b (1 - s)), by bisection
  // (the left side minus the right rises with p).
  auto foc = [&](double p) { return p - c - 1 / (b * (1 - demand(p) / N)); };
  double lo = c, hi = 10 * c;
  for (int i = 0; i < 200; ++i) (foc(0.5 * (lo + hi)) < 0 ? lo : hi) = 0.5 * (lo + hi);
  const double p_free = 0.5 * (lo + hi);
  REQUIRE(std::abs(foc(p_free)) < 1e-9);

  SECTION("slack: capacity above the optimum's demand leaves the price alone") {
    const double K = 1.2 * demand(p_free);
    const double p = capacity_constrained_price(demand, c, K, c, 10 * c);
    CHECK(p == Approx(p_free).epsilon(1e-7));
  }
  SECTION("binding: the price rises to clear capacity, D(p*) = K") {
    for (double share_of_free : {0.9, 0.5, 0.1}) {
      const double K = share_of_free * demand(p_free);
      const double p_K = (a - std::log(K / (N - K))) / b;  // closed form of D(p_K) = K
      const double p = capacity_constrained_price(demand, c, K, c, 10 * c);
      CHECK(p == Approx(p_K).epsilon(1e-7));
      CHECK(demand(p) == Approx(K).epsilon(1e-6));
      CHECK(p > p_free);
    }
  }
}

TEST_CASE("the discounted profit of holding a price equals an independent cohort simulation",
          "[customer_value]") {
  Duopoly m;
  const auto held = uniform_phases(m, {0.7, 0.1, 0.2});
  for (int first : {0, 5}) {
    const auto pb = as_problem(m, held, first, 1.3, 1.25, 3, 30, 0.15, 0.4);
    for (double p : {1.05, 1.3, 1.6, 2.5}) {
      const double expected = brute_force_profit(m, held, first, p, 1.3, 1.25, 3, 30, 0.15, 0.4);
      CHECK(discounted_profit(pb, p) == Approx(expected).epsilon(1e-12));
    }
    // Its maximiser is the brute-force one (grid step 1e-4).
    auto J = [&](double p) { return discounted_profit(pb, p); };
    auto B = [&](double p) { return brute_force_profit(m, held, first, p, 1.3, 1.25, 3, 30, 0.15, 0.4); };
    CHECK(maximise_profit(J, m.cost, 5 * m.cost) == Approx(brute_force_argmax(B, m.cost, 3, 1e-4)).margin(1.5e-4));
  }
}

TEST_CASE("a price move seen from another price gives the same outlook, nested or not", "[customer_value]") {
  // The outlook shifts the own utility from the seen price; building it at the new price instead
  // must give the same profit (this checks the shifted renewal rows against choice_probabilities).
  Duopoly m;
  const auto held = uniform_phases(m, {0.6, 0.3, 0.1});
  for (double nesting : {1.0, 0.6, 0.2}) {
    for (double p : {1.1, 1.7}) {
      auto from_seen = as_problem(m, held, 3, 1.4, 1.3, 36, 36, 0.1, 0.2, 0.1);
      auto at_p = as_problem(m, held, 3, p, 1.3, 36, 36, 0.1, 0.2, 0.1);
      for (auto* pb : {&from_seen, &at_p}) {
        pb->segments[0].choice.nesting = nesting;
        pb->scarcity_premium = 1.5;
      }
      CHECK(discounted_profit(from_seen, p) == Approx(discounted_profit(at_p, p)).epsilon(1e-12));
    }
  }
}

TEST_CASE("without switching costs and with monthly contracts the dynamic price is the static best response",
          "[customer_value]") {
  Duopoly m;
  m.lambda = 0;
  m.phases = 1;
  const double rival = 1.4;
  // Closed form of the static best response: p - c = p / (alpha p (1 - s))... with fixed spend the
  // profit is (p - c)/p * s(p); FOC: c/p^2 s = (p - c)/p * alpha s (1 - s)  =>  c = alpha p (p - c)(1 - s).
  double p = m.cost * 1.5;
  for (int i = 0; i < 200; ++i) {  // Newton-free fixed point on p = c + c / (alpha p (1 - s))
    const double s = m.prob(1, -1, p, rival);
    p = m.cost + m.cost / (m.alpha * p * (1 - s));
  }
  const double s = m.prob(1, -1, p, rival);
  REQUIRE(std::abs(m.cost - m.alpha * p * (p - m.cost) * (1 - s)) < 1e-10);
  for (int months : {1, 24}) {
    const auto pb = as_problem(m, uniform_phases(m, {0.5, 0.2, 0.3}), 0, 1.2, rival, 3, months, 0.1, 0.3);
    const double dynamic = maximise_profit([&](double x) { return discounted_profit(pb, x); }, m.cost, 5 * m.cost);
    CHECK(dynamic == Approx(p).epsilon(1e-7));
    CHECK(static_best_response(m, rival) == Approx(p).margin(1e-4));
  }
}

TEST_CASE("Klemperer: with switching costs a growing market is priced below the static best response early and "
          "above it once mature",
          "[customer_value]") {
  // Symmetric duopoly; the market starts young (90% of budgets on-premises), demand grows 30% a
  // year; each month both firms set firm 1's dynamic best response against the current common
  // price (a symmetric path), holding it over its five-year horizon, and the holdings move along
  // the renewal chain (simulated here).
  Duopoly m;
  m.lambda = 3.0;
  const int months = 60;  // held over five years, as the strategy does
  const double rate = 0.10, growth = 0.30;
  auto held = uniform_phases(m, {0.9, 0.05, 0.05});
  double price = 1.5;
  std::vector<double> dynamic, fixed_point_static;
  DynamicBestResponsePricing strategy(0.0);
  for (int month = 0; month < 20 * 12; ++month) {
    const int first = (month + 1) % m.phases;
    const auto pb = as_problem(m, held, first, price, price, months, months, rate, growth);
    PricingView view;
    view.own_price = price;
    view.unit_cost = m.cost;
    view.rival_prices = {price};
    view.discounted_profit_at = [&](double p) { return discounted_profit(pb, p); };
    const double next = strategy.review(view).value_or(price);
    dynamic.push_back(next);
    fixed_point_static.push_back(static_best_response(m, price));
    price = next;
    // The market moves one month at the new common price.
    auto& h = held[std::size_t(first)];
    std::vector<double> moved(3, 0.0);
    for (int k = 0; k < 3; ++k)
      for (int j = 0; j < 3; ++j) moved[std::size_t(j)] += h[std::size_t(k)] * m.prob(j, k, price, price);
    h = moved;
  }
  // Early: investing in customers who stay.
  CHECK(dynamic.front() < fixed_point_static.front() - 0.03);
  // Mature: the base is near the chain's stationary split, and locked in.
  double firm1 = 0;
  for (const auto& h : held) firm1 += h[1];
  CHECK(firm1 == Approx(stationary(m, price)[1] * m.budget).epsilon(0.02));
  CHECK(dynamic.back() > fixed_point_static.back() + 0.03);
  // The path crosses once: below, then above.
  std::size_t crossings = 0;
  for (std::size_t i = 1; i < dynamic.size(); ++i)
    crossings += (dynamic[i] > fixed_point_static[i]) != (dynamic[i - 1] > fixed_point_static[i - 1]);
  CHECK(crossings == 1);
  // The independent brute force agrees with the strategy's price at the last review.
  const int first = (20 * 12 + 1) % m.phases;
  auto B = [&](double p) { return brute_force_profit(m, held, first, p, price, price, months, months, rate, growth); };
  const auto pb = as_problem(m, held, first, price, price, months, months, rate, growth);
  CHECK(maximise_profit([&](double p) { return discounted_profit(pb, p); }, m.cost, 5 * m.cost) ==
        Approx(brute_force_argmax(B, m.cost, 3, 1e-4)).margin(1.5e-4));
}

TEST_CASE("dynamic pricing prices scarcity: a binding capacity raises the price to clear it", "[customer_value]") {
  Duopoly m;
  const auto held = uniform_phases(m, {0.5, 0.25, 0.25});
  const auto free = as_problem(m, held, 0, 1.4, 1.4, 24, 24, 0.1, 0.0);
  auto J = [&](const DynamicPricingProblem& pb) {
    return maximise_profit([&](double p) { return discounted_profit(pb, p); }, m.cost, 5 * m.cost);
  };
  const double p_free = J(free);
  // Capacity at 60% of what the base wants at p_free in the first month.
  const double units = held_path(free, p_free)[0] / p_free;
  const auto tight = as_problem(m, held, 0, 1.4, 1.4, 24, 24, 0.1, 0.0, 0.6 * units);
  const double p_tight = J(tight);
  CHECK(p_tight > p_free * 1.05);
  // Slack capacity changes nothing.
  const auto slack = as_problem(m, held, 0, 1.4, 1.4, 24, 24, 0.1, 0.0, 10 * units);
  CHECK(J(slack) == Approx(p_free).epsilon(1e-9));

  // Rationing has a cost beyond the sales lost: with a scarcity premium (what firms cannot get they
  // buy at 1 + m times the reference price, so a low fill raises the price they see at the next
  // renewals) the profit matches the independent simulation, and a price that rations is worth
  // less than with rationing free (m = 0, fallback = list price) once the customers it drives
  // away would have been served (at 1.2 the vendor is sold out all along, so they cost nothing).
  auto penalised = tight;
  penalised.scarcity_premium = 1.0;
  for (double p : {1.2, 1.5, 2.0, 3.0})
    CHECK(discounted_profit(penalised, p) ==
          Approx(brute_force_profit(m, held, 0, p, 1.4, 1.4, 24, 24, 0.1, 0.0, 0.6 * units, 1.0)).epsilon(1e-12));
  CHECK(discounted_profit(penalised, 1.6) < 0.98 * discounted_profit(tight, 1.6));
  CHECK(discounted_profit(penalised, 1.2) == discounted_profit(tight, 1.2));
}

TEST_CASE("the discounted profit stays finite at prices far from the one seen", "[customer_value]") {
  // A vendor alone in the cloud nest (a = 1): far above the seen price its nest share underflows,
  // far below it exp(shift / mu) overflows; both once gave 0/0 in the renewal rows.
  Duopoly m;
  m.alpha = 40.0;  // steep, and a tight nest below: exp(shift / mu) overflows for a deep cut
  m.xi = 65.0;
  auto held = uniform_phases(m, {0.2, 0.4, 0.4});
  DynamicPricingProblem pb = as_problem(m, held, 0, 1.5, 1.5, 12, 24, 0.1, 0.0);
  for (auto& seg : pb.segments) seg.choice.nesting = 0.05;
  DynamicPricingProblem alone = pb;
  for (auto& seg : alone.segments) seg.choice.available[2] = 0;  // the rival has left
  for (double price : {1e-6, 1e-3, 1.5, 1e3, 1e6}) {
    CAPTURE(price);
    REQUIRE(std::isfinite(discounted_profit(alone, price)));
    REQUIRE(std::isfinite(discounted_profit(pb, price)));
  }
}
