#pragma once
// Contract renewal: a firm whose contract ends re-chooses its supplier (choice_model.hpp), with a
// bonus (the switching cost) for the supplier it holds. One table per segment and month holds, for
// each current supplier, the cumulative choice probabilities and the multi-cloud split, so a choice
// is one uniform draw and a branch-free search of a row. Building the table costs (V+1)^2 choice
// probabilities per segment-month (V vendors), which dominates a month once V reaches the tens.
#include <cstdint>
#include <span>
#include <vector>

#include "agents/choice_model.hpp"
#include "agents/population.hpp"
#include "sim/rng.hpp"

namespace cm {

class RenewalTable {
 public:
  RenewalTable(const ChoiceSet& set, double switching_cost);
  // The supplier chosen by a firm that has `current`, given a uniform draw u in (0, 1): the first
  // option whose cumulative probability exceeds u, found without data-dependent branches.
  Supplier choose(Supplier current, double u) const {
    const double* row = &cumulative_[std::size_t(current) * options_];
    return options_ <= kCountedOptions ? counted(row, u) : bisected(row, u);
  }
  // Probability that a firm with `current` chooses `next`.
  double probability(Supplier current, Supplier next) const;
  // Within-cloud split of a multi-cloud firm whose primary is `current` (0 for on-premises).
  std::span<const double> split(Supplier current) const { return {&split_[current * options_], options_}; }
  std::size_t options() const { return options_; }

 private:
  // Up to this many options, counting the entries <= u (a loop the compiler unrolls) beats a search.
  static constexpr std::size_t kCountedOptions = 16;
  Supplier counted(const double* row, double u) const {
    std::size_t j = 0;
    for (std::size_t k = 0; k + 1 < options_; ++k) j += row[k] <= u;  // the row ends at 1 > u
    return Supplier(j);
  }
  Supplier bisected(const double* row, double u) const {
    const double* base = row;
    for (std::size_t n = options_; n > 1;) {
      const std::size_t half = n / 2;
      base = base[half] <= u ? base + half : base;  // a conditional move, not a branch
      n -= half;
    }
    return Supplier(base - row + (*base <= u));
  }

  std::size_t options_;
  std::vector<double> cumulative_;  // options_ x options_, row = current supplier
  std::vector<double> split_;       // options_ x options_
};

// What a block of firms holds: per option, the firms whose primary supplier it is, the budget
// (currency per year at the start) and AI budget its vendors serve (multi-cloud firms spread over
// several), and the contracts it has (a multi-cloud firm has one with each cloud it gives at
// least kContractShare of its spend).
struct BlockTally {
  std::vector<std::int64_t> primary;
  std::vector<std::int64_t> contracts;
  std::vector<double> budget;
  std::vector<double> ai_budget;
  std::vector<double> split;  // options x options: multi-cloud split at the block's last renewal
  explicit BlockTally(std::size_t options = 0)
      : primary(options, 0), contracts(options, 0), budget(options, 0.0), ai_budget(options, 0.0),
        split(options * options, 0.0) {}
};

constexpr double kContractShare = 0.05;

// Firms of one renewal that moved between the cloud and on-premises.
struct RenewalFlows {
  std::int64_t to_premises = 0;  // held a cloud, chose on-premises (repatriated)
  std::int64_t to_cloud = 0;     // held on-premises, chose a cloud
};

// Renews the firms in [begin, end) and tallies them with the multi-cloud split of `table`, in one
// pass. Firm k of its segment (k = firm - segment_first) draws word k mod 4 of the Philox call at
// counter (k / 4, month) of `stream`: four firms share a call, and a firm's draw depends only on
// who it is and when, never on the order or the blocks in which firms are processed.
RenewalFlows renew_block(Population& population, std::size_t begin, std::size_t end, std::size_t segment_first,
                         const RenewalTable& table, const RandomStream& stream, int month, BlockTally& tally);

// Tally of [begin, end) with the multi-cloud split of `table`.
BlockTally tally_firms(const Population& population, std::size_t begin, std::size_t end, const RenewalTable& table);

// Adds one firm's AI budget to the tally it belongs to (when it adopts).
void add_ai_budget(BlockTally& tally, const Population& population, std::size_t firm);

// The stationary distribution of the renewal chain (a dense linear solve; options are few).
std::vector<double> stationary_distribution(const RenewalTable& table);

}  // namespace cm
