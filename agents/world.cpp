#include "agents/world.hpp"

#include <cmath>

#include "agents/billing.hpp"
#include "agents/capacity_planning.hpp"
#include "agents/pricing.hpp"

namespace cm {

World::World(const Scenario& sc)
    : scenario(sc),
      calendar(sc.time.start),
      prices(sc, calendar),
      market(sc),
      active_(sc.vendors.size(), 1),
      months_negative_(sc.vendors.size(), 0),
      capacity_(sc.vendors.size(), sc.products.size()),
      experience_(sc.vendors.size(), sc.products.size()),
      initial_experience_(sc.vendors.size(), sc.products.size()),
      product_profit_(sc.vendors.size(), sc.products.size()),
      unserved_(sc.vendors.size(), 0.0),
      orders_(sc.vendors.size()),
      depreciation_(sc.vendors.size()) {
  for (std::size_t v = 0; v < sc.vendors.size(); ++v) {
    cash_.push_back(sc.vendors[v].cash);
    for (std::size_t p = 0; p < sc.products.size(); ++p) {
      const Offer& o = sc.vendors[v].offers[p];
      capacity_(v, p) = o.capacity;
      initial_experience_(v, p) = o.initial_experience > 0 ? o.initial_experience : 12 * o.capacity;
      experience_(v, p) = initial_experience_(v, p);
    }
  }
}

double World::compute_capacity_ratio(std::size_t v) const {
  double now = 0, start = 0;
  for (std::size_t p = 0; p < scenario.products.size(); ++p) {
    if (scenario.products[p].kind != ProductKind::compute) continue;
    now += capacity_(v, p) * market.reference_price()[p];
    start += scenario.vendors[v].offers[p].capacity * market.reference_price()[p];
  }
  return start > 0 ? now / start : 1.0;
}

double World::unit_cost(std::size_t v, std::size_t p) const {
  const Offer& offer = scenario.vendors[v].offers[p];
  return unit_cost_at(offer, current_month_) *
         learning_factor(experience_(v, p), initial_experience_(v, p), offer.learning_rate);
}

std::vector<double> World::budget_factors(int month) const {
  std::vector<double> factor(scenario.segments.size(), 1.0);
  const std::int64_t today = days_from_civil(calendar.add_months(month));
  for (const auto& e : scenario.events) {
    if (e.type != EventType::budget_shock || days_from_civil(e.at) > today) continue;
    if (e.until && days_from_civil(*e.until) <= today) continue;
    factor[e.segment] *= 1.0 + *e.change;
  }
  return factor;
}

SupplyConditions World::supply(int month) const { return {prices.in_force(month_start(month)), active_, unserved_}; }

void World::open_month(int month) {
  current_month_ = month;
  const auto sets = market.choice_sets(supply(month));
  for (std::size_t v : pending_exits_) market.rechoose_customers_of(v, month, sets);
  pending_exits_.clear();
  market.renew(month, sets);
  if (month > 0) market.adopt_ai(month);
}

MonthReport World::close_month(int month) {
  const std::size_t vendors = scenario.vendors.size(), products = scenario.products.size();
  const auto factor = budget_factors(month);
  MonthReport r;
  r.month = month;
  r.price = prices.in_force(month_start(month));
  r.capacity = capacity_;
  r.cogs = Grid(vendors, products);

  std::vector<double> elasticity;
  for (const auto& s : scenario.segments) elasticity.push_back(s.price_elasticity);
  const auto wanted = market.wanted_at_reference(month, factor);
  Bill bill = bill_month(wanted, elasticity, market.reference_price(), r.price, r.capacity);
  r.quantity = bill.quantity;
  r.revenue = bill.revenue;
  r.segment_spend = bill.segment_spend;

  const auto contracts = market.contracts();
  for (std::size_t v = 0; v < vendors; ++v) {
    const Vendor& vendor = scenario.vendors[v];
    double revenue = 0, cogs = 0, wanted_spend = 0, served_spend = 0, depreciation = 0;
    for (std::size_t p = 0; p < products; ++p) {
      r.cogs(v, p) = r.quantity(v, p) * unit_cost(v, p);
      revenue += r.revenue(v, p);
      cogs += r.cogs(v, p);
      product_profit_(v, p) += r.revenue(v, p) - r.cogs(v, p);
      experience_(v, p) += r.quantity(v, p);
      wanted_spend += bill.wanted(v, p) * r.price(v, p);
      served_spend += bill.quantity(v, p) * r.price(v, p);
    }
    unserved_[v] = wanted_spend > 0 ? 1.0 - served_spend / wanted_spend : 0.0;
    for (const auto& d : depreciation_[v])
      if (month >= d.from && month < d.to) depreciation += d.per_month;
    const double fixed = active_[v] ? vendor.fixed_cost_per_month : 0.0;
    r.fixed_cost.push_back(fixed);
    r.depreciation.push_back(depreciation);
    r.capex.push_back(0.0);
    cash_[v] += revenue - cogs - fixed;
    r.customers.push_back(active_[v] ? contracts[v + 1] : 0);
  }
  demand_history_.push_back(bill.wanted);
  for (std::size_t v = 0; v < vendors; ++v) {
    if (!active_[v]) continue;
    if (scenario.vendors[v].capacity_policy) plan_capacity(v, month, bill.wanted, r);
    months_negative_[v] = cash_[v] < 0 ? months_negative_[v] + 1 : 0;
    const Duration& grace = scenario.vendors[v].exit_after;
    const int grace_months = grace.months + int(std::ceil(grace.days / 30.4375));
    if (months_negative_[v] > grace_months) retire(v, month, r);
  }
  r.cash = cash_;
  for (const auto& s : scenario.segments) r.segment_firms.push_back(s.firms);
  r.segment_cloud_firms = market.cloud_firms();
  r.ai_adoption = market.ai_adoption();
  r.firm_decisions = market.decisions();
  r.consumer_surplus = market.consumer_surplus(month, factor, market.choice_sets(supply(month)));

  // Capacity ordered earlier enters service for the next month.
  for (std::size_t v = 0; v < vendors; ++v) {
    auto& pending = orders_[v];
    for (auto it = pending.begin(); it != pending.end();) {
      if (it->arrives <= month + 1) {
        capacity_(v, it->product) += it->units;
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
  }
  return r;
}

void World::plan_capacity(std::size_t v, int month, const Grid& wanted, MonthReport& r) {
  const Vendor& vendor = scenario.vendors[v];
  const CapacityPolicy& policy = *vendor.capacity_policy;
  const int lead = policy.lead_time.months;
  for (std::size_t p = 0; p < scenario.products.size(); ++p) {
    double on_order = 0;
    for (const auto& o : orders_[v])
      if (o.product == p) on_order += o.units;
    const int span = std::min(month, 12);  // growth over up to a year of history
    const double before = demand_history_[std::size_t(month - span)](v, p);
    const double units =
        capacity_order(wanted(v, p), before, span, capacity_(v, p), on_order, lead, policy.target_utilization);
    if (units <= 0) continue;
    // Capacity gets cheaper with the same input-price trend as running it.
    const double capex = units * vendor.offers[p].capex_per_unit * std::pow(1.0 + vendor.offers[p].cost_trend, month / 12.0);
    orders_[v].push_back({month + 1 + lead, p, units});
    cash_[v] -= capex;
    r.capex[v] += capex;
    const int life = std::max(1, int(std::lround(policy.life_years * 12)));
    if (capex > 0) depreciation_[v].push_back({month + 1 + lead, month + 1 + lead + life, capex / life});
  }
}

void World::retire(std::size_t v, int month, MonthReport& r) {
  active_[v] = false;
  orders_[v].clear();
  r.exits.push_back({v, month_start(month + 1), cash_[v], r.customers[v]});
  pending_exits_.push_back(v);
}

double World::expected_profit(std::size_t v, const Grid& price_grid, int month) const {
  const auto sets = market.choice_sets({price_grid, active_, unserved_});
  const auto wanted = market.expected_wanted_at_reference(month, budget_factors(month), sets);
  double profit = 0;
  for (std::size_t p = 0; p < scenario.products.size(); ++p) {
    const double price = price_grid(v, p);
    if (price <= 0) continue;
    double spend = 0;
    for (std::size_t s = 0; s < wanted.size(); ++s)
      spend += spend_at_price(wanted[s](v, p), price, market.reference_price()[p], scenario.segments[s].price_elasticity);
    profit += spend / price * (price - unit_cost(v, p));
  }
  return profit;
}

}  // namespace cm
