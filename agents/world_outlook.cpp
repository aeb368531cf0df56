// What a forward-looking vendor knows when it prices (docs/model.md, "Dynamic best response and
// scarcity"): who holds whom by renewal phase, how budgets and AI adoption will grow, its costs
// and its capacity in service and on order. World gathers it; customer_value.cpp does the economics.
#include <cmath>

#include "agents/ai_layer.hpp"
#include "agents/bass.hpp"
#include "agents/on_premises.hpp"
#include "agents/billing.hpp"
#include "agents/pricing.hpp"
#include "agents/world.hpp"

namespace cm {

std::vector<double> World::capacity_outlook(std::size_t v, std::size_t p, int month, int months) const {
  const double reserved = gpu_product_ == p ? reserved_gpu_hours_[v] : 0.0;
  const double availability_now = availability(v, month);
  std::vector<double> out;
  for (int t = 0; t < months; ++t) {
    // Orders arriving by month + 1 + t are in service then (close_month adds them at the end of
    // the month before they arrive).
    double units = capacity_(v, p);
    for (const auto& o : orders_[v])
      if (o.product == p && o.arrives <= month + 1 + t) units += o.units;
    out.push_back(std::max(0.0, units * availability_now - reserved));
  }
  return out;
}

DynamicPricingProblem World::dynamic_pricing_problem(std::size_t v, std::size_t q, const Grid& prices, int month,
                                                     const Pricing& pricing) const {
  const int months = std::max(1, pricing.horizon.months);
  const std::size_t products = scenario.products.size();
  const auto sets = market.choice_sets(supply_at(prices, fill_, month));
  const auto factor = budget_factors(month);  // shocks are not foreseen: today's persist
  const auto& ref = market.reference_price();
  const Offer& offer = scenario.vendors[v].offers[q];

  DynamicPricingProblem pb;
  pb.option = v + 1;
  pb.seen_price = prices(v, q);
  pb.monthly_discount = monthly_discount(pricing.discount_rate);
  // The vendor values a price as if it held it over the whole horizon (a stationary price): a
  // deviation held only until the next review, with the current price after it, makes a
  // one-month trade-off between the base's margin and a cohort's lifetime value that jumps
  // between the floor and the ceiling (docs/model.md).
  pb.deviation_months = months;
  const double cost_now = unit_cost(v, q);
  // Dated cost trends are public: the path follows the schedule into the future.
  for (int t = 0; t < months; ++t) pb.unit_cost.push_back(cost_now * cost_trend_factor(offer, month, month + t + 1));
  pb.capacity = capacity_outlook(v, q, month, months);
  pb.scarcity_premium = scenario.market.dated.at("scarcity_premium", scenario.market.scarcity_premium, month);
  pb.fill_now = fill_(v, q);
  // Today's unit costs of the vendor's other products weigh their margins over the horizon.
  std::vector<double> cost(products);
  for (std::size_t p = 0; p < products; ++p) cost[p] = unit_cost(v, p);

  for (std::size_t s = 0; s < scenario.segments.size(); ++s) {
    if (!sets[s].available[v + 1]) continue;  // the segment cannot buy from v
    const Segment& seg = scenario.segments[s];
    const auto& tallies = market.phase_tallies(s);
    SegmentOutlook o;
    o.choice = sets[s];
    // Parameters read live hold their values of the review month over the horizon; dated growth
    // rates (budgets, AI spend, Bass p and q) follow their schedules month by month. A cut budget
    // weighs the cloud bill by w_s (agents/on_premises.hpp); the on-premises utility of today (its
    // cost path is not extrapolated, like rivals' prices) is in the choice set.
    o.switching_cost = seg.dated.at("switching_cost", seg.switching_cost, month);
    const double price_sensitivity = seg.dated.at("price_sensitivity", seg.price_sensitivity, month);
    const double weight = cloud_cost_weight(seg.on_premises, month, factor[s]);
    o.utility_per_price = ref[q] > 0 ? -price_sensitivity * weight * market.spend_shares()(s, q) / ref[q] : 0.0;
    o.elasticity = seg.dated.at("price_elasticity", seg.price_elasticity, month);
    o.reference_price = ref[q] > 0 ? ref[q] : 1.0;
    o.first_phase = int((month + 1) % int(tallies.size()));
    double base = 0, ai = 0;
    for (const auto& tally : tallies) {
      o.held.push_back(tally.budget);
      for (std::size_t k = 0; k < tally.budget.size(); ++k) base += tally.budget[k], ai += tally.ai_budget[k];
    }
    // AI adopters are taken to be spread over suppliers like budgets; their budget-weighted share
    // moves along the Bass flow (adoption runs at each month start, before billing).
    double adopted = base > 0 ? ai / base : 0.0;
    // The other products' spend at their prices as seen, per unit of spend at reference prices.
    std::vector<double> at_seen_price(products, 0.0);
    for (std::size_t p = 0; p < products; ++p)
      if (p != q && prices(v, p) > 0 && ref[p] > 0) at_seen_price[p] = spend_factor(prices(v, p), ref[p], o.elasticity);
    // The unbundled AI layer (agents/ai_layer.hpp): a fraction u of the own model product's AI spend
    // is bought from marketplaces whoever holds the firm; the rest follows the holder.
    const double u = market.unbundled(q) ? scenario.market.ai_layer_unbundled : 0.0;
    if (u > 0) {
      const double model_weight = market.ai_layer_weight(s);
      o.layer_share = sets[s].layer.empty() ? 0.0 : sets[s].layer[v + 1];
      o.layer_utility_per_price =
          ref[q] > 0 && model_weight > 0 ? -price_sensitivity * market.ai_shares()(s, q) / ref[q] / model_weight : 0.0;
    }
    for (int t = 0; t < months; ++t) {
      const int m = month + 1 + t;
      if (seg.ai_adoption && adopted < 1.0) {
        const AiAdoption& ai = *seg.ai_adoption;
        adopted = bass_step(ai.dated.at("p", ai.p, m), ai.dated.at("q", ai.q, m), adopted, 1.0 / 12.0);
      }
      const double scale = market.growth_factor(s, m) * factor[s] / 12.0;
      const double ai_scale = adopted * market.ai_factor(s, m);
      double own = 0, other = 0;
      for (std::size_t p = 0; p < products; ++p) {
        // Per unit held: the part of the AI layer bought apart does not follow the holder.
        const double held_ai = market.unbundled(p) ? 1.0 - scenario.market.ai_layer_unbundled : 1.0;
        const double spend = scale * (market.spend_shares()(s, p) + held_ai * ai_scale * market.ai_shares()(s, p));
        if (p == q) {
          own = spend;
          // The layer: every adopter of the segment (all budgets, whoever holds them).
          if (u > 0) o.layer_spend.push_back(u * scale * ai_scale * market.ai_shares()(s, p) * base);
        } else if (prices(v, p) > 0 && ref[p] > 0) {
          const double price = prices(v, p);
          other += spend * at_seen_price[p] * (price - cost[p]) / price;
        }
      }
      o.own_spend.push_back(own);
      o.other_profit.push_back(other);
    }
    pb.segments.push_back(with_renewal_rows(std::move(o)));
  }
  return pb;
}

}  // namespace cm
