// Pricing strategies against theory: best responses converge to the Bertrand–Nash equilibrium of a
// logit market (solved here independently from its first-order conditions), the collusive price
// lies above it, Q-learning finds a monopolist's best grid price, and the simple rules do what
// docs/scenario.md says.
#include <catch2/catch.hpp>

#include <boost/math/special_functions/lambert_w.hpp>
#include <cmath>
#include <set>
#include <vector>

#include "agents/pricing_strategy.hpp"
#include "agents/reward_ledger.hpp"

using namespace cm;

namespace {

// ---- A plain logit market, written out here so the tests do not share code with the model. ----
// N firms, utility a_j - alpha p_j, outside option 0, M buyers of one unit each.
struct LogitMarket {
  std::vector<double> a, c;  // quality intercepts, unit costs
  double alpha = 1;
  double size = 1000;

  std::size_t firms() const { return a.size(); }
  double share(std::size_t j, const std::vector<double>& p) const {
    double denominator = 1;
    for (std::size_t k = 0; k < firms(); ++k) denominator += std::exp(a[k] - alpha * p[k]);
    return std::exp(a[j] - alpha * p[j]) / denominator;
  }
  double profit(std::size_t j, const std::vector<double>& p) const { return (p[j] - c[j]) * size * share(j, p); }
  double joint_profit(const std::vector<double>& p) const {
    double total = 0;
    for (std::size_t j = 0; j < firms(); ++j) total += profit(j, p);
    return total;
  }
};

// Bertrand–Nash prices from the first-order conditions p_j - c_j = 1 / (alpha (1 - s_j)), by a damped
// fixed-point iteration (a contraction for shares well below 1/2).
std::vector<double> nash_by_foc(const LogitMarket& m) {
  std::vector<double> p = m.c, next(m.firms());
  for (int it = 0; it < 100000; ++it) {
    double move = 0;
    for (std::size_t j = 0; j < m.firms(); ++j) {
      next[j] = 0.5 * p[j] + 0.5 * (m.c[j] + 1.0 / (m.alpha * (1.0 - m.share(j, p))));
      move = std::max(move, std::abs(next[j] - p[j]) / p[j]);
    }
    p = next;
    if (move < 1e-15) return p;
  }
  FAIL("the first-order conditions did not converge");
  return p;
}

PricingView view_for(const LogitMarket& m, std::size_t j, const std::vector<double>& p, int review) {
  PricingView v;
  v.review = review;
  v.own_price = p[j];
  v.unit_cost = m.c[j];
  v.initial_price = p[j];
  v.initial_unit_cost = m.c[j];
  for (std::size_t k = 0; k < m.firms(); ++k)
    if (k != j) v.rival_prices.push_back(p[k]);
  v.profit_at = [&m, j, p](double price) {
    std::vector<double> q = p;
    q[j] = price;
    return m.profit(j, q);
  };
  return v;
}

// Every firm in turn (Gauss–Seidel) announces its best_response price, until no price moves.
std::vector<double> iterate_best_responses(const LogitMarket& m, std::vector<double> p, int* rounds = nullptr) {
  Pricing pricing;
  pricing.strategy = PricingRule::best_response;
  std::vector<std::unique_ptr<PricingStrategy>> firms;
  for (std::size_t j = 0; j < m.firms(); ++j)
    firms.push_back(make_pricing_strategy(pricing, RandomStream(1, "firm" + std::to_string(j), "pricing")));
  for (int round = 0; round < 200; ++round) {
    double move = 0;
    for (std::size_t j = 0; j < m.firms(); ++j) {
      const auto price = firms[j]->review(view_for(m, j, p, round));
      if (!price) continue;
      move = std::max(move, std::abs(*price - p[j]) / p[j]);
      p[j] = *price;
    }
    if (rounds) *rounds = round + 1;
    if (move < 1e-12) return p;
  }
  FAIL("best responses did not converge");
  return p;
}

// The joint-profit-maximising common price of symmetric firms: p - c = 1 / (alpha (1 - S)), S the
// total inside share (the first-order condition of N (p - c) M s(p)).
double collusive_price(const LogitMarket& m) {
  double p = m.c[0];
  for (int it = 0; it < 100000; ++it) {
    const std::vector<double> common(m.firms(), p);
    const double inside = double(m.firms()) * m.share(0, common);
    const double next = 0.5 * p + 0.5 * (m.c[0] + 1.0 / (m.alpha * (1.0 - inside)));
    if (std::abs(next - p) < 1e-15 * p) return next;
    p = next;
  }
  FAIL("the collusive first-order condition did not converge");
  return p;
}

// Logit monopoly price in closed form: p - c = (1 + W0(exp(a - alpha c - 1))) / alpha.
double monopoly_price(double a, double alpha, double c) {
  return c + (1.0 + boost::math::lambert_w0(std::exp(a - alpha * c - 1.0))) / alpha;
}

Pricing rule(PricingRule r) {
  Pricing p;
  p.strategy = r;
  return p;
}

RandomStream test_stream(std::uint64_t seed = 1) { return RandomStream(seed, "vendor", "pricing"); }

PricingView simple_view(double own_price, double unit_cost, std::vector<double> rivals = {}) {
  PricingView v;
  v.own_price = own_price;
  v.unit_cost = unit_cost;
  v.initial_price = own_price;
  v.initial_unit_cost = unit_cost;
  v.rival_prices = std::move(rivals);
  return v;
}

}  // namespace

