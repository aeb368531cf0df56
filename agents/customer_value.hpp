#pragma once
// The economics of forward-looking, capacity-aware pricing (docs/model.md, "Dynamic best response
// and scarcity"). Pure: no World, no SimGrid, so the tests can check it against closed forms and
// independent solutions.
//
// A vendor that sets price p at a review, holds it R months and then returns to its current price
// p0 (dynamic_best_response holds it over the whole horizon, R = H) evaluates the discounted gross
// profit
//     J(p) = sum_{t=0}^{H-1} delta^t [ (p_t - c_t) min(Q_t, K_t) + M_t ],
//     p_t = p for t < R, p0 after,
// where month t = 0 is the first month the price is in force, Q_t the product's units wanted by
// the customers the vendor holds in month t, K_t its capacity, and M_t the gross profit of its
// other products on the same customers. Demand it cannot serve (Q_t > K_t) is lost now, and the
// fill rate f_{t+1} = min(1, K_t / Q_t) prices the product at the renewals of month t + 1 at
// e = f p + (1 - f) F (agents/rationing.hpp; f_0 is the fill seen last month). Who holds whom
// follows the renewal chain of the model:
// the firms of one renewal phase re-choose each month (nested logit, switching-cost bonus on
// their current supplier, choice_model.hpp), at p_t. A price thus moves only the cohorts renewing
// before the next review, and the customers they bring or take away are valued at their margin
// over their expected (discounted) tenure within the horizon: the value of a customer.
#include <functional>
#include <limits>
#include <vector>

#include "agents/choice_model.hpp"

namespace cm {

// One segment as the pricing vendor sees it.
struct SegmentOutlook {
  ChoiceSet choice;               // utilities at the prices as seen (own price = the view's price)
  double switching_cost = 0;      // lambda
  double utility_per_price = 0;   // d u_own / d price, <= 0: alpha * budget share / reference price
  // held[phase][option]: budget (any money unit) that the firms of each renewal phase hold at
  // each option now; phase (first_phase + t) mod phases renews in month t.
  std::vector<std::vector<double>> held;
  int first_phase = 0;
  double elasticity = 1;          // constant price elasticity of quantity
  double reference_price = 1;     // of the own product
  std::vector<double> own_spend;  // per month t: spend on the own product at the reference price, per unit held
  std::vector<double> other_profit;  // per month t: gross profit of the other products, per unit held
  // The renewal rows at the prices as seen (options x options), which no trial price changes:
  // filled once by with_renewal_rows, else computed at every evaluation.
  std::vector<double> renewal_rows;
  // The unbundled AI layer (agents/ai_layer.hpp), bought whoever holds the firm: per month t the
  // segment's layer spend on the own product at the reference price (empty: none), the vendor's
  // share of it at the seen price, and d(layer utility)/d price.
  std::vector<double> layer_spend;
  double layer_share = 0;
  double layer_utility_per_price = 0;
};

// The segment with its renewal rows at the seen prices filled in (worth it when J is evaluated
// many times, as a price search does).
SegmentOutlook with_renewal_rows(SegmentOutlook segment);

struct DynamicPricingProblem {
  std::size_t option = 1;         // the vendor's option in the choice sets (vendor + 1)
  double seen_price = 0;          // own price the choice utilities were computed at: p0
  int deviation_months = 1;       // R: months the price is held before the vendor returns to p0
  double monthly_discount = 1;    // delta = (1 + yearly rate)^(-1/12)
  std::vector<double> unit_cost;  // per month t
  std::vector<double> capacity;   // per month t: units available (infinity: unconstrained)
  // Rationing: the fill rate of the own product (served / wanted) seen in month t is last month's;
  // fill_now is the one already in the choice utilities. Firms price what they cannot get at the
  // fallback (1 + scarcity_premium) x reference price (agents/rationing.hpp).
  double scarcity_premium = 0;
  double fill_now = 1;
  std::vector<SegmentOutlook> segments;
  int months() const { return int(unit_cost.size()); }
};

// J(p) above (currency, discounted to month 0).
double discounted_profit(const DynamicPricingProblem& problem, double price);

// The vendor's customers-held path: per month t, the budget the vendor holds (summed over
// segments and phases) if it sets price p. Exposed for tests.
std::vector<double> held_path(const DynamicPricingProblem& problem, double price);

// The monthly discount factor of a yearly rate.
double monthly_discount(double yearly_rate);

// Gross profit with a capacity: (p - c) * min(units, capacity). Units beyond capacity are not
// sold (rationed), so above the clearing price the constraint is slack and below it the firm
// sells K at a lower price: profit-maximising prices never sit below the clearing price.
inline double capped_profit(double price, double unit_cost, double units, double capacity) {
  return (price - unit_cost) * (units < capacity ? units : capacity);
}

// The capacity-constrained best response p* = argmax (p - c) min(D(p), K) on [lo, hi]: the
// unconstrained optimum when D there is at most K, else the clearing price D(p_K) = K (for a
// demand falling in price). `demand` is in units per period.
double capacity_constrained_price(const std::function<double(double)>& demand, double unit_cost, double capacity,
                                  double lo, double hi);

}  // namespace cm
