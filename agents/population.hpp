#pragma once
// The enterprise population as a structure of arrays: 10^4..10^7 firms, updated in
// bulk by the market actor. Firms of a segment are contiguous, and inside a segment they sit in
// blocks by renewal phase, so the firms whose contracts renew in a month are one contiguous range.
#include <cstdint>
#include <vector>

#include "sim/scenario.hpp"

namespace cm {

// Supplier codes: 0 is the outside option (on-premises); vendor v is v + 1.
using Supplier = std::uint16_t;
constexpr Supplier kOnPremises = 0;

struct SegmentBlocks {
  std::size_t begin = 0;                 // first firm of the segment
  std::vector<std::size_t> phase_begin;  // firms renewing in phase p: [phase_begin[p], phase_begin[p+1])
  int phases() const { return int(phase_begin.size()) - 1; }
};

struct Population {
  std::vector<double> base_budget;  // currency per year at the start (grows with the segment)
  std::vector<Supplier> supplier;   // the primary supplier
  std::vector<std::uint8_t> multi_cloud;  // splits its spend over clouds (budget above the threshold)
  std::vector<std::uint8_t> adopted;      // has adopted AI
  std::vector<SegmentBlocks> segments;
  // AI adoption (Bass): firm i adopts once the segment's cumulative hazard passes its own
  // exponential threshold E_i. Per segment, firms in increasing E order, and each E.
  std::vector<std::vector<std::uint32_t>> adoption_order;
  std::vector<std::vector<double>> adoption_threshold;
  std::size_t size() const { return supplier.size(); }
};

// Draws budgets, initial suppliers and AI-adoption thresholds (and marks the initial adopters). `initial_shares[s]` gives, per supplier code, the share
// of segment s's firms that start with it. Draws come from streams keyed by the segment id, so a
// segment's firms do not change when another segment is added.
Population generate_population(const Scenario& scenario, const std::vector<std::vector<double>>& initial_shares);

}  // namespace cm
