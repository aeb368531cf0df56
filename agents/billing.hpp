#pragma once
// Monthly billing: what firms buy from their suppliers and pay for it.
//
// A firm spends its monthly budget on each product in fixed shares (unit price elasticity), so
// the quantity it asks of product p is share_p * budget / price_p. When a vendor's demand for a
// product exceeds its capacity, every buyer gets the same fraction (pro-rata rationing) and pays
// only for what it gets. Customers' payments (per segment) and vendors' revenue (price times
// quantity, per vendor) are computed separately, so that their equality checks the books.
#include <vector>

#include "agents/grid.hpp"

namespace cm {

struct Bill {
  Grid quantity;                     // vendor x product, units sold in the month
  Grid revenue;                      // vendor x product, currency
  std::vector<double> segment_spend; // per segment, currency paid to all vendors
};

// budget_on: segment x supplier (0 = on-premises, v+1 = vendor v), monthly budgets of the firms
// on each supplier. spend_shares: segment x product. prices, capacity: vendor x product.
Bill bill_month(const Grid& budget_on, const Grid& spend_shares, const Grid& prices, const Grid& capacity);

}  // namespace cm
