#pragma once
// How an investor values a term sheet (docs/model.md "Funding rounds and deals"). Pure functions.
//
// A stake bought for amount X at post-money P holds X / P of a startup whose value grows with its
// expected revenue at g a year until the exit T years on; it survives to the exit with probability
// 1 - p, and the investor discounts at r (a vendor's cost_of_capital, a fund's hurdle_rate):
//     stake value = X ((1 + g) / (1 + r))^T (1 - p).
// A vendor also pays only (1 - credit_share) X in cash, bears the unit cost of the credits when
// they are used, earns its GPU gross margin on the cash the commitment makes the startup spend on
// its cloud beyond the credits, and values an exclusive model on its marketplace (S):
//     NPV(X) = S + X [((1 + g)/(1 + r))^T (1 - p) - (1 - cs) - cs u + max(0, k - cs) m],
// with u = unit cost / price and m = 1 - u of its GPU product, k the commitment multiple.
// A fund has cs = k = S = 0. An investor offers only when NPV >= 0, and at most the largest such
// amount.
namespace cm {

// Probability that a startup fails within `years`: a yearly hazard h = prior (1 + 12 / runway),
// runway = months its cash after the round lasts at its net outflow (spending less revenue; none:
// infinite), p = 1 - exp(-h years).
double failure_probability(double prior_hazard_per_year, double runway_months, double years);

struct DealValue {
  double growth_per_year = 0;       // g: the startup's expected revenue growth
  double failure_probability = 0;   // p, by the exit
  double discount_rate = 0.1;       // r, per year
  double exit_years = 5;            // T
  double credit_share = 0;          // cs
  double commitment = 0;            // k, multiple of the amount
  double unit_cost_share = 0;       // u: the vendor's GPU unit cost / price
  double strategic_value = 0;       // S, currency
};

// NPV per unit of amount (the bracket above).
double npv_per_unit(const DealValue& d);
double deal_npv(const DealValue& d, double amount);
// The largest amount <= cap with NPV >= 0 (0: none).
double largest_worthwhile_amount(const DealValue& d, double cap);

}  // namespace cm