// ---- maximise_profit --------------------------------------------------------------------------

TEST_CASE("maximise_profit finds the logit monopoly price at any price scale", "[pricing_strategy]") {
  for (double scale : {1e-4, 1.0, 1e6}) {  // dollars per token ... dollars per server
    const double a = 2.0, alpha = 1.5 / scale, c = 0.8 * scale;
    const auto profit = [&](double p) {
      const double e = std::exp(a - alpha * p);
      return (p - c) * 1e5 * e / (1 + e);
    };
    const double expected = monopoly_price(a, alpha, c);
    CHECK(maximise_profit(profit, c, 50 * c) == Approx(expected).epsilon(1e-8));
    CHECK(maximise_profit(profit, 1e-3 * c, 1e3 * c) == Approx(expected).epsilon(1e-8));
  }
}

TEST_CASE("maximise_profit stops at the bound a monotone profit runs into", "[pricing_strategy]") {
  const auto rising = [](double p) { return p; };
  const auto falling = [](double p) { return -p; };
  CHECK(maximise_profit(rising, 2.0, 7.0) == Approx(7.0).epsilon(1e-12));
  CHECK(maximise_profit(falling, 2.0, 7.0) == Approx(2.0).epsilon(1e-12));
  // A peak just inside a bound.
  const auto narrow = [](double p) { return -std::pow(std::log(p / 6.99), 2); };
  CHECK(maximise_profit(narrow, 2.0, 7.0) == Approx(6.99).epsilon(1e-6));
}

// ---- best_response: Bertrand–Nash ------------------------------------------------------------

TEST_CASE("best responses converge to the symmetric Bertrand-Nash equilibrium", "[pricing_strategy]") {
  const LogitMarket m{{2.0, 2.0, 2.0}, {1.0, 1.0, 1.0}, 1.0, 1000};
  const std::vector<double> nash = nash_by_foc(m);
  int rounds = 0;
  const std::vector<double> found = iterate_best_responses(m, {3.0, 2.0, 5.0}, &rounds);
  for (std::size_t j = 0; j < m.firms(); ++j) {
    CHECK(found[j] == Approx(nash[j]).epsilon(0.005));  // the required precision
    CHECK(found[j] == Approx(nash[j]).epsilon(1e-7));   // what it achieves
  }
  CHECK(rounds < 50);
  // The FOC solution is an equilibrium: a unilateral 1% move either way loses profit.
  for (double f : {0.99, 1.01}) {
    std::vector<double> deviated = nash;
    deviated[0] *= f;
    CHECK(m.profit(0, deviated) < m.profit(0, nash));
  }
}

