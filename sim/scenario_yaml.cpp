// scenario_to_yaml: the resolved scenario, defaults included, written back as YAML.
#include <yaml-cpp/yaml.h>

#include <cstdio>

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

void emit_vendor(YAML::Emitter& out, const Vendor& v, const std::vector<Product>& products) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << v.id;
  out << YAML::Key << "region" << YAML::Value << v.region;
  out << YAML::Key << "initial_share" << YAML::Value << exact(v.initial_share);
  out << YAML::Key << "cash" << YAML::Value << exact(v.cash);
  out << YAML::Key << "fixed_cost_per_month" << YAML::Value << exact(v.fixed_cost_per_month);
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
    out << YAML::Key << "capacity" << YAML::Value << exact(o.capacity);
    out << YAML::Key << "cost_trend" << YAML::Value << exact(o.cost_trend);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "pricing" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "strategy" << YAML::Value << name_of(v.pricing.strategy);
  out << YAML::Key << "review_every" << YAML::Value << to_string(v.pricing.review_every);
  if (v.pricing.markup) out << YAML::Key << "markup" << YAML::Value << exact(*v.pricing.markup);
  out << YAML::EndMap;
  out << YAML::EndMap;
}

void emit_segment(YAML::Emitter& out, const Segment& s, const std::vector<Product>& products) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << s.id;
  out << YAML::Key << "firms" << YAML::Value << s.firms;
  emit_budget(out, s.budget);
  out << YAML::Key << "growth" << YAML::Value << exact(s.growth);
  out << YAML::Key << "spend_shares" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (std::size_t p = 0; p < products.size(); ++p)
    out << YAML::Key << products[p].id << YAML::Value << exact(s.spend_shares[p]);
  out << YAML::EndMap;
  out << YAML::Key << "price_sensitivity" << YAML::Value << exact(s.price_sensitivity);
  out << YAML::Key << "switching_cost" << YAML::Value << exact(s.switching_cost);
  out << YAML::Key << "contract_months" << YAML::Value << s.contract_months;
  out << YAML::Key << "cloud_adoption" << YAML::Value << exact(s.cloud_adoption);
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
  for (const auto& v : sc.vendors) emit_vendor(out, v, sc.products);
  out << YAML::EndSeq;
  out << YAML::Key << "segments" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : sc.segments) emit_segment(out, s, sc.products);
  out << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace cm
