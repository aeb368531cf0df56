#pragma once
// Multinomial logit choice: probabilities and the inclusive value (log-sum-exp of utilities),
// computed stably by subtracting the largest utility first.
#include <algorithm>
#include <cmath>
#include <span>

namespace cm {

inline double inclusive_value(std::span<const double> utility) {
  const double top = *std::max_element(utility.begin(), utility.end());
  double sum = 0;
  for (double u : utility) sum += std::exp(u - top);
  return top + std::log(sum);
}

inline void logit_probabilities(std::span<const double> utility, std::span<double> probability) {
  const double iv = inclusive_value(utility);
  for (std::size_t j = 0; j < utility.size(); ++j) probability[j] = std::exp(utility[j] - iv);
}

}  // namespace cm
