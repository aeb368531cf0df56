#include "agents/population.hpp"

#include <algorithm>
#include <cmath>

#include "sim/rng.hpp"

namespace cm {

namespace {

double draw_budget(const Budget& b, const RandomStream& stream, std::uint64_t firm) {
  if (b.distribution == BudgetDistribution::lognormal) return b.median * std::exp(b.sigma * stream.normal(firm, 0));
  return b.minimum * std::pow(stream.uniform(firm, 0), -1.0 / b.alpha);
}

Supplier draw_supplier(const std::vector<double>& shares, double u) {
  double cumulative = 0;
  for (std::size_t j = 0; j + 1 < shares.size(); ++j) {
    cumulative += shares[j];
    if (u < cumulative) return Supplier(j);
  }
  return Supplier(shares.size() - 1);
}

}  // namespace

Population generate_population(const Scenario& sc, const std::vector<std::vector<double>>& initial_shares) {
  Population pop;
  std::size_t total = 0;
  for (const auto& s : sc.segments) total += std::size_t(s.firms);
  pop.base_budget.resize(total);
  pop.supplier.resize(total);
  pop.multi_cloud.assign(total, 0);
  pop.adopted.assign(total, 0);

  std::size_t begin = 0;
  for (std::size_t s = 0; s < sc.segments.size(); ++s) {
    const Segment& seg = sc.segments[s];
    const std::string agent = "segment:" + seg.id;
    const RandomStream budgets(sc.seed, agent, "budget");
    const RandomStream suppliers(sc.seed, agent, "initial_supplier");

    // Renewals spread evenly: phase p holds firms [p*n/P, (p+1)*n/P) of the segment.
    SegmentBlocks blocks;
    blocks.begin = begin;
    const auto n = std::size_t(seg.firms);
    const auto phases = std::size_t(seg.contract_months);
    for (std::size_t p = 0; p <= phases; ++p) blocks.phase_begin.push_back(begin + p * n / phases);

    for (std::size_t k = 0; k < n; ++k) {
      pop.base_budget[begin + k] = draw_budget(seg.budget, budgets, k);
      pop.supplier[begin + k] = draw_supplier(initial_shares[s], suppliers.uniform(k, 0));
      pop.multi_cloud[begin + k] = seg.multi_cloud_threshold && pop.base_budget[begin + k] >= *seg.multi_cloud_threshold;
    }
    pop.segments.push_back(std::move(blocks));

    std::vector<std::uint32_t> order;
    std::vector<double> threshold;
    if (seg.ai_adoption) {
      const RandomStream adoption(sc.seed, agent, "ai_adoption");
      threshold.resize(n);
      for (std::size_t k = 0; k < n; ++k) threshold[k] = -std::log(adoption.uniform(k, 0));
      order.resize(n);
      for (std::size_t k = 0; k < n; ++k) order[k] = std::uint32_t(k);
      // Ties are impossible in practice (53-bit draws); the index breaks them anyway.
      std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return threshold[a] < threshold[b] || (threshold[a] == threshold[b] && a < b);
      });
      const double initial_hazard = -std::log1p(-seg.ai_adoption->initial);
      for (std::size_t k = 0; k < n && threshold[order[k]] <= initial_hazard; ++k) pop.adopted[begin + order[k]] = 1;
    }
    pop.adoption_order.push_back(std::move(order));
    pop.adoption_threshold.push_back(std::move(threshold));
    begin += n;
  }
  return pop;
}

}  // namespace cm
