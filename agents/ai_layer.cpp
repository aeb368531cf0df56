#include "agents/ai_layer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cm {

std::vector<double> ai_layer_shares(std::span<const double> appeal, std::span<const double> model_index,
                                    double price_sensitivity, const std::vector<char>& available) {
  std::vector<double> share(appeal.size() + 1, 0.0);
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t v = 0; v < appeal.size(); ++v)
    if (available[v + 1]) top = std::max(top, appeal[v] - price_sensitivity * model_index[v]);
  if (!std::isfinite(top)) return share;
  double total = 0;
  for (std::size_t v = 0; v < appeal.size(); ++v)
    if (available[v + 1]) total += share[v + 1] = std::exp(appeal[v] - price_sensitivity * model_index[v] - top);
  for (double& m : share) m /= total;
  return share;
}

double shifted_layer_share(double share, double shift) {
  if (share <= 0 || shift == 0) return share;
  if (share >= 1) return 1.0;
  // share e / (1 - share + share e), written so a large |shift| takes its limit (0 or 1).
  return 1.0 / (1.0 + (1.0 - share) / share * std::exp(-shift));
}

}  // namespace cm
