// scenario_to_yaml: the resolved scenario, defaults included, written back as YAML.
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <optional>

#include "sim/scenario_loader.hpp"
#include "sim/scenario_names.hpp"
#include "version.hpp"

namespace cm {

namespace {

// Shortest text that reads back to the same double.
std::string exact(double x) {
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

// A datable key: its schedule when it has one, else the number.
void emit_number(YAML::Emitter& out, const std::string& key, double value, const DatedFields& dated) {
  out << YAML::Key << key << YAML::Value;
  const DatedSchedule* schedule = dated.find(key);
  if (!schedule) {
    out << exact(value);
    return;
  }
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& step : *schedule)
    out << YAML::BeginMap << YAML::Key << "from" << YAML::Value << to_iso(step.from) << YAML::Key << "value"
        << YAML::Value << exact(step.value) << YAML::EndMap;
  out << YAML::EndSeq;
}

void emit_budget(YAML::Emitter& out, const Budget& b) {
  out << YAML::Key << "budget" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "distribution" << YAML::Value << name_of(b.distribution);
  if (b.distribution == BudgetDistribution::lognormal) {
    out << YAML::Key << "median" << YAML::Value << exact(b.median);
    out << YAML::Key << "sigma" << YAML::Value << exact(b.sigma);
  } else {
    out << YAML::Key << "minimum" << YAML::Value << exact(b.minimum);
    out << YAML::Key << "alpha" << YAML::Value << exact(b.alpha);
  }
  out << YAML::EndMap;
}

void emit_pricing_block(YAML::Emitter& out, const Pricing& p, const std::optional<Date>& from = std::nullopt) {
  out << YAML::BeginMap;
  if (from) out << YAML::Key << "from" << YAML::Value << to_iso(*from);
  out << YAML::Key << "strategy" << YAML::Value << name_of(p.strategy);
  out << YAML::Key << "review_every" << YAML::Value << to_string(p.review_every);
  out << YAML::Key << "reaction_delay" << YAML::Value << to_string(p.reaction_delay);
  if (p.markup) out << YAML::Key << "markup" << YAML::Value << exact(*p.markup);
  out << YAML::Key << "undercut" << YAML::Value << exact(p.undercut);
  out << YAML::Key << "min_margin" << YAML::Value << exact(p.min_margin);
  out << YAML::Key << "discount_rate" << YAML::Value << exact(p.discount_rate);
  out << YAML::Key << "horizon" << YAML::Value << to_string(p.horizon);
  const QLearning& q = p.q_learning;
  out << YAML::Key << "q_learning" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "levels" << YAML::Value << q.levels;
  out << YAML::Key << "min_markup" << YAML::Value << exact(q.min_markup);
  out << YAML::Key << "max_markup" << YAML::Value << exact(q.max_markup);
  out << YAML::Key << "learning_rate" << YAML::Value << exact(q.learning_rate);
  out << YAML::Key << "discount" << YAML::Value << exact(q.discount);
  out << YAML::Key << "exploration_decay" << YAML::Value << exact(q.exploration_decay);
  out << YAML::EndMap;
  if (!p.schedule.empty()) {
    out << YAML::Key << "schedule" << YAML::Value << YAML::BeginSeq;
    for (const auto& step : p.schedule) {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "at" << YAML::Value << to_iso(step.at);
      if (step.change) out << YAML::Key << "change" << YAML::Value << exact(*step.change);
      if (step.price) out << YAML::Key << "price" << YAML::Value << exact(*step.price);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

// One block, or a strategy schedule (the first regime written from the run's start).
void emit_pricing(YAML::Emitter& out, const Pricing& first, const std::vector<PricingRegime>& later, Date start) {
  if (later.empty()) return emit_pricing_block(out, first);
  out << YAML::BeginSeq;
  emit_pricing_block(out, first, start);
  for (const auto& regime : later) emit_pricing_block(out, regime.pricing, regime.from);
  out << YAML::EndSeq;
}

void emit_shares(YAML::Emitter& out, const std::string& key, const std::vector<double>& shares,
                 const std::vector<Product>& products) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (std::size_t p = 0; p < products.size(); ++p)
    if (shares[p] != 0) out << YAML::Key << products[p].id << YAML::Value << exact(shares[p]);
  out << YAML::EndMap;
}

void emit_investment_cash(YAML::Emitter& out, const InvestmentPolicy& p, bool vendor);

void emit_vendor(YAML::Emitter& out, const Vendor& v, const std::vector<Product>& products, Date start) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << v.id;
  out << YAML::Key << "region" << YAML::Value << v.region;
  out << YAML::Key << "initial_share" << YAML::Value << exact(v.initial_share);
  out << YAML::Key << "cash" << YAML::Value << exact(v.cash);
  emit_number(out, "fixed_cost_per_month", v.fixed_cost_per_month, v.dated);
  out << YAML::Key << "datacenters" << YAML::Value << YAML::BeginSeq;
  for (const auto& dc : v.datacenters)
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << dc.id << YAML::Key << "flops"
        << YAML::Value << exact(dc.flops) << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::Key << "products" << YAML::Value << YAML::BeginMap;
  for (std::size_t p = 0; p < products.size(); ++p) {
    const Offer& o = v.offers[p];
    out << YAML::Key << products[p].id << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "price" << YAML::Value << exact(o.price);
    out << YAML::Key << "unit_cost" << YAML::Value << exact(o.unit_cost);
    out << YAML::Key << "capacity" << YAML::Value;
    if (o.opening_utilization > 0)
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "utilization" << YAML::Value << exact(o.opening_utilization)
          << YAML::EndMap;
    else
      out << exact(o.capacity);
    emit_number(out, "cost_trend", o.cost_trend, o.dated);
    out << YAML::Key << "learning_rate" << YAML::Value << exact(o.learning_rate);
    out << YAML::Key << "initial_experience" << YAML::Value << exact(o.initial_experience);
    out << YAML::Key << "capex_per_unit" << YAML::Value << exact(o.capex_per_unit);
    if (o.pricing) {
      out << YAML::Key << "pricing" << YAML::Value;
      emit_pricing(out, *o.pricing, o.later_pricing, start);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "pricing" << YAML::Value;
  emit_pricing(out, v.pricing, v.later_pricing, start);
  if (v.capacity_policy) {
    const CapacityPolicy& c = *v.capacity_policy;
    out << YAML::Key << "capacity_policy" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "target_utilization" << YAML::Value << exact(c.target_utilization);
    out << YAML::Key << "lead_time" << YAML::Value << to_string(c.lead_time);
    out << YAML::Key << "life_years" << YAML::Value << exact(c.life_years);
    out << YAML::EndMap;
  }
  out << YAML::Key << "exit_after" << YAML::Value << to_string(v.exit_after);
  out << YAML::Key << "ai_strategy" << YAML::Value << name_of(v.ai_strategy);
  out << YAML::Key << "revenue_share" << YAML::Value << exact(v.revenue_share);
  if (v.investment) {
    const InvestmentPolicy& i = *v.investment;
    out << YAML::Key << "investment" << YAML::Value << YAML::Flow << YAML::BeginMap;
    emit_investment_cash(out, i, true);
    out << YAML::Key << "credit_share" << YAML::Value << exact(i.credit_share);
    out << YAML::Key << "commitment" << YAML::Value << exact(i.commitment);
    out << YAML::Key << "exclusive" << YAML::Value << (i.exclusive ? "true" : "false");
    out << YAML::Key << "duration" << YAML::Value << to_string(i.duration);
    out << YAML::EndMap;
  }
  if (v.chip_programme) {
    const ChipProgramme& c = *v.chip_programme;
    out << YAML::Key << "chip_programme" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "rd_spend" << YAML::Value << YAML::BeginSeq;
    for (const auto& step : c.rd_spend)
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "from" << YAML::Value << to_iso(step.from) << YAML::Key
          << "per_month" << YAML::Value << exact(step.per_month) << YAML::EndMap;
    out << YAML::EndSeq;
    out << YAML::Key << "rd_before_start" << YAML::Value << exact(c.rd_before_start);
    out << YAML::Key << "lag" << YAML::Value << to_string(c.lag);
    out << YAML::Key << "rd_scale" << YAML::Value << exact(c.rd_scale);
    out << YAML::Key << "max_saving" << YAML::Value << exact(c.max_saving);
    out << YAML::Key << "supply_per_month" << YAML::Value << exact(c.supply_per_month);
    out << YAML::Key << "markup" << YAML::Value << exact(c.markup);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

// The capital (always as dated tranches) and how an investor weighs deals.
void emit_investment_cash(YAML::Emitter& out, const InvestmentPolicy& p, bool vendor) {
  out << YAML::Key << "capital" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& t : p.capital)
    out << YAML::BeginMap << YAML::Key << "at" << YAML::Value << to_iso(t.at) << YAML::Key << "amount" << YAML::Value
        << exact(t.amount) << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::Key << "max_ticket" << YAML::Value << exact(p.max_ticket);
  if (vendor)
    out << YAML::Key << "cost_of_capital" << YAML::Value << exact(p.cost_of_capital);
  else
    out << YAML::Key << "hurdle_rate" << YAML::Value << exact(p.hurdle_rate);
  out << YAML::Key << "failure_hazard" << YAML::Value << exact(p.failure_hazard);
  out << YAML::Key << "exit_years" << YAML::Value << exact(p.exit_years);
}

void emit_segment(YAML::Emitter& out, const Segment& s, const std::vector<Product>& products) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << s.id;
  out << YAML::Key << "firms" << YAML::Value << s.firms;
  emit_budget(out, s.budget);
  emit_number(out, "growth", s.growth, s.dated);
  emit_shares(out, "spend_shares", s.spend_shares, products);
  out << YAML::Key << "region" << YAML::Value << s.region;
  out << YAML::Key << "domestic_only" << YAML::Value << (s.domestic_only ? "true" : "false");
  emit_number(out, "price_elasticity", s.price_elasticity, s.dated);
  out << YAML::Key << "nesting" << YAML::Value << exact(s.nesting);
  if (s.multi_cloud_threshold)
    out << YAML::Key << "multi_cloud_threshold" << YAML::Value << exact(*s.multi_cloud_threshold);
  if (s.ai_adoption) {
    const AiAdoption& ai = *s.ai_adoption;
    out << YAML::Key << "ai_adoption" << YAML::Value << YAML::Flow << YAML::BeginMap;
    emit_number(out, "p", ai.p, ai.dated);
    emit_number(out, "q", ai.q, ai.dated);
    out << YAML::Key << "initial" << YAML::Value << exact(ai.initial);
    out << YAML::Key << "spend_share" << YAML::Value << exact(ai.spend_share);
    emit_shares(out, "products", ai.product_shares, products);
    emit_number(out, "demand_growth", ai.demand_growth, ai.dated);
    out << YAML::EndMap;
  }
  emit_number(out, "price_sensitivity", s.price_sensitivity, s.dated);
  emit_number(out, "switching_cost", s.switching_cost, s.dated);
  out << YAML::Key << "contract_months" << YAML::Value << s.contract_months;
  out << YAML::Key << "cloud_adoption" << YAML::Value << exact(s.cloud_adoption);
  {
    const OnPremises& o = s.on_premises;
    out << YAML::Key << "on_premises" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "cost_level" << YAML::Value << exact(o.cost_level);
    out << YAML::Key << "hardware_share" << YAML::Value << exact(o.hardware_share);
    emit_number(out, "hardware_trend", o.hardware_trend, o.dated);
    emit_number(out, "staff_trend", o.staff_trend, o.dated);
    emit_number(out, "repatriation_cost", o.repatriation_cost, o.dated);
    emit_number(out, "discretionary_share", o.discretionary_share, o.dated);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

// Only the keys of the event's type: the loader rejects the others.
void emit_event(YAML::Emitter& out, const Event& e, const Scenario& sc) {
  out << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "at" << YAML::Value << to_iso(e.at);
  out << YAML::Key << "type" << YAML::Value << name_of(e.type);
  switch (e.type) {
    case EventType::budget_shock:
      out << YAML::Key << "segment" << YAML::Value << sc.segments[e.segment].id;
      if (e.until) out << YAML::Key << "until" << YAML::Value << to_iso(*e.until);
      if (e.change) out << YAML::Key << "change" << YAML::Value << exact(*e.change);
      break;
    case EventType::price_change:
      out << YAML::Key << "vendor" << YAML::Value << sc.vendors[e.vendor].id;
      out << YAML::Key << "product" << YAML::Value << sc.products[e.product].id;
      if (e.change) out << YAML::Key << "change" << YAML::Value << exact(*e.change);
      if (e.price) out << YAML::Key << "price" << YAML::Value << exact(*e.price);
      if (e.hold_for) out << YAML::Key << "for" << YAML::Value << to_string(*e.hold_for);
      break;
    case EventType::export_control:
      if (e.region) out << YAML::Key << "region" << YAML::Value << *e.region;
      out << YAML::Key << "product" << YAML::Value << sc.products[e.product].id;
      out << YAML::Key << "substitute_efficiency" << YAML::Value << exact(e.substitute_efficiency);
      out << YAML::Key << "substitute_cap" << YAML::Value << exact(e.substitute_cap);
      break;
    case EventType::outage:
      out << YAML::Key << "vendor" << YAML::Value << sc.vendors[e.vendor].id;
      if (e.until) out << YAML::Key << "until" << YAML::Value << to_iso(*e.until);
      out << YAML::Key << "availability" << YAML::Value << exact(e.availability);
      break;
    case EventType::cost_shock:
      out << YAML::Key << "product" << YAML::Value << sc.products[e.product].id;
      if (e.region) out << YAML::Key << "region" << YAML::Value << *e.region;
      if (e.change) out << YAML::Key << "change" << YAML::Value << exact(*e.change);
      break;
  }
  out << YAML::EndMap;
}

void emit_startup(YAML::Emitter& out, const Startup& s, const std::vector<Vendor>& vendors) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << s.id;
  out << YAML::Key << "region" << YAML::Value << s.region;
  if (s.owner) out << YAML::Key << "owner" << YAML::Value << vendors[*s.owner].id;
  out << YAML::Key << "cash" << YAML::Value << exact(s.cash);
  emit_number(out, "burn_per_month", s.burn_per_month, s.dated);
  out << YAML::Key << "training_flops" << YAML::Value << exact(s.training_flops);
  out << YAML::Key << "run_months" << YAML::Value << exact(s.run_months);
  out << YAML::Key << "plan_horizon_months" << YAML::Value << exact(s.plan_horizon_months);
  out << YAML::Key << "trains_on" << YAML::Value << vendors[s.trains_on].id;
  out << YAML::Key << "runway_months" << YAML::Value << exact(s.runway_months);
  out << YAML::Key << "round_months" << YAML::Value << exact(s.round_months);
  out << YAML::Key << "valuation" << YAML::Value << exact(s.valuation);
  if (s.api_price) out << YAML::Key << "api_price" << YAML::Value << exact(*s.api_price);
  // Only when used: a fixed price never reviews, so its other pricing keys mean nothing.
  if (s.open_weight) out << YAML::Key << "open_weight" << YAML::Value << "true";
  if (s.pricing.strategy != PricingRule::fixed) {
    out << YAML::Key << "pricing" << YAML::Value;
    emit_pricing_block(out, s.pricing);  // a startup prices with one regime
  }
  out << YAML::EndMap;
}

}  // namespace

std::string scenario_to_yaml(const Scenario& sc) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "schema" << YAML::Value << kScenarioSchema;
  out << YAML::Key << "name" << YAML::Value << sc.name;
  out << YAML::Key << "seed" << YAML::Value << sc.seed;
  out << YAML::Key << "time" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "start" << YAML::Value << to_iso(sc.time.start);
  out << YAML::Key << "years" << YAML::Value << sc.time.years;
  out << YAML::Key << "output_period" << YAML::Value << name_of(sc.time.output_period);
  out << YAML::EndMap;
  out << YAML::Key << "currency" << YAML::Value << sc.currency;
  out << YAML::Key << "products" << YAML::Value << YAML::BeginSeq;
  for (const auto& p : sc.products)
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << p.id << YAML::Key << "unit"
        << YAML::Value << p.unit << YAML::Key << "kind" << YAML::Value << name_of(p.kind) << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::Key << "vendors" << YAML::Value << YAML::BeginSeq;
  for (const auto& v : sc.vendors) emit_vendor(out, v, sc.products, sc.time.start);
  out << YAML::EndSeq;
  out << YAML::Key << "segments" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : sc.segments) emit_segment(out, s, sc.products);
  out << YAML::EndSeq;
  out << YAML::Key << "market" << YAML::Value << YAML::Flow << YAML::BeginMap;
  emit_number(out, "scarcity_premium", sc.market.scarcity_premium, sc.market.dated);
  out << YAML::Key << "quality_per_decade" << YAML::Value << exact(sc.market.quality_per_decade);
  out << YAML::Key << "model_choice_quality" << YAML::Value << exact(sc.market.model_choice_quality);
  emit_number(out, "ecosystem_weight", sc.market.ecosystem_weight, sc.market.dated);
  emit_number(out, "model_quality_weight", sc.market.model_quality_weight, sc.market.dated);
  emit_number(out, "bundle_weight", sc.market.bundle_weight, sc.market.dated);
  out << YAML::Key << "flops_per_gpu_hour" << YAML::Value << exact(sc.market.flops_per_gpu_hour);
  out << YAML::Key << "flops_per_million_tokens" << YAML::Value << exact(sc.market.flops_per_million_tokens);
  out << YAML::Key << "model_choice_price" << YAML::Value << exact(sc.market.model_choice_price);
  out << YAML::Key << "ai_layer_unbundled" << YAML::Value << exact(sc.market.ai_layer_unbundled);
  out << YAML::EndMap;
  if (!sc.events.empty()) {
    out << YAML::Key << "events" << YAML::Value << YAML::BeginSeq;
    for (const auto& e : sc.events) emit_event(out, e, sc);
    out << YAML::EndSeq;
  }
  if (!sc.startups.empty()) {
    out << YAML::Key << "startups" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : sc.startups) emit_startup(out, s, sc.vendors);
    out << YAML::EndSeq;
  }
  if (!sc.investors.empty()) {
    out << YAML::Key << "investors" << YAML::Value << YAML::BeginSeq;
    for (const auto& inv : sc.investors) {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << inv.id;
      emit_investment_cash(out, inv.policy, false);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace cm