TEST_CASE("best responses converge to the asymmetric Bertrand-Nash equilibrium", "[pricing_strategy]") {
  // Different qualities and costs, and a currency in which prices are cents (alpha per currency).
  for (double scale : {1.0, 0.01}) {
    const LogitMarket m{{2.0, 1.2, 2.8}, {1.0 * scale, 0.7 * scale, 1.4 * scale}, 1.3 / scale, 5e4};
    const std::vector<double> nash = nash_by_foc(m);
    const std::vector<double> found = iterate_best_responses(m, {2.0 * scale, 2.0 * scale, 2.0 * scale});
    for (std::size_t j = 0; j < m.firms(); ++j) {
      CHECK(found[j] == Approx(nash[j]).epsilon(0.005));
      CHECK(found[j] == Approx(nash[j]).epsilon(1e-7));
    }
    // Theory's ordering: the firm with the highest quality-adjusted cost advantage has the
    // highest markup (markup = 1 / (alpha (1 - s)) rises with share).
    CHECK(found[2] - m.c[2] > found[0] - m.c[0]);
    CHECK(found[0] - m.c[0] > found[1] - m.c[1]);
  }
}

TEST_CASE("the collusive price is above Nash and earns more jointly, but each firm would deviate",
          "[pricing_strategy]") {
  const LogitMarket m{{2.0, 2.0, 2.0}, {1.0, 1.0, 1.0}, 1.0, 1000};
  const double nash = nash_by_foc(m)[0];
  const double cartel = collusive_price(m);
  // Cross-check the collusive FOC solution by direct maximisation of joint profit.
  const auto joint_at = [&](double p) { return m.joint_profit(std::vector<double>(m.firms(), p)); };
  CHECK(maximise_profit(joint_at, 1.0, 20.0) == Approx(cartel).epsilon(1e-7));

  CHECK(cartel > nash * 1.01);
  CHECK(joint_at(cartel) > joint_at(nash) * 1.01);
  // The cartel is not an equilibrium: firm 0's best response to the others at the cartel price is
  // lower and earns it more.
  const std::vector<double> p(m.firms(), cartel);
  auto firm = make_pricing_strategy(rule(PricingRule::best_response), test_stream());
  const auto deviation = firm->review(view_for(m, 0, p, 0));
  REQUIRE(deviation);
  CHECK(*deviation < cartel);
  std::vector<double> deviated = p;
  deviated[0] = *deviation;
  CHECK(m.profit(0, deviated) > m.profit(0, p));
}

TEST_CASE("best_response respects the margin floor and keeps a price without a profit oracle",
          "[pricing_strategy]") {
  const LogitMarket m{{2.0, 2.0}, {1.0, 1.0}, 1.0, 1000};
  const std::vector<double> p{2.0, 2.0};
  Pricing pricing = rule(PricingRule::best_response);
  pricing.min_margin = 3.0;  // floor 4.0, far above the best response (about 2.2)
  auto firm = make_pricing_strategy(pricing, test_stream());
  const auto price = firm->review(view_for(m, 0, p, 0));
  REQUIRE(price);
  CHECK(*price == Approx(4.0).epsilon(1e-9));

  PricingView blind = view_for(m, 0, p, 1);
  blind.profit_at = nullptr;
  CHECK_FALSE(firm->review(blind));
  // A flat profit (no demand at all) gives no reason to move.
  PricingView flat = view_for(m, 0, {5.0, 2.0}, 2);
  flat.profit_at = [](double) { return 0.0; };
  CHECK_FALSE(firm->review(flat));
}

TEST_CASE("best_response with a zero unit cost still finds the equilibrium", "[pricing_strategy]") {
  const LogitMarket m{{1.0, 1.0}, {0.0, 0.0}, 2.0, 1000};  // software: marginal cost zero
  const std::vector<double> nash = nash_by_foc(m);
  const std::vector<double> found = iterate_best_responses(m, {1.0, 3.0});
  for (std::size_t j = 0; j < m.firms(); ++j) CHECK(found[j] == Approx(nash[j]).epsilon(1e-7));
}

