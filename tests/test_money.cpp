// Money that binds, in-process: the training plan (agents/training_plan.hpp), startups'
// valuations (agents/startup_valuation.hpp) and investors' NPV (agents/investor_value.hpp, deals).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "agents/deals.hpp"
#include "agents/investor_value.hpp"
#include "agents/startup_valuation.hpp"
#include "agents/training_plan.hpp"

using namespace cm;

namespace {

// The run's value A ((1 + F/C)^gamma - 1) - c F, maximised by brute force on a log grid refined
// around the best point: an independent check of the closed form.
double numeric_argmax(double A, double C, double gamma, double c, double max_flops) {
  auto value = [&](double F) { return A * (std::pow(1.0 + F / C, gamma) - 1.0) - c * F; };
  double best = 0, best_value = 0;
  for (int k = 0; k <= 4000; ++k) {
    const double F = max_flops * std::pow(10.0, -12.0 + 12.0 * k / 4000.0);
    if (value(F) > best_value) best_value = value(F), best = F;
  }
  double lo = best / 1.01, hi = std::min(max_flops, best * 1.01);  // golden section on the bracket
  for (int it = 0; it < 200; ++it) {
    const double a = lo + (hi - lo) * 0.382, b = lo + (hi - lo) * 0.618;
    if (value(a) < value(b)) lo = a; else hi = b;
  }
  const double F = 0.5 * (lo + hi);
  return value(F) > best_value ? F : best;
}

}  // namespace

TEST_CASE("the optimal run solves the first-order condition and matches a numeric argmax", "[money]") {
  const double C = 1e24, c = 2.0 / 4.5e17;
  for (double gamma : {0.1, 0.3, 0.6, 0.9})
    for (double A : {1e7, 1e8, 1e9}) {
      INFO("gamma " << gamma << " A " << A);
      const double F = optimal_flops(A, C, gamma, c, 1e30);
      const double numeric = numeric_argmax(A, C, gamma, c, 1e30);
      if (A * gamma / C <= c) {  // the first FLOP is not worth its cost: no run
        CHECK(F == 0);
        CHECK(numeric < 1e-6 * C);
        continue;
      }
      CHECK(F == Approx(numeric).epsilon(1e-5));
      if (F < 1e30)  // an interior optimum: marginal value = price
        CHECK(A * gamma / C * std::pow(1 + F / C, gamma - 1) / c == Approx(1.0).epsilon(1e-6));
      // Money binds: the optimum within a smaller budget is the budget.
      CHECK(optimal_flops(A, C, gamma, c, 0.5 * F) == 0.5 * F);
    }
  // gamma >= 1: convex, so all it can get when that is worth it, else nothing.
  CHECK(optimal_flops(1e9, 1e24, 1.2, 1e-18, 1e24) == 1e24);
  CHECK(optimal_flops(1e3, 1e24, 1.2, 1e-18, 1e24) == 0);
}

TEST_CASE("the quality exponent follows the logit share: gamma = beta (1 - s) k / ln 10", "[money]") {
  CHECK(quality_gain_exponent(4.0, 0.25, 0.5) == Approx(4.0 * 0.75 * 0.5 / std::log(10.0)));
  // Independent check: a model's logit share among equals after a run, against (1 + F/C)^gamma.
  const double beta = 2.0, k = 0.5, C = 1e23, F = 1e22;
  const int n = 4;  // four equal models: s = 1/4
  const double dq = k * std::log10((C + F) / C);
  const double s_after = std::exp(beta * dq) / (std::exp(beta * dq) + (n - 1));
  const double predicted = 0.25 * std::pow(1 + F / C, quality_gain_exponent(beta, 0.25, k));
  CHECK(s_after == Approx(predicted).epsilon(2e-3));  // first order in the share's change
}

TEST_CASE("a startup spends what its money and expected revenue justify", "[money]") {
  TrainingPlanInputs in;
  in.cumulative_flops = 1e24;
  in.monthly_revenue = 1e7;
  in.growth_per_year = 0.5;
  in.horizon_months = 24;
  in.token_share = 0.3;
  in.model_choice_quality = 4;
  in.quality_per_decade = 0.5;
  in.gpu_price = 2.0;
  in.free_gpu_hours_per_month = 1e12;
  in.money.cash = 5e7;
  in.money.reserve = 1e7;
  const TrainingPlan poor = plan_training(in);
  CHECK(poor.money_bound);
  CHECK(poor.spend == Approx(4e7));  // all it has above the reserve
  in.money.cash = 9e7;               // twice the money above the reserve
  const TrainingPlan rich = plan_training(in);
  CHECK(rich.spend == Approx(2 * poor.spend));
  CHECK(rich.flops == Approx(2 * poor.flops));
  // Credits count, and a rich startup stops at F*.
  in.money.credits = 1e12;
  const TrainingPlan flush = plan_training(in);
  CHECK_FALSE(flush.money_bound);
  CHECK(flush.flops == Approx(flush.wanted_flops));
  // No revenue expected: no run, unless a commitment binds it (spread over its months left).
  in.monthly_revenue = 0;
  CHECK(plan_training(in).spend == 0);
  in.money.commitment_left = 1.2e8;
  in.money.commitment_months_left = 12;
  CHECK(plan_training(in).spend == Approx(1.2e8 * 3 / 12));
  // Free capacity caps it.
  in.monthly_revenue = 1e7;
  in.free_gpu_hours_per_month = 1e5;
  const TrainingPlan capped = plan_training(in);
  CHECK(capped.capacity_bound);
  CHECK(capped.gpu_hours_per_month == Approx(1e5));
}

