#pragma once
// The AI layer bought apart (docs/model.md, "The AI layer bought apart"): a fraction u
// (market.ai_layer_unbundled) of an adopter's spend on model products is bought from any vendor's
// marketplace, whatever its IaaS supplier (on-premises included), by a logit on the model offer:
//     m_sv = exp(a_v - alpha_s M_sv) / sum_k exp(a_k - alpha_s M_sk)   over the vendors s may use,
//     a_v  = model_quality_weight * best hosted quality_v + ecosystem_weight * log(1 + models hosted_v),
//     M_sv = sum_{p model} c_sp price_vp / ref_p / sum_{p model} c_sp,
// c_sp the segment's AI spend shares, ref_p the reference (mean initial list) price. The rest,
// 1 - u, is bought from the firm's own supplier(s) as before. Pure: no World, no SimGrid.
#include <span>
#include <vector>

namespace cm {

// m_s over options (index 0, on-premises, is 0): `appeal` and `model_index` per vendor,
// `available` per option.
std::vector<double> ai_layer_shares(std::span<const double> appeal, std::span<const double> model_index,
                                    double price_sensitivity, const std::vector<char>& available);

// The share of the layer a vendor with seen share `share` keeps when its utility moves by `shift`
// (logit: share e / (1 - share + share e), e = exp(shift)).
double shifted_layer_share(double share, double shift);

}  // namespace cm