// ---- Simple rules ------------------------------------------------------------------------------

TEST_CASE("fixed never changes the price", "[pricing_strategy]") {
  auto s = make_pricing_strategy(rule(PricingRule::fixed), test_stream());
  CHECK_FALSE(s->review(simple_view(2.0, 1.0, {1.0})));
  CHECK_FALSE(s->review(simple_view(2.0, 5.0)));
}

TEST_CASE("cost_plus prices at the markup, or keeps the initial one", "[pricing_strategy]") {
  Pricing pricing = rule(PricingRule::cost_plus);
  auto keep = make_pricing_strategy(pricing, test_stream());
  PricingView v = simple_view(0.04, 0.03);
  CHECK_FALSE(keep->review(v));  // cost unchanged: the initial price is already right
  v.unit_cost = 0.027;           // cost down 10%
  REQUIRE(keep->review(v));
  CHECK(*keep->review(v) == Approx(0.036).epsilon(1e-12));  // markup 1/3 kept
  v.initial_unit_cost = 0;  // no initial markup to keep
  CHECK_FALSE(keep->review(v));

  pricing.markup = 0.5;
  auto marked = make_pricing_strategy(pricing, test_stream());
  v = simple_view(0.04, 0.027);
  CHECK(*marked->review(v) == Approx(0.0405).epsilon(1e-12));
  v.own_price = 0.0405;
  CHECK_FALSE(marked->review(v));  // already there
}

TEST_CASE("match_lowest matches the lowest rival down to the margin floor", "[pricing_strategy]") {
  Pricing pricing = rule(PricingRule::match_lowest);
  pricing.min_margin = 0.1;
  auto s = make_pricing_strategy(pricing, test_stream());
  CHECK(*s->review(simple_view(3.0, 1.0, {2.5, 1.8, 2.2})) == Approx(1.8));
  CHECK(*s->review(simple_view(3.0, 1.0, {2.5, 1.05})) == Approx(1.1));  // floor 1.0 * 1.1
  CHECK_FALSE(s->review(simple_view(3.0, 1.0)));                          // no rivals
  CHECK_FALSE(s->review(simple_view(1.8, 1.0, {1.8, 2.0})));              // already matched
}

TEST_CASE("undercut goes below the lowest rival down to the margin floor", "[pricing_strategy]") {
  Pricing pricing = rule(PricingRule::undercut);
  pricing.undercut = 0.1;
  pricing.min_margin = 0.2;
  auto s = make_pricing_strategy(pricing, test_stream());
  CHECK(*s->review(simple_view(3.0, 1.0, {2.5, 2.0})) == Approx(1.8));
  CHECK(*s->review(simple_view(3.0, 1.0, {1.3, 2.0})) == Approx(1.2));  // 1.17 < floor 1.2
  CHECK_FALSE(s->review(simple_view(3.0, 1.0)));                         // no rivals
}

TEST_CASE("scheduled applies each dated step once, in order", "[pricing_strategy]") {
  Pricing pricing = rule(PricingRule::scheduled);
  pricing.schedule = {{{2024, 3, 1}, -0.5, std::nullopt},
                      {{2024, 3, 15}, std::nullopt, 7.0},
                      {{2024, 3, 15}, 0.1, std::nullopt},
                      {{2025, 1, 1}, -0.85, std::nullopt}};
  auto s = make_pricing_strategy(pricing, test_stream());
  PricingView v = simple_view(10.0, 1.0);
  v.today = {2024, 2, 29};
  CHECK_FALSE(s->review(v));  // nothing due yet
  v.today = {2024, 3, 1};
  CHECK(*s->review(v) == Approx(5.0));  // due on its own date
  v.own_price = 5.0;
  CHECK_FALSE(s->review(v));  // not applied twice
  v.today = {2024, 6, 30};
  CHECK(*s->review(v) == Approx(7.7));  // two steps due together: absolute 7, then +10%
  v.own_price = 7.7;
  v.today = {2024, 12, 31};
  CHECK_FALSE(s->review(v));
  v.today = {2026, 1, 1};
  CHECK(*s->review(v) == Approx(7.7 * 0.15));
  CHECK_FALSE(s->review(v));
}

