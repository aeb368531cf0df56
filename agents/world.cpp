#include "agents/world.hpp"

#include "agents/billing.hpp"
#include "agents/pricing.hpp"

namespace cm {

World::World(const Scenario& sc) : scenario(sc), calendar(sc.time.start), prices(sc, calendar), market(sc) {
  for (const auto& v : sc.vendors) cash_.push_back(v.cash);
}

MonthReport World::close_month(int month) {
  const std::size_t vendors = scenario.vendors.size(), products = scenario.products.size();
  MonthReport r;
  r.month = month;
  r.price = prices.in_force(month_start(month));
  r.capacity = Grid(vendors, products);
  r.cogs = Grid(vendors, products);
  for (std::size_t v = 0; v < vendors; ++v)
    for (std::size_t p = 0; p < products; ++p) r.capacity(v, p) = scenario.vendors[v].offers[p].capacity;

  Bill bill = bill_month(market.monthly_budget_on(month), market.spend_shares(), r.price, r.capacity);
  r.quantity = std::move(bill.quantity);
  r.revenue = std::move(bill.revenue);
  r.segment_spend = std::move(bill.segment_spend);

  const auto firms = market.firms_on();
  for (std::size_t v = 0; v < vendors; ++v) {
    const Vendor& vendor = scenario.vendors[v];
    double revenue = 0, cogs = 0;
    for (std::size_t p = 0; p < products; ++p) {
      r.cogs(v, p) = r.quantity(v, p) * unit_cost_at(vendor.offers[p], month);
      revenue += r.revenue(v, p);
      cogs += r.cogs(v, p);
    }
    cash_[v] += revenue - cogs - vendor.fixed_cost_per_month;
    r.fixed_cost.push_back(vendor.fixed_cost_per_month);
    r.cash.push_back(cash_[v]);
    r.customers.push_back(firms[v + 1]);
  }
  for (const auto& s : scenario.segments) r.segment_firms.push_back(s.firms);
  r.segment_cloud_firms = market.cloud_firms();
  r.consumer_surplus = market.consumer_surplus(month, r.price);
  return r;
}

}  // namespace cm
