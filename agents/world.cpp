#include "agents/world.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "agents/billing.hpp"
#include "agents/capacity_planning.hpp"
#include "agents/model_api_market.hpp"
#include "agents/pricing.hpp"
#include "agents/startup_valuation.hpp"

namespace cm {

World::World(const Scenario& sc)
    : scenario(sc),
      calendar(sc.time.start),
      prices(sc, calendar),
      market(sc),
      startups(sc),
      active_(sc.vendors.size(), 1),
      months_negative_(sc.vendors.size(), 0),
      capacity_(sc.vendors.size(), sc.products.size()),
      experience_(sc.vendors.size(), sc.products.size()),
      initial_experience_(sc.vendors.size(), sc.products.size()),
      fill_(sc.vendors.size(), sc.products.size(), 1.0),
      reserved_gpu_hours_(sc.vendors.size(), 0.0),
      orders_(sc.vendors.size()),
      depreciation_(sc.vendors.size()),
      vendor_invested_(sc.vendors.size(), 0.0),
      fund_invested_(sc.investors.size(), 0.0) {
  // A fund's cash counts all its committed capital; it invests a tranche only from its date.
  for (const auto& fund : sc.investors) fund_cash_.push_back(fund.policy.total_capital());
  held_.resize(sc.startups.size());
  planned_spend_.assign(sc.startups.size(), 0.0);
  for (std::size_t p = 0; p < sc.products.size() && !gpu_product_; ++p)
    if (sc.products[p].unit == "gpu_hour") gpu_product_ = p;
  for (std::size_t p = 0; p < sc.products.size() && !gpu_product_; ++p)
    if (sc.products[p].kind == ProductKind::compute) gpu_product_ = p;
  for (std::size_t p = 0; p < sc.products.size(); ++p)
    if (sc.products[p].kind == ProductKind::model) model_products_.push_back(p);
  initial_ecosystem_ = ecosystem_utility(0);
  for (const auto& vendor : sc.vendors)
    chips_.push_back(vendor.chip_programme ? std::optional<ChipProgrammeTrack>(std::in_place, *vendor.chip_programme,
                                                                               calendar, sc.time.months())
                                           : std::nullopt);
  for (std::size_t v = 0; v < sc.vendors.size(); ++v) {
    cash_.push_back(sc.vendors[v].cash);
    for (std::size_t p = 0; p < sc.products.size(); ++p) {
      const Offer& o = sc.vendors[v].offers[p];
      capacity_(v, p) = o.capacity;
    }
  }
  size_opening_capacity();
  opening_capacity_ = capacity_;
  for (std::size_t v = 0; v < sc.vendors.size(); ++v)
    for (std::size_t p = 0; p < sc.products.size(); ++p) {
      const double given = sc.vendors[v].offers[p].initial_experience;
      initial_experience_(v, p) = given > 0 ? given : 12 * capacity_(v, p);
      experience_(v, p) = initial_experience_(v, p);
    }
}

// Offers given `capacity: {utilization: u}` open with capacity = D / u, D the units the opening
// customers want at the opening prices (unrationed; startups' training not included).
void World::size_opening_capacity() {
  const std::size_t vendors = scenario.vendors.size(), products = scenario.products.size();
  bool any = false;
  for (const auto& vendor : scenario.vendors)
    for (const auto& o : vendor.offers) any = any || o.opening_utilization > 0;
  if (!any) return;
  const Grid unlimited(vendors, products, limits::kMaxQuantity);
  const auto wanted = market.wanted_at_reference(0, budget_factors(0), market.choice_sets(supply(0)));
  const Bill bill = bill_month(wanted, price_elasticities(0), market.reference_price(), prices.in_force(month_start(0)),
                               unlimited);
  for (std::size_t v = 0; v < vendors; ++v)
    for (std::size_t p = 0; p < products; ++p) {
      const double u = scenario.vendors[v].offers[p].opening_utilization;
      if (u > 0) capacity_(v, p) = bill.wanted(v, p) / u;
    }
}

double World::compute_capacity_ratio(std::size_t v) const {
  // The hosts are the accelerator fleet when there is a GPU product; else all compute capacity.
  if (gpu_product_) {
    const double start = opening_capacity_(v, *gpu_product_);
    return start > 0 ? capacity_(v, *gpu_product_) / start : 1.0;
  }
  double now = 0, start = 0;
  for (std::size_t p = 0; p < scenario.products.size(); ++p) {
    if (scenario.products[p].kind != ProductKind::compute) continue;
    now += capacity_(v, p) * market.reference_price()[p];
    start += opening_capacity_(v, p) * market.reference_price()[p];
  }
  return start > 0 ? now / start : 1.0;
}

double World::unit_cost(std::size_t v, std::size_t p) const {
  const Offer& offer = scenario.vendors[v].offers[p];
  const double chips = p == gpu_product_ ? chip_cost_factor(v, current_month_) : 1.0;
  return unit_cost_at(offer, current_month_) * shock_factor(v, p, current_month_) * chips *
         learning_factor(experience_(v, p), initial_experience_(v, p), offer.learning_rate);
}

double World::chip_cost_factor(std::size_t v, int month) const {
  return chips_[v] ? chips_[v]->cost_factor(month) : 1.0;
}

std::vector<const Event*> World::events_in_force(EventType type, int month) const {
  const std::int64_t today = days_from_civil(calendar.add_months(month));
  std::vector<const Event*> in_force;
  for (const auto& e : scenario.events)
    if (e.type == type && days_from_civil(e.at) <= today && (!e.until || days_from_civil(*e.until) > today))
      in_force.push_back(&e);
  return in_force;
}

std::vector<double> World::price_elasticities(int month) const {
  std::vector<double> elasticity;
  for (const auto& s : scenario.segments) elasticity.push_back(s.dated.at("price_elasticity", s.price_elasticity, month));
  return elasticity;
}

std::vector<double> World::budget_factors(int month) const {
  std::vector<double> factor(scenario.segments.size(), 1.0);
  for (const Event* e : events_in_force(EventType::budget_shock, month)) factor[e->segment] *= 1.0 + *e->change;
  return factor;
}

SupplyConditions World::supply(int month) const { return supply_at(prices.in_force(month_start(month)), fill_, month); }

SupplyConditions World::supply_at(const Grid& price_grid, const Grid& fill, int month) const {
  SupplyConditions supply{price_grid, active_, fill, ecosystem_utility(month), month, budget_factors(month), {}};
  if (scenario.market.ai_layer_unbundled > 0) {
    // The unbundled AI layer's appeal: the models a marketplace hosts (agents/ai_layer.hpp).
    const MarketRules& m = scenario.market;
    for (std::size_t v = 0; v < scenario.vendors.size(); ++v) {
      const auto eco = startups.ecosystem(v, scenario.vendors[v].ai_strategy);
      supply.model_appeal.push_back(m.model_quality_weight * eco.best_quality + m.ecosystem_weight * std::log1p(eco.models));
    }
  }
  return supply;
}

void World::open_month(int month) {
  current_month_ = month;
  const auto sets = market.choice_sets(supply(month));
  for (std::size_t v : pending_exits_) market.rechoose_customers_of(v, month, sets);
  pending_exits_.clear();
  market.renew(month, sets);
  if (month > 0) market.adopt_ai(month);
}

MonthReport World::close_month(int month, const std::vector<ComputeUse>& training) {
  const std::size_t vendors = scenario.vendors.size(), products = scenario.products.size();
  const auto factor = budget_factors(month);
  MonthReport r;
  r.month = month;
  r.price = prices.in_force(month_start(month));
  r.capacity = capacity_;
  for (std::size_t v = 0; v < vendors; ++v)
    for (std::size_t p = 0; p < products; ++p) r.capacity(v, p) *= availability(v, month);
  r.cogs = Grid(vendors, products);

  // Startups' training is billed first: their GPU-hours are reserved capacity.
  std::vector<double> gpu_price(vendors, 0.0);
  if (gpu_product_)
    for (std::size_t v = 0; v < vendors; ++v) gpu_price[v] = r.price(v, *gpu_product_);
  const ComputeBill compute = startups.bill_compute(training, gpu_price, month);
  reserved_gpu_hours_ = compute.gpu_hours;
  Grid for_enterprises = r.capacity;
  if (gpu_product_)
    for (std::size_t v = 0; v < vendors; ++v)
      for_enterprises(v, *gpu_product_) = std::max(0.0, r.capacity(v, *gpu_product_) - compute.gpu_hours[v]);

  const std::vector<double> elasticity = price_elasticities(month);
  const auto wanted = market.wanted_at_reference(month, factor, market.choice_sets(supply(month)));
  Bill bill = bill_month(wanted, elasticity, market.reference_price(), r.price, for_enterprises);
  if (gpu_product_) {
    enterprise_gpu_hours_.assign(vendors, 0.0);
    for (std::size_t v = 0; v < vendors; ++v) enterprise_gpu_hours_[v] = bill.wanted(v, *gpu_product_);
  }
  fill_ = bill.served;  // what firms see of each vendor's delivery at next month's renewals
  r.quantity = bill.quantity;
  r.revenue = bill.revenue;
  r.segment_spend = bill.segment_spend;
  if (gpu_product_)
    for (std::size_t v = 0; v < vendors; ++v) {
      r.quantity(v, *gpu_product_) += compute.gpu_hours[v];
      r.revenue(v, *gpu_product_) += compute.revenue[v];
      bill.wanted(v, *gpu_product_) += compute.gpu_hours[v];
      bill.quantity(v, *gpu_product_) += compute.gpu_hours[v];
    }

  // Models with their own API prices: buyers pay those, not the list price (billed with the month).
  const ModelPayouts models = startups.split_models(r.revenue, r.quantity, model_products_, gpu_price, month_start(month));
  for (std::size_t v = 0; v < vendors; ++v)
    for (std::size_t p : model_products_) {
      const double extra = models.buyers_extra(v, p);
      if (extra == 0) continue;
      r.revenue(v, p) += extra;
      // Each segment pays in proportion to its spend on the product at the vendor.
      std::vector<double> part(scenario.segments.size(), 0.0);
      double total = 0;
      for (std::size_t s = 0; s < part.size(); ++s)
        total += (part[s] = spend_at_price(wanted[s](v, p), r.price(v, p), market.reference_price()[p], elasticity[s]) *
                            bill.served(v, p));
      for (std::size_t s = 0; s < part.size() && total > 0; ++s) r.segment_spend[s] += extra * part[s] / total;
    }
  last_quantity_ = r.quantity;
  double model_revenue = 0;
  for (std::size_t v = 0; v < vendors; ++v)
    for (std::size_t p : model_products_) model_revenue += r.revenue(v, p);
  model_revenue_.push_back(model_revenue);

  const auto contracts = market.contracts();
  for (std::size_t v = 0; v < vendors; ++v) {
    const Vendor& vendor = scenario.vendors[v];
    double revenue = 0, cogs = 0, depreciation = 0;
    for (std::size_t p = 0; p < products; ++p) {
      r.cogs(v, p) = r.quantity(v, p) * unit_cost(v, p);
      revenue += r.revenue(v, p);
      cogs += r.cogs(v, p);
      experience_(v, p) += r.quantity(v, p);
    }
    for (const auto& d : depreciation_[v])
      if (month >= d.from && month < d.to) depreciation += d.per_month;
    const double fixed = active_[v] ? vendor.dated.at("fixed_cost_per_month", vendor.fixed_cost_per_month, month) : 0.0;
    r.fixed_cost.push_back(fixed);
    r.depreciation.push_back(depreciation);
    r.capex.push_back(0.0);
    // A chip programme's R&D is paid while the vendor is in the market.
    const double rd = active_[v] && chips_[v] ? chips_[v]->rd_spend(month) : 0.0;
    r.chip_rd_spend.push_back(rd);
    r.chip_cost_factor.push_back(chip_cost_factor(v, month));
    r.chip_sales.push_back(0.0);
    r.chip_sales_cost.push_back(0.0);
    r.chip_output.push_back(0.0);
    cash_[v] += revenue - compute.revenue[v] - cogs - fixed - rd;  // startups' compute settles below
    r.customers.push_back(active_[v] ? contracts[v + 1] : 0);
  }
  demand_history_.push_back(bill.wanted);
  Grid gross(vendors, products);
  for (std::size_t v = 0; v < vendors; ++v)
    for (std::size_t p = 0; p < products; ++p) gross(v, p) = r.revenue(v, p) - r.cogs(v, p);
  profit_history_.push_back(std::move(gross));
  std::vector<CapacityRequest> requests;
  for (std::size_t v = 0; v < vendors; ++v)
    if (active_[v] && scenario.vendors[v].capacity_policy)
      for (const auto& q : plan_capacity(v, month, bill.wanted)) requests.push_back(q);
  std::vector<double> spare(vendors, 0.0);
  use_own_chips(month, requests, spare);
  apply_export_controls(month, requests, spare);
  for (const auto& q : requests) place_order(q, month, r);
  settle_startups(month, compute, models, r);
  // With all of the month's cash flows posted: vendors whose cash stayed negative too long leave.
  for (std::size_t v = 0; v < vendors; ++v) {
    if (!active_[v]) continue;
    months_negative_[v] = cash_[v] < 0 ? months_negative_[v] + 1 : 0;
    const Duration& grace = scenario.vendors[v].exit_after;
    const int grace_months = grace.months + int(std::ceil(grace.days / 30.4375));
    if (months_negative_[v] > grace_months) retire(v, month, r);
  }
  r.cash = cash_;
  for (const auto& s : scenario.segments) r.segment_firms.push_back(s.firms);
  r.segment_cloud_firms = market.cloud_firms();
  r.ai_adoption = market.ai_adoption();
  r.on_premises_cost = market.on_premises_cost_index(month);
  {
    const PremisesFlows& flows = market.premises_flows();
    if (reported_flows_.repatriated.empty()) reported_flows_ = {std::vector<std::int64_t>(flows.repatriated.size(), 0),
                                                                std::vector<std::int64_t>(flows.returned.size(), 0)};
    for (std::size_t s = 0; s < flows.repatriated.size(); ++s) {
      r.repatriations.push_back(flows.repatriated[s] - reported_flows_.repatriated[s]);
      r.returns.push_back(flows.returned[s] - reported_flows_.returned[s]);
    }
    reported_flows_ = flows;
  }
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

std::vector<World::CapacityRequest> World::plan_capacity(std::size_t v, int month, const Grid& wanted) const {
  const Vendor& vendor = scenario.vendors[v];
  const CapacityPolicy& policy = *vendor.capacity_policy;
  std::vector<CapacityRequest> requests;
  for (std::size_t p = 0; p < scenario.products.size(); ++p) {
    double on_order = 0;
    for (const auto& o : orders_[v])
      if (o.product == p) on_order += o.units;
    const int span = std::min(month, 12);  // growth over up to a year of history
    const double before = demand_history_[std::size_t(month - span)](v, p);
    const double units = capacity_order(wanted(v, p), before, span, capacity_(v, p), on_order,
                                        policy.lead_time.months, policy.target_utilization);
    if (units > 0) requests.push_back({v, p, units, capex_per_unit(v, p, month), false, std::nullopt, 0.0});
  }
  return requests;
}

double World::capex_per_unit(std::size_t v, std::size_t p, int month) const {
  // Capacity gets cheaper with the same input-price trend as running it, dearer with cost shocks,
  // cheaper with the vendor's own chips (its GPU product).
  const Offer& offer = scenario.vendors[v].offers[p];
  return offer.capex_per_unit * cost_trend_factor(offer, month) * shock_factor(v, p, month) *
         (p == gpu_product_ ? chip_cost_factor(v, month) : 1.0);
}

void World::use_own_chips(int month, std::vector<CapacityRequest>& requests, std::vector<double>& spare) const {
  if (!gpu_product_) return;
  for (std::size_t v = 0; v < scenario.vendors.size(); ++v) spare[v] = active_[v] && chips_[v] ? chips_[v]->supply(month) : 0.0;
  std::vector<CapacityRequest> own;
  for (auto& q : requests) {
    if (q.product != *gpu_product_ || q.own_chips || q.seller || !(spare[q.vendor] > 0)) continue;
    const double units = std::min(q.units, spare[q.vendor]);
    spare[q.vendor] -= units;
    q.units -= units;
    CapacityRequest part = q;
    part.units = units;
    part.own_chips = true;
    own.push_back(part);
  }
  requests.insert(requests.end(), own.begin(), own.end());
}

void World::apply_export_controls(int month, std::vector<CapacityRequest>& requests, std::vector<double>& spare) const {
  const std::size_t vendors = scenario.vendors.size();
  for (const Event* control : events_in_force(EventType::export_control, month)) {
    const Event& ev = *control;
    // The region's vendors share the substitute's monthly output in proportion to what they ask;
    // capacity built with their own chips is not controlled.
    auto affected = [&](const CapacityRequest& q) {
      return !q.own_chips && !q.seller && q.product == ev.product && scenario.vendors[q.vendor].region == *ev.region;
    };
    double asked = 0;
    for (const auto& q : requests)
      if (affected(q)) asked += q.units;
    const double granted = asked > 0 ? std::min(1.0, ev.substitute_cap / asked) : 0.0;
    std::vector<double> unmet(vendors, 0.0);
    for (auto& q : requests) {
      if (!affected(q)) continue;
      unmet[q.vendor] += q.units * (1.0 - granted);
      q.units *= granted;
      q.capex_per_unit /= ev.substitute_efficiency;
    }
    // The region's chip programmes sell their spare supply to what the control left unmet.
    if (ev.product != gpu_product_) continue;
    std::vector<std::size_t> sellers;
    std::vector<double> supply;
    for (std::size_t v = 0; v < vendors; ++v)
      if (spare[v] > 0 && scenario.vendors[v].region == *ev.region) {
        sellers.push_back(v);
        supply.push_back(spare[v]);
      }
    if (sellers.empty()) continue;
    const auto units = allocate_chip_sales(supply, unmet);
    const std::size_t p = ev.product;
    for (std::size_t i = 0; i < sellers.size(); ++i) {
      const std::size_t s = sellers[i];
      const double cost = capex_per_unit(s, p, month);  // the seller's, after its saving: what making it costs
      const double price = cost * (1.0 + scenario.vendors[s].chip_programme->markup);
      for (std::size_t b = 0; b < vendors; ++b) {
        if (!(units[i][b] > 0)) continue;
        requests.push_back({b, p, units[i][b], price, false, s, cost});
        spare[s] -= units[i][b];
      }
    }
  }
}

void World::place_order(const CapacityRequest& q, int month, MonthReport& r) {
  if (q.units <= 0) return;
  const CapacityPolicy& policy = *scenario.vendors[q.vendor].capacity_policy;
  const int arrives = month + 1 + policy.lead_time.months;
  const double capex = q.units * q.capex_per_unit;
  orders_[q.vendor].push_back({arrives, q.product, q.units});
  cash_[q.vendor] -= capex;
  r.capex[q.vendor] += capex;
  if (q.own_chips) r.chip_output[q.vendor] += q.units;
  if (q.seller) {
    // The seller books the sale, less what making the capacity cost it.
    const std::size_t s = *q.seller;
    const double cost = q.units * q.seller_cost_per_unit;
    cash_[s] += capex - cost;
    r.chip_sales[s] += capex;
    r.chip_sales_cost[s] += cost;
    r.chip_output[s] += q.units;
  }
  const int life = std::max(1, int(std::lround(policy.life_years * 12)));
  if (capex > 0) depreciation_[q.vendor].push_back({arrives, arrives + life, capex / life});
}

void World::retire(std::size_t v, int month, MonthReport& r) {
  active_[v] = false;
  orders_[v].clear();
  r.exits.push_back({v, month_start(month + 1), cash_[v], r.customers[v]});
  pending_exits_.push_back(v);
}

std::vector<double> World::product_profit_by_month(std::size_t v, std::size_t p) const {
  std::vector<double> profit;
  profit.reserve(profit_history_.size());
  for (const auto& month : profit_history_) profit.push_back(month(v, p));
  return profit;
}

ExpectedProfit World::expected_profit_at(std::size_t v, std::size_t product, const Grid& price_grid, int month,
                                        bool capped) const {
  ExpectedProfit::Terms terms;
  for (std::size_t p = 0; p < scenario.products.size(); ++p) {
    terms.prices.push_back(price_grid(v, p));
    terms.unit_cost.push_back(unit_cost(v, p));
  }
  terms.reference_price = market.reference_price();
  terms.elasticity = price_elasticities(month);
  if (capped) terms.capacity = capacity_outlook(v, product, month, 1)[0];  // next month's
  OwnPriceDemand demand(market, supply_at(price_grid, fill_, month), budget_factors(month), v, product);
  return ExpectedProfit(std::move(demand), product, std::move(terms));
}

double World::expected_profit(std::size_t v, const Grid& price_grid, int month, std::optional<std::size_t> capped) const {
  const std::size_t product = capped.value_or(0);
  return expected_profit_at(v, product, price_grid, month, capped.has_value())(price_grid(v, product));
}

void World::announce_api_price(std::size_t startup, double now, double price, const std::string& reason) {
  // Like list prices: effective at the next month start (agents/price_book.hpp).
  startups.announce_api_price(startup, now, month_start(calendar.month_containing(now) + 1), price, reason);
}

double World::serving_cost(std::size_t vendor, double seconds) const {
  const double gpu = gpu_product_ ? prices.in_force(vendor, *gpu_product_, seconds) : 0.0;
  return serving_cost_per_million_tokens(scenario.market.flops_per_million_tokens, scenario.market.flops_per_gpu_hour, gpu);
}

std::vector<std::size_t> World::api_marketplaces(std::size_t startup) const {
  std::vector<std::size_t> hosts;
  for (std::size_t v = 0; v < scenario.vendors.size(); ++v)
    if (active_[v] && startups.hosts(v, startup, scenario.vendors[v].ai_strategy)) hosts.push_back(v);
  return hosts;
}

std::function<double(double)> World::api_profit_oracle(std::size_t startup,
                                                       const std::vector<std::optional<double>>& seen,
                                                       double now) const {
  const MarketRules& m = scenario.market;
  const ModelChoiceWeights weights{m.model_choice_quality, m.model_choice_price};
  std::vector<HeldMarketplace> markets;
  for (std::size_t v : api_marketplaces(startup)) {
    std::vector<ListedModel> models;
    std::size_t own = 0;
    for (std::size_t i = 0; i < startups.size(); ++i) {
      if (!startups.hosts(v, i, scenario.vendors[v].ai_strategy)) continue;
      if (i == startup) own = models.size();
      models.push_back({startups.quality(i), scenario.startups[i].open_weight ? std::nullopt : seen[i]});
    }
    for (std::size_t p : model_products_) {
      const double tokens = last_quantity_.rows() ? last_quantity_(v, p) : 0.0;
      const double list = prices.in_force(v, p, now);
      if (tokens <= 0 || !(list > 0)) continue;  // nothing sold, or sold free: no API revenue
      markets.emplace_back(models, own, list, tokens, scenario.vendors[v].revenue_share, serving_cost(v, now), weights);
    }
  }
  return [markets = std::move(markets)](double price) {
    double profit = 0;
    for (const auto& market : markets) profit += market.profit(price);
    return profit;
  };
}

// ---- startups, deals and supply shocks ----

Grid World::ecosystem_utility(int month) const {
  const MarketRules& m = scenario.market;
  const double ecosystem_weight = m.dated.at("ecosystem_weight", m.ecosystem_weight, month);
  const double model_quality_weight = m.dated.at("model_quality_weight", m.model_quality_weight, month);
  const double bundle_weight = m.dated.at("bundle_weight", m.bundle_weight, month);
  const auto adoption = market.ai_adoption();
  Grid u(scenario.segments.size(), scenario.vendors.size());
  for (std::size_t v = 0; v < scenario.vendors.size(); ++v) {
    const AiStrategy strategy = scenario.vendors[v].ai_strategy;
    const auto eco = startups.ecosystem(v, strategy);
    const bool bundles = strategy == AiStrategy::vertical || strategy == AiStrategy::hybrid;
    for (std::size_t s = 0; s < scenario.segments.size(); ++s) {
      double software_share = 0;
      for (std::size_t p = 0; p < scenario.products.size(); ++p)
        if (scenario.products[p].kind == ProductKind::software) software_share += scenario.segments[s].spend_shares[p];
      u(s, v) = adoption[s] * (ecosystem_weight * std::log1p(eco.models) + model_quality_weight * eco.best_quality) +
                (bundles ? software_share * bundle_weight * eco.partner_quality : 0.0);
    }
  }
  if (initial_ecosystem_.rows() == 0) return u;  // computing the start itself
  for (std::size_t s = 0; s < u.rows(); ++s)
    for (std::size_t v = 0; v < u.cols(); ++v) u(s, v) -= initial_ecosystem_(s, v);
  return u;
}

double World::availability(std::size_t v, int month) const {
  double a = 1.0;
  for (const Event* e : events_in_force(EventType::outage, month))
    if (e->vendor == v) a *= e->availability;
  return a;
}

double World::shock_factor(std::size_t v, std::size_t p, int month) const {
  double f = 1.0;
  for (const Event* e : events_in_force(EventType::cost_shock, month))
    if (e->product == p && (!e->region || *e->region == scenario.vendors[v].region)) f *= 1.0 + *e->change;
  return f;
}

namespace {
double capital_at(const InvestmentPolicy& policy, const Calendar& calendar, double now) {
  double sum = 0;
  for (const auto& t : policy.capital)
    if (calendar.seconds_of(t.at) <= now) sum += t.amount;
  return sum;
}
}  // namespace

double World::investor_budget_left(const InvestorRef& who, double now) const {
  if (who.is_vendor) {
    const auto& policy = scenario.vendors[who.index].investment;
    const bool owns_a_lab = std::any_of(scenario.startups.begin(), scenario.startups.end(),
                                        [&](const Startup& s) { return s.owner == who.index; });
    if (!policy) return owns_a_lab ? std::numeric_limits<double>::infinity() : 0.0;
    return capital_at(*policy, calendar, now) - vendor_invested_[who.index];
  }
  return capital_at(scenario.investors[who.index].policy, calendar, now) - fund_invested_[who.index];
}

namespace {
// Annualised growth of a monthly series: its last w months against the w before (w <= 3).
double series_growth(const std::vector<double>& x) {
  const std::size_t w = std::min<std::size_t>(3, x.size() / 2);
  if (w == 0) return 0;
  double later = 0, earlier = 0;
  for (std::size_t k = 0; k < w; ++k) later += x[x.size() - 1 - k], earlier += x[x.size() - 1 - w - k];
  return annual_growth(earlier, later, double(w));
}
}  // namespace

double World::model_market_growth() const { return series_growth(model_revenue_); }

double World::startup_growth(std::size_t i) const {
  const auto& earned = startups.earning_by_month(i);
  const auto months = std::count_if(earned.begin(), earned.end(), [](double x) { return x > 0; });
  return months >= 2 ? series_growth(earned) : model_market_growth();
}

void World::hold_gpu_hours(std::size_t i, std::size_t v, double hours, double planned_spend) {
  held_[i] = {v, hours};
  planned_spend_[i] += planned_spend;
}

double World::free_gpu_hours(std::size_t v, std::size_t except, int month) const {
  if (!gpu_product_ || !active_[v]) return 0;
  const std::size_t g = *gpu_product_;
  double enterprises = 0;
  if (!enterprise_gpu_hours_.empty())
    enterprises = enterprise_gpu_hours_[v];
  else  // before the first month closes: this month's demand at reference prices
    for (const auto& seg : market.wanted_at_reference(month, budget_factors(month), market.choice_sets(supply(month))))
      enterprises += seg(v, g);
  double others = 0;
  for (std::size_t i = 0; i < held_.size(); ++i)
    if (i != except && held_[i].vendor == v) others += held_[i].gpu_hours;
  return std::max(0.0, capacity_(v, g) * availability(v, month) - enterprises - others);
}

TrainingPlan World::plan_training(std::size_t i, double now, double fleet_gpu_hours) const {
  const Startup& me = scenario.startups[i];
  const MarketRules& m = scenario.market;
  const std::size_t v = startups.trains_on(i);
  const int month = calendar.month_containing(now);
  TrainingPlanInputs in;
  in.cumulative_flops = startups.cumulative_flops(i);
  const auto& earned = startups.earning_by_month(i);
  in.monthly_revenue = earned.empty() ? 0.0 : earned.back();
  in.growth_per_year = model_market_growth();
  in.horizon_months = me.plan_horizon_months;
  in.token_share = startups.token_share(i);
  in.model_choice_quality = m.model_choice_quality;
  in.quality_per_decade = m.quality_per_decade;
  in.gpu_price = gpu_product_ ? prices.in_force(v, *gpu_product_, now) : 0.0;
  in.flops_per_gpu_hour = m.flops_per_gpu_hour;
  in.run_months = me.run_months;
  in.free_gpu_hours_per_month = std::min(free_gpu_hours(v, i, month), fleet_gpu_hours);
  in.money.credits = startups.credits(i, v);
  in.money.cash = startups.cash(i);
  in.money.reserve = me.runway_months * startups.burn(i, month);
  const auto [left, months] = startups.commitment_left(i, v, month);
  in.money.commitment_left = left;
  in.money.commitment_months_left = months;
  return cm::plan_training(in);
}

RoundRequest World::round_request(std::size_t i) const {
  const Startup& me = scenario.startups[i];
  RoundRequest r;
  r.startup = i;
  r.ask = me.round_months * startups.monthly_spend(i);
  r.pre_money = startups.pre_money(i);
  r.last_post_money = startups.last_post_money(i);
  r.growth_per_year = startup_growth(i);
  const auto& earned = startups.earning_by_month(i);
  r.monthly_revenue = earned.empty() ? 0.0 : earned.back();
  const auto& profit = startups.api_profit_by_month(i);
  const double income = profit.empty() ? 0.0 : profit.back();
  const double outflow = startups.monthly_spend(i) - income;
  r.runway_after_months =
      outflow > 0 ? (startups.cash(i) + r.ask) / outflow : std::numeric_limits<double>::infinity();
  return r;
}

InvestorView World::investor_view(const InvestorRef& who, double now) const {
  InvestorView view;
  if (!who.is_vendor) return view;
  const std::size_t v = who.index;
  if (gpu_product_) {
    const double price = prices.in_force(v, *gpu_product_, now);
    view.unit_cost_share = price > 0 ? std::min(1.0, unit_cost(v, *gpu_product_) / price) : 1.0;
  }
  view.revenue_share = scenario.vendors[v].revenue_share;
  return view;
}

void World::sign_deal(const Deal& deal) {
  startups.apply_deal(deal, calendar.month_containing(deal.seconds));
  const TermSheet& t = deal.terms;
  if (t.investor.is_vendor) {
    vendor_invested_[t.investor.index] += t.amount;
    cash_[t.investor.index] -= t.amount * (1.0 - t.credit_share);  // credits are paid in compute later
  } else {
    fund_invested_[t.investor.index] += t.amount;
    fund_cash_[t.investor.index] -= t.amount;
  }
  pending_deals_.push_back(deal);
}

void World::finish_training_run(const TrainingRun& run) {
  startups.complete_run(run.startup, run.flops);
  pending_runs_.push_back(run);
}

// Money the startups and the model marketplaces move in a month; posts vendors' cash.
void World::settle_startups(int month, const ComputeBill& compute, const ModelPayouts& payouts, MonthReport& r) {
  const std::size_t vendors = scenario.vendors.size();
  startups.settle_models(payouts);
  // Net of the inference compute that owners pricing their own APIs pay their hosts.
  for (std::size_t v = 0; v < vendors; ++v) r.model_payouts.push_back(payouts.paid[v] - payouts.serving[v]);
  r.roundtrip_revenue = compute.roundtrip;
  r.inference_tokens = payouts.tokens;
  r.startup_serving_cost = payouts.serving_cost;
  r.api_price_changes = startups.take_api_price_changes();
  for (std::size_t v = 0; v < vendors; ++v) cash_[v] += compute.cash[v] - payouts.paid[v] + payouts.serving[v];
  for (std::size_t i = 0; i < startups.size(); ++i)
    r.startup_burn.push_back(startups.alive(i) ? startups.burn(i, month) : 0.0);
  for (const auto& f : startups.burn_and_fail(month)) {
    r.startup_failures.push_back({f.startup, month_start(month + 1), f.cash, f.written_off});
    release_gpu_hours(f.startup);  // its cluster is free again
  }
  for (std::size_t i = 0; i < startups.size(); ++i) {
    r.startup_cash.push_back(startups.cash(i));
    r.startup_quality.push_back(startups.quality(i));
    r.startup_revenue.push_back(payouts.revenue[i]);
    r.startup_spend.push_back(compute.spend[i]);
    r.startup_alive.push_back(startups.alive(i));
    startups.revalue(i, model_market_growth());
    r.startup_valuation.push_back(startups.alive(i) ? startups.pre_money(i) : 0.0);
    r.startup_planned_spend.push_back(planned_spend_[i]);
    planned_spend_[i] = 0;
    r.startup_gpu_hours.push_back(startups.alive(i) ? held_[i].gpu_hours : 0.0);
    std::vector<double> credits;
    for (std::size_t v = 0; v < vendors; ++v) credits.push_back(startups.credits(i, v));
    r.startup_credits.push_back(std::move(credits));
  }
  for (std::size_t v = 0; v < vendors; ++v) r.stakes.push_back(startups.stake_value({true, v}));
  r.fund_cash = fund_cash_;
  r.deals.swap(pending_deals_);
  r.training_runs.swap(pending_runs_);
}

}  // namespace cm
