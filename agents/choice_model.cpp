#include "agents/choice_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cm {

namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

// Log of the sum over available clouds of exp(v_j / mu), with v_j = u_j + bonus on `current`.
double cloud_log_sum(const ChoiceSet& set, Supplier current, double bonus) {
  double top = kMinusInfinity;
  for (std::size_t j = 1; j < set.utility.size(); ++j)
    if (set.available[j]) top = std::max(top, (set.utility[j] + (j == current ? bonus : 0)) / set.nesting);
  if (top == kMinusInfinity) return kMinusInfinity;
  double sum = 0;
  for (std::size_t j = 1; j < set.utility.size(); ++j)
    if (set.available[j]) sum += std::exp((set.utility[j] + (j == current ? bonus : 0)) / set.nesting - top);
  return top + std::log(sum);
}

}  // namespace

void cloud_split(const ChoiceSet& set, Supplier current, double bonus, std::span<double> out) {
  std::fill(out.begin(), out.end(), 0.0);
  const double log_sum = cloud_log_sum(set, current, bonus);
  if (log_sum == kMinusInfinity) return;
  for (std::size_t j = 1; j < set.utility.size(); ++j)
    if (set.available[j]) out[j] = std::exp((set.utility[j] + (j == current ? bonus : 0)) / set.nesting - log_sum);
}

void choice_probabilities(const ChoiceSet& set, Supplier current, double bonus, std::span<double> out) {
  cloud_split(set, current, bonus, out);
  const double log_sum = cloud_log_sum(set, current, bonus);
  const double cloud = set.nesting * log_sum;           // inclusive value of the cloud nest
  const bool holds_cloud = current >= 1 && current < set.utility.size();
  const double outside = set.utility[0] + (current == 0 ? bonus : 0) - (holds_cloud ? set.repatriation_cost : 0);
  const double p_outside = log_sum == kMinusInfinity ? 1.0 : 1.0 / (1.0 + std::exp(cloud - outside));
  out[0] = p_outside;
  for (std::size_t j = 1; j < out.size(); ++j) out[j] *= 1.0 - p_outside;
}

double inclusive_value(const ChoiceSet& set) {
  const double cloud = set.nesting * cloud_log_sum(set, Supplier(-1), 0.0);
  const double u0 = set.utility[0];
  if (cloud == kMinusInfinity) return u0;
  const double top = std::max(u0, cloud);
  return top + std::log(std::exp(u0 - top) + std::exp(cloud - top));
}

}  // namespace cm