TEST_CASE("valuation is a multiple of expected revenue, anchored at the opening valuation", "[money]") {
  CHECK(expected_revenue(1.0, 0.0, 12) == Approx(12.0));
  CHECK(expected_revenue(1.0, 1.0, 12) == Approx([] {
          double s = 0;
          for (int m = 1; m <= 12; ++m) s += std::pow(2.0, m / 12.0);
          return s;
        }()));
  CHECK(annual_growth(100, 121, 6) == Approx(std::pow(1.21, 2) - 1));
  CHECK(annual_growth(0, 1, 3) == 0);
  const double anchor = expected_revenue(1e7, 0.5, 12);
  const double multiple = revenue_multiple(2e9, anchor);
  CHECK(pre_money_valuation(multiple, anchor, 2e9) == Approx(2e9));
  CHECK(pre_money_valuation(0, 0, 2e9) == 2e9);  // before its model earns: the opening valuation
  // Quality stalls while rivals improve: its revenue falls, and so does its valuation: a down round.
  const double later = expected_revenue(0.7e7, 0.5, 12);
  const double pre = pre_money_valuation(multiple, later, 2e9);
  CHECK(pre == Approx(0.7 * 2e9));
  CHECK(is_down_round(pre, 2e9 + 5e8));
  CHECK_FALSE(is_down_round(3e9, 2.5e9));
  CHECK_FALSE(is_down_round(1e9, 0));  // a first round is no down round
}

TEST_CASE("investors offer only deals worth their cost of capital", "[money]") {
  InvestmentPolicy fund;
  fund.capital = {{Date{2023, 1, 1}, 1e9}};
  fund.hurdle_rate = 0.25;
  fund.failure_hazard = 0.1;
  fund.exit_years = 5;
  RoundRequest request;
  request.ask = 1e8;
  request.pre_money = 1e9;
  request.runway_after_months = std::numeric_limits<double>::infinity();
  const InvestorRef vc{false, 0};
  // Expected growth well above the hurdle and failure: NPV > 0, the fund offers the ask.
  request.growth_per_year = 0.8;
  const TermSheet yes = offer_terms(vc, fund, AiStrategy::none, request, 1e9, false);
  REQUIRE(yes.offered);
  CHECK(yes.amount == 1e8);
  CHECK(yes.npv > 0);
  const double p = 1 - std::exp(-0.1 * 5);
  CHECK(yes.npv == Approx(1e8 * (std::pow(1.8 / 1.25, 5) * (1 - p) - 1)));
  // Growth that does not clear the hurdle: negative NPV at any amount, no offer.
  request.growth_per_year = 0.2;
  CHECK_FALSE(offer_terms(vc, fund, AiStrategy::none, request, 1e9, false).offered);
  // A short runway raises the failure risk enough to turn a good deal down.
  request.growth_per_year = 0.5;
  CHECK(offer_terms(vc, fund, AiStrategy::none, request, 1e9, false).offered);
  request.runway_after_months = 1;
  CHECK_FALSE(offer_terms(vc, fund, AiStrategy::none, request, 1e9, false).offered);
  // A fund without capital cannot fund, however good the deal.
  request.runway_after_months = std::numeric_limits<double>::infinity();
  request.growth_per_year = 2.0;
  CHECK_FALSE(offer_terms(vc, fund, AiStrategy::none, request, 0.0, false).offered);
}

TEST_CASE("a vendor weighs compute margin, credits' cost, the stake and an exclusive model", "[money]") {
  InvestmentPolicy v;
  v.capital = {{Date{2023, 1, 1}, 1e10}};
  v.credit_share = 0.5;
  v.commitment = 1.5;
  v.cost_of_capital = 0.1;
  v.failure_hazard = 0.2;
  v.exit_years = 5;
  v.duration = Duration{24, 0};
  RoundRequest request;
  request.ask = 1e9;
  request.pre_money = 5e9;
  request.growth_per_year = 0.0;  // the stake alone loses value: growth 0 against 10%
  request.runway_after_months = std::numeric_limits<double>::infinity();
  request.monthly_revenue = 1e6;
  InvestorView view{0.6, 0.75};
  const DealValue d = deal_value({true, 0}, v, request, view, false);
  const double stake = std::pow(1.0 / 1.1, 5) * std::exp(-0.2 * 5);
  const double per_unit = stake - 0.5 - 0.5 * 0.6 + (1.5 - 0.5) * 0.4;
  CHECK(npv_per_unit(d) == Approx(per_unit));
  CHECK(per_unit < 0);
  // Not exclusive: no strategic value, so no deal.
  CHECK_FALSE(offer_terms({true, 0}, v, AiStrategy::open_ecosystem, request, 1e10, false, view).offered);
  // Exclusive: the model's tokens on its marketplace are worth rs / (1 - rs) x revenue x 24 months,
  // and it offers the largest amount that keeps NPV >= 0.
  v.exclusive = true;
  const TermSheet sheet = offer_terms({true, 0}, v, AiStrategy::open_ecosystem, request, 1e10, false, view);
  const double strategic = 0.75 / 0.25 * 1e6 * 24;
  REQUIRE(sheet.offered);
  CHECK(sheet.amount == Approx(strategic / -per_unit));
  CHECK(sheet.npv == Approx(0).margin(1e-3));
  CHECK(sheet.amount < request.ask);
  // Expected growth makes the whole ask worth it.
  request.growth_per_year = 0.6;
  const TermSheet full = offer_terms({true, 0}, v, AiStrategy::open_ecosystem, request, 1e10, false, view);
  CHECK(full.amount == request.ask);
  CHECK(full.npv > 0);
  // Its in-house lab is part of it: funded without weighing.
  request.growth_per_year = -0.5;
  request.owned_by_investor = true;
  CHECK(offer_terms({true, 0}, v, AiStrategy::vertical, request, 1e10, false, view).offered);
}
