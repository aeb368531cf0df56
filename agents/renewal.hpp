#pragma once
// Contract renewal: a firm whose contract ends re-chooses its supplier by logit, with a bonus
// (the switching cost) for the supplier it has. One table per segment and month holds, for each
// current supplier, the cumulative choice probabilities, so a choice is one uniform draw and a
// short scan.
#include <cstdint>
#include <span>
#include <vector>

#include "agents/population.hpp"
#include "sim/rng.hpp"

namespace cm {

class RenewalTable {
 public:
  RenewalTable(std::span<const double> utility, double switching_cost);
  // The supplier chosen by a firm that has `current`, given a uniform draw u in (0, 1).
  Supplier choose(Supplier current, double u) const;
  // Probability that a firm with `current` chooses `next`.
  double probability(Supplier current, Supplier next) const;
  std::size_t options() const { return options_; }

 private:
  std::size_t options_;
  std::vector<double> cumulative_;  // options_ x options_, row = current supplier
};

// What a block of firms holds after renewal: per supplier, the firms and their base budgets.
struct BlockTally {
  std::vector<std::int64_t> firms;
  std::vector<double> base_budget;
  explicit BlockTally(std::size_t options = 0) : firms(options, 0), base_budget(options, 0.0) {}
};

// Renews the firms in [begin, end): each draws u from `stream` at counter (firm - first, month),
// so a firm's draw depends only on who it is and when, never on the order of processing.
void renew_firms(Population& population, std::size_t begin, std::size_t end, std::size_t segment_first,
                 const RenewalTable& table, const RandomStream& stream, int month);

BlockTally tally_firms(const Population& population, std::size_t begin, std::size_t end, std::size_t options);

}  // namespace cm
