#include "agents/billing.hpp"

#include <algorithm>
#include <cmath>

namespace cm {

double spend_factor(double price, double reference_price, double elasticity) {
  if (elasticity == 1.0 || reference_price <= 0) return 1.0;
  return std::pow(price / reference_price, 1.0 - elasticity);
}

double spend_at_price(double at_reference, double price, double reference_price, double elasticity) {
  return at_reference * spend_factor(price, reference_price, elasticity);  // x * 1.0 is x: the fixed-spend case is exact
}

Bill bill_month(const std::vector<Grid>& wanted_at_reference, const std::vector<double>& elasticity,
                const std::vector<double>& reference_price, const Grid& prices, const Grid& capacity) {
  const std::size_t segments = wanted_at_reference.size(), vendors = prices.rows(), products = prices.cols();
  Bill bill{Grid(vendors, products), Grid(vendors, products), Grid(vendors, products), Grid(vendors, products, 1.0),
            std::vector<double>(segments, 0.0)};

  // Per (vendor, product): spend wanted at the list price, then the fraction served.
  Grid spend(vendors, products);
  for (std::size_t s = 0; s < segments; ++s)
    for (std::size_t v = 0; v < vendors; ++v)
      for (std::size_t p = 0; p < products; ++p)
        spend(v, p) += spend_at_price(wanted_at_reference[s](v, p), prices(v, p), reference_price[p], elasticity[s]);
  for (std::size_t v = 0; v < vendors; ++v) {
    for (std::size_t p = 0; p < products; ++p) {
      const double price = prices(v, p);
      if (spend(v, p) <= 0) continue;
      if (price <= 0) {  // a free product: firms take what capacity allows and pay nothing
        bill.wanted(v, p) = bill.quantity(v, p) = capacity(v, p);
        continue;
      }
      bill.wanted(v, p) = spend(v, p) / price;
      bill.served(v, p) = std::min(1.0, capacity(v, p) / bill.wanted(v, p));
      bill.quantity(v, p) = bill.served(v, p) * bill.wanted(v, p);
      bill.revenue(v, p) = price * bill.quantity(v, p);
    }
  }
  for (std::size_t s = 0; s < segments; ++s)
    for (std::size_t v = 0; v < vendors; ++v)
      for (std::size_t p = 0; p < products; ++p)
        if (prices(v, p) > 0)
          bill.segment_spend[s] += spend_at_price(wanted_at_reference[s](v, p), prices(v, p), reference_price[p],
                                                  elasticity[s]) * bill.served(v, p);
  return bill;
}

}  // namespace cm
