#pragma once
// Inference on a vendor's fleet, rationed within the month (docs/model.md, "Inference serving").
// The startups' training clusters are reserved capacity, so training runs first on the vendor's
// SimGrid hosts; the tokens its marketplaces sold in the month want D FLOP, and what the fleet has
// left serves them:
//     K = fleet FLOP/s x seconds of the month,  W = training FLOP run in the month,
//     served S = min(D, max(0, K - W)),  unserved U = D - S.
// Nothing is carried into the next month, so the cost of a month never depends on the past ones.
// Pure: the tests check it against these equations.
#include <vector>

#include "agents/startup_sector.hpp"

namespace cm {

struct InferenceService {
  double served_flops = 0;    // S
  double unserved_flops = 0;  // U
};

InferenceService serve_inference(double demand_flops, double fleet_flops, double training_flops);

// The same for every vendor in a month: `tokens` [startup][vendor] in million tokens,
// `fleet_flops_per_second` per vendor, `training` the month's training work on its hosts.
std::vector<InferenceService> serve_inference_month(const std::vector<std::vector<double>>& tokens,
                                                    double flops_per_million_tokens,
                                                    const std::vector<double>& fleet_flops_per_second,
                                                    double month_seconds, const std::vector<ComputeUse>& training);

}  // namespace cm
