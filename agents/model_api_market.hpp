#pragma once
// The market for models on one marketplace (a host vendor's model product in a month), without
// SimGrid. Buyers at the host take Q million tokens (the enterprise market decides Q at the host's
// list price L); they split them over the listed models by logit on quality and on the API price
// relative to L:
//
//     share_i = exp(beta q_i - gamma (a_i / L - 1)) / sum_j exp(beta q_j - gamma (a_j / L - 1)),
//
// and pay each model's price a_i (a model without its own price, or an open-weight one, costs L).
// An owner that prices its API keeps (1 - revenue_share) a_i per million tokens and pays the host
// for the inference compute its tokens use, c = flops_per_million_tokens / flops_per_gpu_hour x
// the host's GPU price. Its profit on the marketplace is Q share_i ((1 - revenue_share) a_i - c):
// a logit Bertrand game with price coefficient gamma / L and effective cost c / (1 - revenue_share).
#include <cstddef>
#include <optional>
#include <vector>

namespace cm {

struct ListedModel {
  double quality = 0;
  std::optional<double> api_price;  // currency per million tokens; none: the host's list price
};

struct ModelChoiceWeights {
  double quality = 2.0;  // beta: market.model_choice_quality
  double price = 1.0;    // gamma: market.model_choice_price, per unit of price relative to the list price
};

// The price buyers pay per million tokens of a listed model.
double price_paid(const ListedModel& model, double list_price);

// Each listed model's share of the marketplace's tokens (sums to 1; all 0 if every weight underflows).
std::vector<double> token_shares(const std::vector<ListedModel>& models, double list_price, const ModelChoiceWeights& w);

// Inference compute cost of a million tokens at a GPU-hour price.
double serving_cost_per_million_tokens(double flops_per_million_tokens, double flops_per_gpu_hour, double gpu_price);

// Owner of model `i`'s API profit per month on one marketplace at trial prices, the others' prices
// held: tokens x share_i x ((1 - revenue_share) price - serving_cost). The others' logit weights
// are summed once, so a price review's many trials cost O(1) each, not a pass over every model.
class HeldMarketplace {
 public:
  HeldMarketplace(const std::vector<ListedModel>& models, std::size_t i, double list_price, double tokens,
                  double revenue_share, double serving_cost, const ModelChoiceWeights& w);
  double profit(double price) const;

 private:
  double quality_;
  double others_weight_;  // sum over j != i of exp(beta q_j - gamma (a_j / L - 1))
  double list_price_, tokens_, revenue_share_, serving_cost_;
  ModelChoiceWeights w_;
};

// The same for one trial price.
double api_profit(const std::vector<ListedModel>& models, std::size_t i, double price, double list_price,
                  double tokens, double revenue_share, double serving_cost, const ModelChoiceWeights& w);

}  // namespace cm
