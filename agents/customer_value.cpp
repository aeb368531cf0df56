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

// The months of one evaluation, walked with every segment in lockstep because rationing couples
// them: the vendor's unserved fraction in month t lowers its utility in month t + 1 for all.
struct Walk {
  std::vector<double> held;    // per month: budget held by the vendor, all segments
  std::vector<double> units;   // per month: units of the own product wanted
  std::vector<double> spend;   // per month: the vendor's spend wanted, all products, at its prices
  std::vector<double> other;   // per month: gross profit of the other products
};

Walk walk(const DynamicPricingProblem& pb, double price) {
  const std::size_t months = std::size_t(pb.months());
  const std::size_t own = pb.option;
  Walk w{std::vector<double>(months, 0.0), std::vector<double>(months, 0.0), std::vector<double>(months, 0.0),
         std::vector<double>(months, 0.0)};
  struct State {
    std::vector<std::vector<double>> held;
    double own_held = 0;
    std::vector<double> deviating, staying;  // transition rows at the undisturbed utilities
    double per_spend_deviating = 0, per_spend_staying = 0;
    double utility_shift = 0;
  };
  auto per_spend = [](const SegmentOutlook& seg, double p) {
    return p > 0 ? std::pow(p / seg.reference_price, 1.0 - seg.elasticity) / p : 0.0;
  };
  std::vector<State> states;
  for (const auto& seg : pb.segments) {
    State st;
    st.held = seg.held;
    for (const auto& h : st.held) st.own_held += h[own];
    st.utility_shift = seg.utility_per_price * (price - pb.seen_price);
    st.deviating = transition(seg, own, st.utility_shift);
    if (pb.months() > pb.deviation_months) st.staying = transition(seg, own, 0.0);
    st.per_spend_deviating = per_spend(seg, price);
    st.per_spend_staying = per_spend(seg, pb.seen_price);
    states.push_back(std::move(st));
  }
  const std::size_t n = pb.segments.empty() ? 0 : pb.segments[0].choice.utility.size();
  std::vector<double> next(n), rationed;
  double unserved = pb.unserved_now;  // in the choice utilities already
  for (std::size_t t = 0; t < months; ++t) {
    const bool deviating = int(t) < pb.deviation_months;
    const double p = deviating ? price : pb.seen_price;
    for (std::size_t i = 0; i < pb.segments.size(); ++i) {
      const SegmentOutlook& seg = pb.segments[i];
      State& st = states[i];
      const int phases = int(st.held.size());
      if (phases > 0) {
        const std::vector<double>* P = deviating ? &st.deviating : &st.staying;
        // Rationing different from today's moves the own utility: recompute the rows.
        const double penalty = pb.rationing_penalty * (unserved - pb.unserved_now);
        if (penalty != 0) {
          rationed = transition(seg, own, (deviating ? st.utility_shift : 0.0) - penalty);
          P = &rationed;
        }
        auto& h = st.held[std::size_t((seg.first_phase + int(t)) % phases)];
        std::fill(next.begin(), next.end(), 0.0);
        for (std::size_t k = 0; k < n; ++k)
          if (h[k] != 0)
            for (std::size_t j = 0; j < n; ++j) next[j] += h[k] * (*P)[k * n + j];
        st.own_held += next[own] - h[own];
        h.swap(next);
      }
      const double units = st.own_held * seg.own_spend[t] * (deviating ? st.per_spend_deviating : st.per_spend_staying);
      w.held[t] += st.own_held;
      w.units[t] += units;
      w.spend[t] += units * p + st.own_held * seg.other_spend[t];
      w.other[t] += st.own_held * seg.other_profit[t];
    }
    // The share of the vendor's demand (in spend) it cannot serve this month, seen next month.
    const double short_units = std::max(0.0, w.units[t] - pb.capacity[t]);
    unserved = w.spend[t] > 0 ? short_units * p / w.spend[t] : 0.0;
  }
  return w;
}

}  // namespace

double monthly_discount(double yearly_rate) { return std::pow(1.0 + yearly_rate, -1.0 / 12.0); }

std::vector<double> held_path(const DynamicPricingProblem& pb, double price) { return walk(pb, price).held; }

double discounted_profit(const DynamicPricingProblem& pb, double price) {
  const Walk w = walk(pb, price);
  double total = 0, discount = 1;
  for (std::size_t t = 0; t < w.units.size(); ++t) {
    const double p = int(t) < pb.deviation_months ? price : pb.seen_price;
    total += discount * (capped_profit(p, pb.unit_cost[t], w.units[t], pb.capacity[t]) + w.other[t]);
    discount *= pb.monthly_discount;
  }
  return total;
}

double capacity_constrained_price(const std::function<double(double)>& demand, double unit_cost, double capacity,
                                  double lo, double hi) {
  return maximise_profit([&](double p) { return capped_profit(p, unit_cost, demand(p), capacity); }, lo, hi);
}

}  // namespace cm
