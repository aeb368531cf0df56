#include "agents/customer_value.hpp"

#include <algorithm>
#include <cmath>

#include "agents/ai_layer.hpp"
#include "agents/billing.hpp"
#include "agents/pricing_strategy.hpp"
#include "agents/rationing.hpp"

namespace cm {

namespace {

// Renewal transition rows at the prices as seen: row k = Pr(. | holding k), options x options.
std::vector<double> base_rows(const SegmentOutlook& seg) {
  const std::size_t n = seg.choice.utility.size();
  std::vector<double> rows(n * n, 0.0);
  for (std::size_t k = 0; k < n; ++k)
    choice_probabilities(seg.choice, Supplier(k), seg.switching_cost, std::span<double>(&rows[k * n], n));
  return rows;
}

// The rows when the own option's utility moves by `shift`, from the base rows without another
// exponential per entry. In the nested logit (choice_model.hpp), with a = the own option's share
// within the cloud nest and f = exp(shift / mu), the nest sum scales by r = 1 + a (f - 1), so
//     Pr'(0 | k) = 1 / (1 + r^mu (1 - Pr(0 | k)) / Pr(0 | k)),
//     Pr'(j | k) = Pr(j | k) / (1 - Pr(0 | k)) * (own ? f : 1) / r * (1 - Pr'(0 | k)).
// `base` and `out` hold n x n rows each.
void shift_rows(const double* base, std::size_t n, std::size_t own, double shift, double nesting, double* out) {
  std::copy(base, base + n * n, out);
  if (shift == 0) return;
  const double f = std::exp(shift / nesting);
  for (std::size_t k = 0; k < n; ++k) {
    const double* b = &base[k * n];
    double* o = &out[k * n];
    const double p0 = b[0], cloud = 1.0 - p0;
    if (!(cloud > 0)) continue;  // no cloud to choose: nothing moves
    const double a = b[own] / cloud;
    const double r = 1.0 + a * (f - 1.0);
    const double p0_new = p0 > 0 ? 1.0 / (1.0 + std::pow(r, nesting) * cloud / p0) : 0.0;
    if (std::isfinite(f) && r > 0) {
      const double scale = (1.0 - p0_new) / (cloud * r);
      o[0] = p0_new;
      for (std::size_t j = 1; j < n; ++j) o[j] = b[j] * scale;
      o[own] *= f;
      continue;
    }
    // Far from the seen price f overflows (a deep cut) or r rounds to 0 (a price so high that the
    // own option was the whole nest and is now nothing): take the limits, not 0/0 or 0 * inf. The
    // own option's share within the nest is a f / r, the others' scale by 1 / r = (1 - own) / (1 - a).
    if (a == 0) continue;  // not chosen from this row at any price: the row stays as it is
    const double own_within = a >= 1 ? 1.0 : a / (a + (1.0 - a) / f);
    const double other_scale = a >= 1 ? 0.0 : (1.0 - own_within) / (1.0 - a);
    const double nest_new = r > 0 ? 1.0 - p0_new : 0.0;  // r = 0: the nest has nothing left to offer
    o[0] = r > 0 ? p0_new : 1.0;
    for (std::size_t j = 1; j < n; ++j) o[j] = b[j] / cloud * other_scale * nest_new;
    o[own] = own_within * nest_new;
  }
}

// The months of one evaluation, walked with every segment in lockstep because rationing couples
// them: the vendor's fill rate in month t prices its product for all at the renewals of t + 1.
struct Walk {
  std::vector<double> held;    // per month: budget held by the vendor, all segments
  std::vector<double> units;   // per month: units of the own product wanted
  std::vector<double> other;   // per month: gross profit of the other products
};

Walk walk(const DynamicPricingProblem& pb, double price) {
  const std::size_t months = std::size_t(pb.months());
  const std::size_t own = pb.option;
  const std::size_t n = pb.segments.empty() ? 0 : pb.segments[0].choice.utility.size();
  Walk w{std::vector<double>(months, 0.0), std::vector<double>(months, 0.0), std::vector<double>(months, 0.0)};
  // Every segment's state in a few flat buffers (one allocation each per evaluation, not per phase).
  struct State {
    std::size_t held_at = 0;  // its phases' rows (options each) in `held`, phase-major
    int phases = 0;
    double own_held = 0;
    const double* base = nullptr;  // transition rows at the seen price
    std::size_t deviating_at = 0;  // its rows at the price set, in `deviating`
    double per_spend_deviating = 0, per_spend_staying = 0;
    double layer_deviating = 0, layer_staying = 0;  // the vendor's layer share at the price set, at the seen one
    double seen_cost = 0;  // the expected cost per unit wanted in the choice utilities: seen price, fill_now
  };
  auto per_spend = [](const SegmentOutlook& seg, double p) {
    return p > 0 ? spend_at_price(1.0, p, seg.reference_price, seg.elasticity) / p : 0.0;
  };
  std::size_t held_size = 0;
  for (const auto& seg : pb.segments) held_size += seg.held.size() * n;
  std::vector<double> held(held_size), deviating(pb.segments.size() * n * n);
  std::vector<std::vector<double>> computed_base(pb.segments.size());  // for segments without renewal rows
  std::vector<State> states(pb.segments.size());
  for (std::size_t i = 0, at = 0; i < pb.segments.size(); ++i) {
    const SegmentOutlook& seg = pb.segments[i];
    State& st = states[i];
    st.held_at = at;
    st.phases = int(seg.held.size());
    for (const auto& h : seg.held) {
      std::copy(h.begin(), h.end(), held.begin() + std::ptrdiff_t(at));
      at += n;
      st.own_held += h[own];
    }
    if (seg.renewal_rows.empty()) computed_base[i] = base_rows(seg);
    st.base = seg.renewal_rows.empty() ? computed_base[i].data() : seg.renewal_rows.data();
    st.deviating_at = i * n * n;
    shift_rows(st.base, n, own, seg.utility_per_price * (price - pb.seen_price), seg.choice.nesting,
               &deviating[st.deviating_at]);
    st.per_spend_deviating = per_spend(seg, price);
    st.per_spend_staying = per_spend(seg, pb.seen_price);
    st.layer_staying = seg.layer_share;
    st.layer_deviating = shifted_layer_share(seg.layer_share, seg.layer_utility_per_price * (price - pb.seen_price));
    st.seen_cost = rationed_price(pb.seen_price, pb.fill_now, seg.reference_price, pb.scarcity_premium);
  }
  std::vector<double> next(n), rationed(n * n);
  double fill = pb.fill_now;  // in the choice utilities already
  for (std::size_t t = 0; t < months; ++t) {
    const bool deviating_now = int(t) < pb.deviation_months;
    const double p = deviating_now ? price : pb.seen_price;
    for (std::size_t i = 0; i < pb.segments.size(); ++i) {
      const SegmentOutlook& seg = pb.segments[i];
      State& st = states[i];
      if (st.phases > 0) {
        const double* P = deviating_now ? &deviating[st.deviating_at] : st.base;
        // Firms see the expected cost per unit wanted; a fill other than today's, or a price
        // other than the seen one under rationing, moves the own utility from the seen one.
        if (fill < 1.0 || pb.fill_now < 1.0) {
          const double shift = seg.utility_per_price *
                               (rationed_price(p, fill, seg.reference_price, pb.scarcity_premium) - st.seen_cost);
          shift_rows(st.base, n, own, shift, seg.choice.nesting, rationed.data());
          P = rationed.data();
        }
        double* h = &held[st.held_at + std::size_t((seg.first_phase + int(t)) % st.phases) * n];
        std::fill(next.begin(), next.end(), 0.0);
        for (std::size_t k = 0; k < n; ++k)
          if (h[k] != 0)
            for (std::size_t j = 0; j < n; ++j) next[j] += h[k] * P[k * n + j];
        st.own_held += next[own] - h[own];
        std::copy(next.begin(), next.end(), h);
      }
      double units = st.own_held * seg.own_spend[t] * (deviating_now ? st.per_spend_deviating : st.per_spend_staying);
      if (!seg.layer_spend.empty())
        units += seg.layer_spend[t] * (deviating_now ? st.layer_deviating * st.per_spend_deviating
                                                     : st.layer_staying * st.per_spend_staying);
      w.held[t] += st.own_held;
      w.units[t] += units;
      w.other[t] += st.own_held * seg.other_profit[t];
    }
    // The share of the own product's demand served this month, seen next month.
    fill = w.units[t] > pb.capacity[t] ? pb.capacity[t] / w.units[t] : 1.0;
  }
  return w;
}

}  // namespace

SegmentOutlook with_renewal_rows(SegmentOutlook segment) {
  segment.renewal_rows = base_rows(segment);
  return segment;
}

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