// ---- events that persist -------------------------------------------------------------------------

TEST_CASE("an event's price becomes cost_plus's level until resume", "[pricing_strategy]") {
  Pricing pr = rule(PricingRule::cost_plus);
  pr.markup = 0.3;
  auto s = make_pricing_strategy(pr, test_stream());
  PricingView v = simple_view(2.6, 2.0);
  CHECK_FALSE(s->review(v));  // 2 x 1.3
  v.own_price = 2.2;          // a price_change event cut it
  REQUIRE(s->take_level(2.2, v));
  CHECK_FALSE(s->review(v));  // the same cost: the event's price stands (it was undone before)
  v.unit_cost = 3.0;          // the re-based markup 2.2 / 2 - 1 = 0.1 follows the cost
  CHECK(*s->review(v) == Approx(3.3));
  s->resume();
  v.own_price = 3.3;
  CHECK(*s->review(v) == Approx(3.9));  // back to its own markup
  // Rules that follow rivals cannot take a level: the caller keeps the event's price instead.
  auto undercut = make_pricing_strategy(rule(PricingRule::undercut), test_stream());
  CHECK_FALSE(undercut->take_level(2.2, v));
  Pricing sch = rule(PricingRule::scheduled);
  sch.schedule = {{Date{2024, 1, 1}, -0.5, std::nullopt}};
  auto scheduled = make_pricing_strategy(sch, test_stream());
  CHECK(scheduled->take_level(2.2, v));
  v.own_price = 2.2;
  v.today = {2024, 1, 1};
  CHECK(*scheduled->review(v) == Approx(1.1));  // relative to the event's price
}

// ---- q_learning --------------------------------------------------------------------------------

namespace {

// A monopolist (no rivals) on the grid 1.0, 1.1, ..., 2.0 with a logit profit that peaks at index 2.
struct QMonopoly {
  double profit(double p) const {
    const double e = std::exp(-5.0 * p);
    return 1e6 * (p - 1.0) * e / (1 + e);
  }
  static Pricing pricing() {
    Pricing pr = rule(PricingRule::q_learning);
    pr.q_learning.levels = 11;
    pr.q_learning.min_markup = 0.0;
    pr.q_learning.max_markup = 1.0;
    pr.q_learning.learning_rate = 0.5;
    pr.q_learning.discount = 0.5;
    pr.q_learning.exploration_decay = 1e-3;  // epsilon 0.37 at review 1000, 5e-5 at 10 000
    return pr;
  }
  // Prices the strategy sets at each review, `per_month` reviews a month. As in the model, a price
  // announced in month m is in force from month m+1 (the last one announced in m wins), and a
  // review in month m sees the profits of months 0 .. m-1.
  std::vector<double> run(const Pricing& pr, std::uint64_t seed, int reviews, double profit_scale = 1,
                          int per_month = 1) const {
    auto s = make_pricing_strategy(pr, test_stream(seed));
    std::vector<double> path, in_force{1.5}, closed;  // in_force[m]: the price of month m
    double price = 1.5;
    for (int k = 0; k < reviews; ++k) {
      const int month = k / per_month;
      while (int(closed.size()) < month) {  // months that closed since the last review
        const int m = int(closed.size());
        closed.push_back(profit_scale * profit(in_force[std::size_t(m)]));
      }
      PricingView v = simple_view(price, 1.0);
      v.review = k;
      v.profit_by_month = closed;
      v.effective_month = month + 1;
      if (const auto next = s->review(v)) price = *next;
      in_force.resize(std::size_t(month) + 2, in_force.back());
      in_force[std::size_t(month) + 1] = price;
      path.push_back(price);
    }
    return path;
  }
};

}  // namespace

