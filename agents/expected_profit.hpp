#pragma once
// A vendor's expected profit per month (World::expected_profit) as a function of one product's
// list price, everything else held as the vendor sees it at a review: the objective best_response
// maximises. What does not move with that price is computed once, when it is made: the demand's
// fixed parts (agents/own_price_demand.hpp), unit costs, next month's capacity and the other
// products' price response; an evaluation re-prices the vendor in every segment's choice, and again
// for each fill rate the search for the steady fill tries. Its values are World::expected_profit's.
#include <cstddef>
#include <optional>
#include <vector>

#include "agents/grid.hpp"
#include "agents/own_price_demand.hpp"

namespace cm {

class ExpectedProfit {
 public:
  // What the vendor sees besides demand, per product unless said.
  struct Terms {
    std::vector<double> prices;           // its list prices (the own product's is the trial price)
    std::vector<double> unit_cost;        // currency per unit now
    std::vector<double> reference_price;  // the market's
    std::vector<double> elasticity;       // per segment
    // Capped sales of the own product (scarcity priced): its capacity for enterprises next month.
    std::optional<double> capacity;
  };
  ExpectedProfit(OwnPriceDemand demand, std::size_t product, Terms terms);

  // Own profit per month (all products) at the own product's price `price`.
  double operator()(double price);

 private:
  double units(std::size_t product) const;  // units wanted of a product at the demand's current state

  OwnPriceDemand demand_;
  std::size_t product_;
  Terms terms_;
  Grid spend_factor_;  // product x segment: spend_factor at the product's price (the own one's per trial)
};

}  // namespace cm
