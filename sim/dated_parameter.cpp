#include "sim/dated_parameter.hpp"

#include <algorithm>

namespace cm {

namespace {

struct Datable {
  DatedOwner owner;
  const char* key;
};

// Every datable key. Each is read at the month (or integrated over the months) everywhere the run
// uses it; docs/scenario.md, "Dated parameters", lists the same keys and how each is read.
constexpr Datable kDatable[] = {
    {DatedOwner::segment, "growth"},
    {DatedOwner::segment, "price_sensitivity"},
    {DatedOwner::segment, "switching_cost"},
    {DatedOwner::segment, "price_elasticity"},
    {DatedOwner::ai_adoption, "p"},
    {DatedOwner::ai_adoption, "q"},
    {DatedOwner::ai_adoption, "demand_growth"},
    {DatedOwner::on_premises, "hardware_trend"},
    {DatedOwner::on_premises, "staff_trend"},
    {DatedOwner::on_premises, "repatriation_cost"},
    {DatedOwner::on_premises, "discretionary_share"},
    {DatedOwner::vendor, "fixed_cost_per_month"},
    {DatedOwner::offer, "cost_trend"},
    {DatedOwner::startup, "burn_per_month"},
    {DatedOwner::market, "scarcity_premium"},
    {DatedOwner::market, "ecosystem_weight"},
    {DatedOwner::market, "model_quality_weight"},
    {DatedOwner::market, "bundle_weight"},
};

const char* owner_text(DatedOwner owner) {
  switch (owner) {
    case DatedOwner::segment: return "segments[]";
    case DatedOwner::ai_adoption: return "segments[].ai_adoption";
    case DatedOwner::on_premises: return "segments[].on_premises";
    case DatedOwner::vendor: return "vendors[]";
    case DatedOwner::offer: return "vendors[].products.<product>";
    case DatedOwner::startup: return "startups[]";
    case DatedOwner::market: return "market";
  }
  return "?";
}

}  // namespace

double DatedFields::value_in_force(const DatedSchedule& s, int month) {
  double value = s.front().value;
  for (const auto& step : s) {
    if (step.month > month) break;
    value = step.value;
  }
  return value;
}

double DatedFields::compound_growth(const DatedSchedule& s, int from, int to) {
  double factor = 1.0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const int begin = std::clamp(s[i].month, from, std::max(from, to));
    const int end = i + 1 < s.size() ? std::clamp(s[i + 1].month, from, std::max(from, to)) : std::max(from, to);
    if (end > begin) factor *= std::pow(1.0 + s[i].value, (end - begin) / 12.0);
  }
  return factor;
}

bool is_datable(DatedOwner owner, std::string_view key) {
  return std::any_of(std::begin(kDatable), std::end(kDatable),
                     [&](const Datable& d) { return d.owner == owner && d.key == key; });
}

std::string datable_keys_text() {
  std::string text;
  const DatedOwner* previous = nullptr;
  for (const auto& d : kDatable) {
    if (!previous || *previous != d.owner) text += std::string(previous ? "; " : "") + owner_text(d.owner) + ": ";
    else text += ", ";
    text += d.key;
    previous = &d.owner;
  }
  return text;
}

}  // namespace cm