TEST_CASE("q_learning monopolist learns the best grid price", "[pricing_strategy]") {
  const QMonopoly m;
  // The best grid price, by enumeration.
  double best = 1.0;
  for (int i = 0; i <= 10; ++i)
    if (m.profit(1.0 + 0.1 * i) > m.profit(best)) best = 1.0 + 0.1 * i;
  REQUIRE(best == Approx(1.2));
  REQUIRE(m.profit(1.2) > 1.05 * m.profit(1.3));  // a clear peak on the grid

  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    const std::vector<double> path = m.run(QMonopoly::pricing(), seed, 10000);
    int off_best = 0;  // once exploration has decayed, greedy choices only
    for (std::size_t k = path.size() - 500; k < path.size(); ++k) off_best += std::abs(path[k] - best) > 1e-9;
    CHECK(off_best == 0);
    // Early on it explores: many grid prices are tried.
    const std::set<double> early(path.begin(), path.begin() + 200);
    CHECK(early.size() >= 8);
  }
}

TEST_CASE("q_learning sets grid prices only, on the grid of the current cost", "[pricing_strategy]") {
  Pricing pr = QMonopoly::pricing();
  pr.q_learning.exploration_decay = 0;  // always explore
  auto s = make_pricing_strategy(pr, test_stream());
  std::set<long> levels_seen;
  for (int k = 0; k < 400; ++k) {
    const double cost = k < 200 ? 1.0 : 0.5;  // the grid follows the cost
    PricingView v = simple_view(1.5 * cost, cost, {1.3 * cost, 9.0});
    v.review = k;
    v.effective_month = k + 1;
    v.profit_by_month.assign(std::size_t(k), 1.0);
    const double price = s->review(v).value_or(v.own_price);  // nothing: drew the price it has
    const double level = (price / cost - 1.0) / 0.1;
    CHECK(level == Approx(std::round(level)).margin(1e-9));
    CHECK(level > -1e-9);
    CHECK(level < 10 + 1e-9);
    levels_seen.insert(std::lround(level));
  }
  CHECK(levels_seen.size() == 11);
}

// A review in month k (effective month k+1) with own and one rival's price; `closed` holds the
// profits of months 0 .. k-1. Month k-1's price was set by the review of month k-2: that action is
// credited now, with the state of the review of month k-1 as its next state.
struct MonthlyReviews {
  std::unique_ptr<PricingStrategy> s;
  std::vector<double> closed{};
  int k = 0;
  double step(double own, double rival, std::optional<double> month_profit) {
    if (month_profit) closed.push_back(*month_profit);
    PricingView v = simple_view(own, 1.0, {rival});
    v.review = k;
    v.effective_month = ++k;
    v.profit_by_month = closed;
    return s->review(v).value_or(own);
  }
};

TEST_CASE("q_learning breaks ties by the lowest price and learns from a loss", "[pricing_strategy]") {
  Pricing pr = QMonopoly::pricing();  // learning rate 0.5, discount 0.5
  pr.q_learning.exploration_decay = 100;  // epsilon = 1 at review 0, then exp(-100 k): greedy
  MonthlyReviews r{make_pricing_strategy(pr, test_stream())};
  // Grid levels: 0 = 1.0, 5 = 1.5, 9 = 1.9.
  r.step(1.5, 1.7, std::nullopt);  // review 0 explores; its price is in force in month 1
  // State B = (5, 9) never seen: every action is worth 0, the lowest price wins. Month 0's profit
  // belongs to no action of the learner.
  CHECK(r.step(1.5, 1.9, 0.0) == Approx(1.0));
  // Month 1 (review 0's price) earned 5: the reward scale is 5.
  r.step(1.0, 1.9, 5.0);
  // Month 2 (B's action 0) lost 10: Q(B, 0) = 0.5 * (-10 / 5 + 0.5 * 0) = -1.
  r.step(1.0, 1.9, -10.0);
  // Back in B: the next-lowest price (worth 0) is now the best.
  CHECK(r.step(1.5, 1.9, 0.0) == Approx(1.1));
}

