#include "agents/renewal.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cm {

RenewalTable::RenewalTable(const ChoiceSet& set, double switching_cost)
    : options_(set.utility.size()), cumulative_(options_ * options_), split_(options_ * options_) {
  std::vector<double> p(options_);
  for (std::size_t current = 0; current < options_; ++current) {
    choice_probabilities(set, Supplier(current), switching_cost, p);
    double c = 0;
    for (std::size_t j = 0; j < options_; ++j) cumulative_[current * options_ + j] = (c += p[j]);
    // No rounding gap at the top: the last available option closes the row at exactly 1.
    for (std::size_t j = options_; j-- > 0;) {
      if (p[j] > 0 || j == 0) {
        for (std::size_t k = j; k < options_; ++k) cumulative_[current * options_ + k] = 1.0;
        break;
      }
    }
    cloud_split(set, Supplier(current), switching_cost, std::span<double>(&split_[current * options_], options_));
  }
}

double RenewalTable::probability(Supplier current, Supplier next) const {
  const double* row = &cumulative_[std::size_t(current) * options_];
  return next == 0 ? row[0] : row[next] - row[next - 1];
}

namespace {

// Adds one firm, as it holds its supplier(s) now, to the tally of its block.
inline void add_firm(BlockTally& tally, const Population& pop, std::size_t i) {
  const std::size_t options = tally.primary.size();
  const Supplier s = pop.supplier[i];
  const double budget = pop.base_budget[i];
  const double ai = pop.adopted[i] ? budget : 0.0;  // x + 0.0 == x: adding it always keeps the sums exact
  tally.primary[s] += 1;
  if (!pop.multi_cloud[i] || s == kOnPremises) [[likely]] {
    tally.budget[s] += budget;
    tally.ai_budget[s] += ai;
    tally.contracts[s] += 1;
    return;
  }
  const double* split = &tally.split[s * options];
  for (std::size_t j = 1; j < options; ++j) {
    tally.budget[j] += budget * split[j];
    tally.ai_budget[j] += ai * split[j];
    tally.contracts[j] += split[j] >= kContractShare;
  }
}

BlockTally empty_tally(const RenewalTable& table) {
  const std::size_t options = table.options();
  BlockTally tally(options);
  for (std::size_t k = 0; k < options; ++k)
    for (std::size_t j = 0; j < options; ++j) tally.split[k * options + j] = table.split(Supplier(k))[j];
  return tally;
}

}  // namespace

RenewalFlows renew_block(Population& pop, std::size_t begin, std::size_t end, std::size_t segment_first,
                         const RenewalTable& table, const RandomStream& stream, int month, BlockTally& tally) {
  tally = empty_tally(table);
  RenewalFlows flows;
  for (std::size_t i = begin; i < end;) {
    const std::size_t k = i - segment_first;
    const auto words = stream.bits(k / 4, std::uint64_t(month));
    // The firms of this call: from word k mod 4 to the last word or the end of the block.
    const std::size_t last = std::min(end, i + (4 - k % 4));
    for (std::size_t w = k % 4; i < last; ++i, ++w) {
      const Supplier before = pop.supplier[i];
      const Supplier after = table.choose(before, RandomStream::to_open_unit(words[w]));
      pop.supplier[i] = after;
      flows.to_premises += (before != kOnPremises) & (after == kOnPremises);
      flows.to_cloud += (before == kOnPremises) & (after != kOnPremises);
      add_firm(tally, pop, i);
    }
  }
  return flows;
}

BlockTally tally_firms(const Population& pop, std::size_t begin, std::size_t end, const RenewalTable& table) {
  BlockTally tally = empty_tally(table);
  for (std::size_t i = begin; i < end; ++i) add_firm(tally, pop, i);
  return tally;
}

void add_ai_budget(BlockTally& tally, const Population& pop, std::size_t firm) {
  const std::size_t options = tally.primary.size();
  const Supplier s = pop.supplier[firm];
  const double budget = pop.base_budget[firm];
  if (!pop.multi_cloud[firm] || s == kOnPremises) {
    tally.ai_budget[s] += budget;
    return;
  }
  for (std::size_t j = 1; j < options; ++j) tally.ai_budget[j] += budget * tally.split[s * options + j];
}

std::vector<double> stationary_distribution(const RenewalTable& table) {
  // Solve pi (P - I) = 0 with sum(pi) = 1: transpose to (P^T - I) pi = 0 and replace the last
  // equation by the normalisation; Gaussian elimination with partial pivoting.
  const std::size_t n = table.options();
  std::vector<double> a(n * (n + 1), 0.0);
  auto at = [&](std::size_t r, std::size_t c) -> double& { return a[r * (n + 1) + c]; };
  for (std::size_t r = 0; r + 1 < n; ++r)
    for (std::size_t c = 0; c < n; ++c) at(r, c) = table.probability(Supplier(c), Supplier(r)) - (r == c ? 1.0 : 0.0);
  for (std::size_t c = 0; c < n; ++c) at(n - 1, c) = 1.0;
  at(n - 1, n) = 1.0;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::fabs(at(r, col)) > std::fabs(at(pivot, col))) pivot = r;
    if (std::fabs(at(pivot, col)) < 1e-300) throw std::runtime_error("stationary_distribution: singular chain");
    for (std::size_t c = 0; c <= n; ++c) std::swap(at(col, c), at(pivot, c));
    for (std::size_t r = 0; r < n; ++r) {
      if (r == col || at(r, col) == 0) continue;
      const double f = at(r, col) / at(col, col);
      for (std::size_t c = col; c <= n; ++c) at(r, c) -= f * at(col, c);
    }
  }
  std::vector<double> pi(n);
  for (std::size_t r = 0; r < n; ++r) pi[r] = at(r, n) / at(r, r);
  return pi;
}

}  // namespace cm
