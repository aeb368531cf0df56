#pragma once
// The choice among suppliers: a nested logit with the on-premises outside option alone in one
// nest and the clouds in another (nesting parameter mu in (0, 1]; mu = 1 is the plain logit).
// The supplier a firm holds gets a switching-cost bonus; unavailable options (a vendor that has
// exited, or one outside a domestic-only segment's region) are never chosen. A firm that holds a
// cloud pays `repatriation_cost` (a utility) to move on-premises: its on-premises utility is
// u_0 - repatriation_cost (docs/model.md, "On-premises and repatriation").
#include <span>
#include <vector>

#include "agents/population.hpp"

namespace cm {

struct ChoiceSet {
  std::vector<double> utility;   // per option: 0 = on-premises, v + 1 = vendor v
  std::vector<char> available;   // per option; on-premises is always available
  double nesting = 1.0;          // mu
  double repatriation_cost = 0;  // utility, paid only by a firm holding a cloud that moves on-premises
  // Per option: share of the segment's unbundled AI-layer spend bought at each vendor's marketplace
  // (agents/ai_layer.hpp); empty when nothing is bought apart.
  std::vector<double> layer{};
};

// Probabilities of each option for a firm that holds `current`, with bonus `switching_cost` (and
// the repatriation cost if `current` is a cloud; a `current` outside the options is a fresh choice).
void choice_probabilities(const ChoiceSet& set, Supplier current, double switching_cost, std::span<double> out);

// The split of a multi-cloud firm's spend over clouds: the within-cloud-nest probabilities, with
// the bonus on its primary vendor `current` (if it is a cloud). Zero for on-premises.
void cloud_split(const ChoiceSet& set, Supplier current, double switching_cost, std::span<double> out);

// Expected maximum utility of a fresh choice (no bonus): log(exp(u_0) + exp(mu * IV_cloud)).
double inclusive_value(const ChoiceSet& set);

}  // namespace cm
