#include "agents/expected_profit.hpp"

#include <utility>

#include "agents/billing.hpp"
#include "agents/customer_value.hpp"
#include "agents/rationing.hpp"

namespace cm {

ExpectedProfit::ExpectedProfit(OwnPriceDemand demand, std::size_t product, Terms terms)
    : demand_(std::move(demand)),
      product_(product),
      terms_(std::move(terms)),
      spend_factor_(terms_.prices.size(), terms_.elasticity.size()) {
  for (std::size_t p = 0; p < terms_.prices.size(); ++p)
    for (std::size_t s = 0; s < terms_.elasticity.size(); ++s)
      spend_factor_(p, s) = spend_factor(terms_.prices[p], terms_.reference_price[p], terms_.elasticity[s]);
}

double ExpectedProfit::units(std::size_t p) const {
  double spend = 0;
  for (std::size_t s = 0; s < demand_.segments(); ++s) spend += demand_.wanted(s, p) * spend_factor_(p, s);
  return spend / terms_.prices[p];
}

double ExpectedProfit::operator()(double price) {
  const std::size_t q = product_;
  terms_.prices[q] = price;
  for (std::size_t s = 0; s < terms_.elasticity.size(); ++s)
    spend_factor_(q, s) = spend_factor(price, terms_.reference_price[q], terms_.elasticity[s]);
  if (terms_.capacity && price > 0) {
    // Customers see the fill rate the price would bring once it holds (docs/model.md, "Rationing"):
    // a price that draws more than the capacity wins them only at what they can get.
    double evaluated_at = -1;
    const double fill = steady_fill(
        [&](double trial) {
          demand_.set(price, evaluated_at = trial);
          return units(q);
        },
        *terms_.capacity);
    if (fill != evaluated_at) demand_.set(price, fill);
  } else {
    demand_.set(price, demand_.seen_fill());
  }
  double profit = 0;
  for (std::size_t p = 0; p < terms_.prices.size(); ++p) {
    const double list = terms_.prices[p];
    if (list <= 0) continue;
    const double sold = units(p);
    profit += terms_.capacity && p == q ? capped_profit(list, terms_.unit_cost[p], sold, *terms_.capacity)
                                        : sold * (list - terms_.unit_cost[p]);
  }
  return profit;
}

}  // namespace cm
