#include "agents/own_price_demand.hpp"

#include <utility>

namespace cm {

OwnPriceDemand::OwnPriceDemand(const EnterpriseMarket& market, SupplyConditions supply,
                               const std::vector<double>& budget_factor, std::size_t vendor, std::size_t product)
    : market_(market),
      supply_(std::move(supply)),
      vendor_(vendor),
      product_(product),
      seen_fill_(supply_.fill.rows() ? supply_.fill(vendor, product) : 1.0),
      scarcity_premium_(market.scarcity_premium(supply_.month)),
      layer_moves_(market.unbundled(product)),
      sets_(market.choice_sets(supply_)),
      probability_(market.options()) {
  for (std::size_t s = 0; s < sets_.size(); ++s) {
    spend_.push_back(market.fresh_spend(s, supply_.month, budget_factor[s]));
    price_sensitivity_.push_back(market.price_sensitivity(s, supply_.month));
    weight_.push_back(market.cloud_weight(s, supply_));
  }
  share_.resize(sets_.size());
  reprice();
}

void OwnPriceDemand::set(double price, double fill) {
  const bool price_moved = price != supply_.prices(vendor_, product_);
  supply_.prices(vendor_, product_) = price;
  if (supply_.fill.rows()) supply_.fill(vendor_, product_) = fill;
  if (layer_moves_ && price_moved)
    for (std::size_t s = 0; s < sets_.size(); ++s) sets_[s].layer = market_.layer_split(s, supply_, sets_[s].available);
  reprice();
}

void OwnPriceDemand::reprice() {
  for (std::size_t s = 0; s < sets_.size(); ++s) {
    const double index = price_index_at(market_.spend_shares_, s, supply_.prices, vendor_, market_.reference_price_,
                                        supply_.fill, scarcity_premium_);
    sets_[s].utility[vendor_ + 1] =
        market_.cloud_utility(s, vendor_, price_sensitivity_[s], weight_[s], index, supply_);
    choice_probabilities(sets_[s], Supplier(-1), 0.0, probability_);
    share_[s] = probability_[vendor_ + 1];
  }
}

double OwnPriceDemand::wanted(std::size_t s, std::size_t p) const {
  const auto& layer = sets_[s].layer;
  return market_.fresh_wanted(s, p, spend_[s], share_[s], layer.empty() ? 0.0 : layer[vendor_ + 1]);
}

}  // namespace cm
