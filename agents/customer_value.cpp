#include "agents/customer_value.hpp"

#include <algorithm>
#include <cmath>

#include "agents/pricing_strategy.hpp"

namespace cm {

namespace {

// Renewal transition rows at the own price: row k = Pr(. | holding k), options x options.
std::vector<double> transition(const SegmentOutlook& seg, std::size_t own, double utility_shift) {
  ChoiceSet set = seg.choice;
  set.utility[own] += utility_shift;
  const std::size_t n = set.utility.size();
  std::vector<double> rows(n * n, 0.0);
  for (std::size_t k = 0; k < n; ++k) {
    // A firm can only hold an option it could choose, or one that has become unavailable (its
    // customers re-choose when the vendor leaves; they are none of this vendor's business).
    choice_probabilities(set, Supplier(k), seg.switching_cost, std::span<double>(&rows[k * n], n));
  }
  return rows;
}

// Walks the cohorts forward: calls visit(t, held_by_own_option) for each month t. The own price
// is `price` for the first `deviation_months` months and the seen price after them.
template <class Visit>
void walk(const SegmentOutlook& seg, std::size_t own, double price, double seen_price, int deviation_months,
          int months, Visit visit) {
  const std::size_t n = seg.choice.utility.size();
  const std::vector<double> deviating = transition(seg, own, seg.utility_per_price * (price - seen_price));
  const std::vector<double> staying = months > deviation_months ? transition(seg, own, 0.0) : std::vector<double>{};
  std::vector<std::vector<double>> held = seg.held;
  const int phases = int(held.size());
  double own_held = 0;
  for (const auto& h : held) own_held += h[own];
  std::vector<double> next(n);
  for (int t = 0; t < months; ++t) {
    if (phases > 0) {
      const std::vector<double>& P = t < deviation_months ? deviating : staying;
      auto& h = held[std::size_t((seg.first_phase + t) % phases)];
      std::fill(next.begin(), next.end(), 0.0);
      for (std::size_t k = 0; k < n; ++k)
        if (h[k] != 0)
          for (std::size_t j = 0; j < n; ++j) next[j] += h[k] * P[k * n + j];
      own_held += next[own] - h[own];
      h.swap(next);
    }
    visit(t, own_held);
  }
}

}  // namespace

double monthly_discount(double yearly_rate) { return std::pow(1.0 + yearly_rate, -1.0 / 12.0); }

std::vector<double> held_path(const DynamicPricingProblem& pb, double price) {
  std::vector<double> path(std::size_t(pb.months()), 0.0);
  for (const auto& seg : pb.segments)
    walk(seg, pb.option, price, pb.seen_price, pb.deviation_months, pb.months(),
         [&](int t, double h) { path[std::size_t(t)] += h; });
  return path;
}

double discounted_profit(const DynamicPricingProblem& pb, double price) {
  const std::size_t months = std::size_t(pb.months());
  std::vector<double> units(months, 0.0), other(months, 0.0);
  for (const auto& seg : pb.segments) {
    // Units per unit of reference spend at a price: (p/ref)^(1 - eps) / p.
    auto per_spend = [&](double p) { return p > 0 ? std::pow(p / seg.reference_price, 1.0 - seg.elasticity) / p : 0.0; };
    const double deviating = per_spend(price), staying = per_spend(pb.seen_price);
    walk(seg, pb.option, price, pb.seen_price, pb.deviation_months, int(months), [&](int t, double h) {
      const auto ut = std::size_t(t);
      units[ut] += h * seg.own_spend[ut] * (t < pb.deviation_months ? deviating : staying);
      other[ut] += h * seg.other_profit[ut];
    });
  }
  double total = 0, discount = 1;
  for (std::size_t t = 0; t < months; ++t) {
    const double p = int(t) < pb.deviation_months ? price : pb.seen_price;
    total += discount * (capped_profit(p, pb.unit_cost[t], units[t], pb.capacity[t]) + other[t]);
    discount *= pb.monthly_discount;
  }
  return total;
}

double capacity_constrained_price(const std::function<double(double)>& demand, double unit_cost, double capacity,
                                  double lo, double hi) {
  return maximise_profit([&](double p) { return capped_profit(p, unit_cost, demand(p), capacity); }, lo, hi);
}

}  // namespace cm
