#include "agents/inference_serving.hpp"

#include <algorithm>

namespace cm {

InferenceService serve_inference(double demand_flops, double fleet_flops, double training_flops) {
  const double left = std::max(0.0, fleet_flops - training_flops);
  if (demand_flops <= left) return {demand_flops, 0.0};  // all served: exactly no unserved demand
  return {left, demand_flops - left};
}

std::vector<InferenceService> serve_inference_month(const std::vector<std::vector<double>>& tokens,
                                                    double flops_per_million_tokens,
                                                    const std::vector<double>& fleet_flops_per_second,
                                                    double month_seconds, const std::vector<ComputeUse>& training) {
  const std::size_t vendors = fleet_flops_per_second.size();
  std::vector<double> demand(vendors, 0.0), trained(vendors, 0.0);
  for (const auto& per_vendor : tokens)
    for (std::size_t v = 0; v < vendors; ++v) demand[v] += per_vendor[v];
  for (const auto& use : training) trained[use.vendor] += use.flops;
  std::vector<InferenceService> out;
  for (std::size_t v = 0; v < vendors; ++v)
    out.push_back(serve_inference(demand[v] * flops_per_million_tokens, fleet_flops_per_second[v] * month_seconds,
                                  trained[v]));
  return out;
}

}  // namespace cm
