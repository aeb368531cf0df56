#include "agents/renewal.hpp"

#include <cmath>

#include "agents/logit.hpp"

namespace cm {

RenewalTable::RenewalTable(std::span<const double> utility, double switching_cost)
    : options_(utility.size()), cumulative_(options_ * options_) {
  std::vector<double> u(utility.begin(), utility.end()), p(options_);
  for (std::size_t current = 0; current < options_; ++current) {
    u[current] += switching_cost;
    logit_probabilities(u, p);
    u[current] -= switching_cost;
    double c = 0;
    for (std::size_t j = 0; j < options_; ++j) cumulative_[current * options_ + j] = (c += p[j]);
    cumulative_[current * options_ + options_ - 1] = 1.0;  // no rounding gap at the top
  }
}

Supplier RenewalTable::choose(Supplier current, double u) const {
  const double* row = &cumulative_[std::size_t(current) * options_];
  std::size_t j = 0;
  while (u >= row[j]) ++j;  // row[options_-1] == 1 > u ends the scan
  return Supplier(j);
}

double RenewalTable::probability(Supplier current, Supplier next) const {
  const double* row = &cumulative_[std::size_t(current) * options_];
  return next == 0 ? row[0] : row[next] - row[next - 1];
}

void renew_firms(Population& pop, std::size_t begin, std::size_t end, std::size_t segment_first,
                 const RenewalTable& table, const RandomStream& stream, int month) {
  for (std::size_t i = begin; i < end; ++i)
    pop.supplier[i] = table.choose(pop.supplier[i], stream.uniform(i - segment_first, std::uint64_t(month)));
}

BlockTally tally_firms(const Population& pop, std::size_t begin, std::size_t end, std::size_t options) {
  BlockTally tally(options);
  for (std::size_t i = begin; i < end; ++i) {
    tally.firms[pop.supplier[i]] += 1;
    tally.base_budget[pop.supplier[i]] += pop.base_budget[i];
  }
  return tally;
}

}  // namespace cm
