#include "agents/growth_paths.hpp"

#include <algorithm>

namespace cm {

namespace {

// The last month (exclusive) any dynamic_best_response outlook reads: a review in the run's last
// month looks `horizon` months past it (agents/world_outlook.cpp).
int months_read(const Scenario& sc) {
  int horizon = 0;
  for (const auto& vendor : sc.vendors)
    for (std::size_t p = 0; p < sc.products.size(); ++p)
      for (const auto& regime : vendor.regimes_of(p, sc.time.start))
        if (regime.pricing.strategy == PricingRule::dynamic_best_response)
          horizon = std::max(horizon, std::max(1, regime.pricing.horizon.months));
  return sc.time.months() + horizon + 1;
}

}  // namespace

GrowthPaths::GrowthPaths(const Scenario& sc) : scenario_(sc), months_(months_read(sc)) {
  growth_.reserve(sc.segments.size() * std::size_t(months_));
  ai_.reserve(sc.segments.size() * std::size_t(months_));
  for (const auto& seg : sc.segments)
    for (int m = 0; m < months_; ++m) {
      growth_.push_back(growth_of(seg, m));
      ai_.push_back(ai_of(seg, m));
    }
}

double GrowthPaths::growth_of(const Segment& seg, int month) { return seg.dated.compound("growth", seg.growth, month); }

double GrowthPaths::ai_of(const Segment& seg, int month) {
  const auto& ai = seg.ai_adoption;
  return ai ? ai->spend_share * ai->dated.compound("demand_growth", ai->demand_growth, month) : 0.0;
}

double GrowthPaths::growth(std::size_t s, int month) const {
  return cached(month) ? growth_[s * std::size_t(months_) + std::size_t(month)] : growth_of(scenario_.segments[s], month);
}

double GrowthPaths::ai(std::size_t s, int month) const {
  return cached(month) ? ai_[s * std::size_t(months_) + std::size_t(month)] : ai_of(scenario_.segments[s], month);
}

}  // namespace cm
