#pragma once
// Power iteration of the renewal chain from its transition table alone: an independent check of
// the closed-form stationary shares (agents/share_calibration.cpp).
#include <algorithm>
#include <vector>

#include "agents/renewal.hpp"

namespace cm::test {

inline std::vector<double> chain_stationary(const RenewalTable& table) {
  const std::size_t n = table.options();
  std::vector<double> pi(n, 1.0 / double(n)), next(n);
  for (int it = 0; it < 20000; ++it) {
    std::fill(next.begin(), next.end(), 0.0);
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t j = 0; j < n; ++j) next[j] += pi[k] * table.probability(Supplier(k), Supplier(j));
    pi.swap(next);
  }
  return pi;
}

}  // namespace cm::test