TEST_CASE("q_learning values an action by its reward plus the discounted value of where it leads",
          "[pricing_strategy]") {
  Pricing pr = QMonopoly::pricing();  // learning rate 0.5, discount 0.5
  pr.q_learning.exploration_decay = 100;  // greedy after review 0
  MonthlyReviews r{make_pricing_strategy(pr, test_stream())};
  r.step(1.5, 1.7, std::nullopt);                // review 0 explores
  CHECK(r.step(1.5, 1.9, 0.0) == 1.0);           // state B = (5, 9), unseen: action 0
  CHECK(r.step(1.0, 1.9, 5.0) == 1.0);           // credits review 0 (scale := 5); state C = (0, 9): action 0
  CHECK(r.step(1.5, 1.5, 10.0) == 1.0);          // Q(B, 0) = 0.5 (10/5 + 0.5 max Q(C) = 0) = 1; state A = (5, 5)
  CHECK(r.step(1.5, 1.9, 0.0) == 1.0);           // Q(C, 0) = 0; in B, action 0 (worth 1)
  // Q(A, 0) = 0.5 (-0.5/5 + 0.5 max Q(B) = 0.5) = 0.2 > 0: back in A, its action 0 is worth 0.2
  // thanks to the discounted future; without the future term it would be worth -0.05 and the
  // unseen action 1 (worth 0) would win.
  CHECK(r.step(1.5, 1.5, -0.5) == 1.0);
}

TEST_CASE("q_learning credits each action with the months its price was in force", "[pricing_strategy]") {
  // Three reviews a month: one price a month can take effect, so the learner acts at the first
  // review of a month and keeps that price at the others; it still learns its best grid price.
  const QMonopoly m;
  for (std::uint64_t seed : {1, 2, 3}) {
    Pricing pr = QMonopoly::pricing();
    pr.q_learning.exploration_decay /= 3;  // epsilon decays by review: the same exploration per action
    const std::vector<double> path = m.run(pr, seed, 30000, 1, 3);
    int off_best = 0;
    for (std::size_t k = path.size() - 600; k < path.size(); ++k) off_best += std::abs(path[k] - 1.2) > 1e-9;
    CHECK(off_best == 0);
    for (std::size_t k = 0; k + 2 < path.size(); k += 3) {  // one action a month
      CHECK(path[k + 1] == path[k]);
      CHECK(path[k + 2] == path[k]);
    }
  }
  // The ledger itself: a superseded action earns nothing, a window of several months earns their
  // mean, an action followed by an event's price is not credited.
  RewardLedger<int> ledger;
  ledger.record(1, 10);
  ledger.record(1, 11);  // supersedes 10 before it took effect
  ledger.record(2, 12);
  CHECK(ledger.settle({0.0}).empty());  // month 1 not closed yet
  auto credits = ledger.settle({0.0, 7.0});
  REQUIRE(credits.size() == 1);
  CHECK(credits[0].action == 11);
  CHECK(credits[0].reward == 7.0);
  CHECK(credits[0].successor == 12);
  ledger.record(5, 13);  // 12 in force in months 2, 3, 4
  CHECK(ledger.settle({0, 7, 1, 2}).empty());
  credits = ledger.settle({0, 7, 1, 2, 6});
  REQUIRE(credits.size() == 1);
  CHECK(credits[0].action == 12);
  CHECK(credits[0].reward == Approx(3.0));
  ledger.record(6, std::nullopt);  // an event's price from month 6
  ledger.record(7, 14);
  CHECK(ledger.settle({0, 7, 1, 2, 6, 1, 1, 1}).empty());
}

TEST_CASE("q_learning is deterministic given its stream, and the seed changes its exploration",
          "[pricing_strategy]") {
  const QMonopoly m;
  const Pricing pr = QMonopoly::pricing();
  const std::vector<double> a = m.run(pr, 7, 2000);
  CHECK(m.run(pr, 7, 2000) == a);
  CHECK(m.run(pr, 8, 2000) != a);
  // From zero, Q-learning is equivariant to a positive reward scale (and rewards are normalised):
  // the same path whatever the currency.
  CHECK(m.run(pr, 7, 2000, 1e-3) == a);
}
