#include "agents/model_api_market.hpp"

#include <cmath>

namespace cm {

double price_paid(const ListedModel& model, double list_price) { return model.api_price.value_or(list_price); }

namespace {
// A listed model's logit weight: exp(beta q - gamma (a / L - 1)), a model without its own price at L.
double logit_weight(double quality, std::optional<double> api_price, double list_price, const ModelChoiceWeights& w) {
  const double relative = (api_price && list_price > 0) ? *api_price / list_price - 1.0 : 0.0;
  return std::exp(w.quality * quality - w.price * relative);
}
}  // namespace

std::vector<double> token_shares(const std::vector<ListedModel>& models, double list_price, const ModelChoiceWeights& w) {
  std::vector<double> weight(models.size());
  double total = 0;
  for (std::size_t i = 0; i < models.size(); ++i)
    total += (weight[i] = logit_weight(models[i].quality, models[i].api_price, list_price, w));
  if (!(total > 0)) return std::vector<double>(models.size(), 0.0);  // every weight underflowed: nobody is chosen
  for (double& x : weight) x /= total;
  return weight;
}

double serving_cost_per_million_tokens(double flops_per_million_tokens, double flops_per_gpu_hour, double gpu_price) {
  return flops_per_gpu_hour > 0 ? flops_per_million_tokens / flops_per_gpu_hour * gpu_price : 0.0;
}

HeldMarketplace::HeldMarketplace(const std::vector<ListedModel>& models, std::size_t i, double list_price,
                                 double tokens, double revenue_share, double serving_cost, const ModelChoiceWeights& w)
    : quality_(models[i].quality), others_weight_(0), list_price_(list_price), tokens_(tokens),
      revenue_share_(revenue_share), serving_cost_(serving_cost), w_(w) {
  for (std::size_t j = 0; j < models.size(); ++j)
    if (j != i) others_weight_ += logit_weight(models[j].quality, models[j].api_price, list_price, w);
}

double HeldMarketplace::profit(double price) const {
  const double own = logit_weight(quality_, price, list_price_, w_);
  const double total = own + others_weight_;
  const double share = total > 0 ? own / total : 0.0;  // every weight underflowed: nobody is chosen
  return tokens_ * share * ((1.0 - revenue_share_) * price - serving_cost_);
}

double api_profit(const std::vector<ListedModel>& models, std::size_t i, double price, double list_price,
                  double tokens, double revenue_share, double serving_cost, const ModelChoiceWeights& w) {
  return HeldMarketplace(models, i, list_price, tokens, revenue_share, serving_cost, w).profit(price);
}

}  // namespace cm
