#include "agents/model_api_market.hpp"

#include <cmath>

namespace cm {

double price_paid(const ListedModel& model, double list_price) { return model.api_price.value_or(list_price); }

std::vector<double> token_shares(const std::vector<ListedModel>& models, double list_price, const ModelChoiceWeights& w) {
  std::vector<double> weight(models.size());
  double total = 0;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const double relative = (models[i].api_price && list_price > 0) ? *models[i].api_price / list_price - 1.0 : 0.0;
    total += (weight[i] = std::exp(w.quality * models[i].quality - w.price * relative));
  }
  if (!(total > 0)) return std::vector<double>(models.size(), 0.0);  // every weight underflowed: nobody is chosen
  for (double& x : weight) x /= total;
  return weight;
}

double serving_cost_per_million_tokens(double flops_per_million_tokens, double flops_per_gpu_hour, double gpu_price) {
  return flops_per_gpu_hour > 0 ? flops_per_million_tokens / flops_per_gpu_hour * gpu_price : 0.0;
}

double api_profit(std::vector<ListedModel> models, std::size_t i, double price, double list_price, double tokens,
                  double revenue_share, double serving_cost, const ModelChoiceWeights& w) {
  models[i].api_price = price;
  const double share = token_shares(models, list_price, w)[i];
  return tokens * share * ((1.0 - revenue_share) * price - serving_cost);
}

}  // namespace cm
