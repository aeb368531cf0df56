#include "agents/billing.hpp"

#include <algorithm>

namespace cm {

Bill bill_month(const Grid& budget_on, const Grid& spend_shares, const Grid& prices, const Grid& capacity) {
  const std::size_t segments = budget_on.rows(), vendors = prices.rows(), products = prices.cols();
  Bill bill{Grid(vendors, products), Grid(vendors, products), std::vector<double>(segments, 0.0)};

  // Fraction of each (vendor, product) demand that is served and paid for.
  Grid paid_fraction(vendors, products);
  for (std::size_t v = 0; v < vendors; ++v) {
    for (std::size_t p = 0; p < products; ++p) {
      double wanted_spend = 0;
      for (std::size_t s = 0; s < segments; ++s) wanted_spend += spend_shares(s, p) * budget_on(s, v + 1);
      const double price = prices(v, p);
      if (wanted_spend <= 0) continue;
      if (price <= 0) {  // a free product: firms take what capacity allows and pay nothing
        bill.quantity(v, p) = capacity(v, p);
        continue;
      }
      const double served = std::min(1.0, capacity(v, p) * price / wanted_spend);
      paid_fraction(v, p) = served;
      bill.quantity(v, p) = served * wanted_spend / price;
      bill.revenue(v, p) = price * bill.quantity(v, p);
    }
  }
  for (std::size_t s = 0; s < segments; ++s)
    for (std::size_t v = 0; v < vendors; ++v)
      for (std::size_t p = 0; p < products; ++p)
        bill.segment_spend[s] += spend_shares(s, p) * budget_on(s, v + 1) * paid_fraction(v, p);
  return bill;
}

}  // namespace cm
