#pragma once
// The names scenario files use for each enumerated value: one table per enum, read by the loader,
// written by scenario_to_yaml and the output recorder.
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario.hpp"

namespace cm {

template <class Enum>
using NameTable = std::vector<std::pair<std::string, Enum>>;

inline const NameTable<ProductKind>& product_kind_names() {
  static const NameTable<ProductKind> names{{"compute", ProductKind::compute},
                                            {"platform", ProductKind::platform},
                                            {"model", ProductKind::model},
                                            {"software", ProductKind::software}};
  return names;
}

inline const NameTable<OutputPeriod>& output_period_names() {
  static const NameTable<OutputPeriod> names{
      {"month", OutputPeriod::month}, {"quarter", OutputPeriod::quarter}, {"year", OutputPeriod::year}};
  return names;
}

inline const NameTable<BudgetDistribution>& budget_distribution_names() {
  static const NameTable<BudgetDistribution> names{{"lognormal", BudgetDistribution::lognormal},
                                                   {"pareto", BudgetDistribution::pareto}};
  return names;
}

inline const NameTable<AiStrategy>& ai_strategy_names() {
  static const NameTable<AiStrategy> names{{"none", AiStrategy::none},
                                           {"open_ecosystem", AiStrategy::open_ecosystem},
                                           {"vertical", AiStrategy::vertical},
                                           {"hybrid", AiStrategy::hybrid}};
  return names;
}

inline const NameTable<PricingRule>& pricing_rule_names() {
  static const NameTable<PricingRule> names{{"fixed", PricingRule::fixed},
                                            {"cost_plus", PricingRule::cost_plus},
                                            {"match_lowest", PricingRule::match_lowest},
                                            {"undercut", PricingRule::undercut},
                                            {"best_response", PricingRule::best_response},
                                            {"q_learning", PricingRule::q_learning},
                                            {"scheduled", PricingRule::scheduled},
                                            {"dynamic_best_response", PricingRule::dynamic_best_response}};
  return names;
}

inline const NameTable<EventType>& event_type_names() {
  static const NameTable<EventType> names{{"budget_shock", EventType::budget_shock},
                                          {"price_change", EventType::price_change},
                                          {"export_control", EventType::export_control},
                                          {"outage", EventType::outage},
                                          {"cost_shock", EventType::cost_shock}};
  return names;
}

inline const NameTable<bool>& bool_names() {
  static const NameTable<bool> names{{"true", true}, {"false", false}};
  return names;
}

template <class Enum>
const std::string& name_in(const NameTable<Enum>& table, Enum value) {
  for (const auto& [name, v] : table)
    if (v == value) return name;
  static const std::string unknown = "?";
  return unknown;
}

inline const std::string& name_of(ProductKind v) { return name_in(product_kind_names(), v); }
inline const std::string& name_of(OutputPeriod v) { return name_in(output_period_names(), v); }
inline const std::string& name_of(BudgetDistribution v) { return name_in(budget_distribution_names(), v); }
inline const std::string& name_of(AiStrategy v) { return name_in(ai_strategy_names(), v); }
inline const std::string& name_of(PricingRule v) { return name_in(pricing_rule_names(), v); }
inline const std::string& name_of(EventType v) { return name_in(event_type_names(), v); }

}  // namespace cm
