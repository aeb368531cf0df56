#pragma once
// Monthly billing: what firms buy from their suppliers and pay for it.
//
// The firms of segment s at vendor v want to spend W_svp on product p at the reference price
// (their budget shares, plus AI spend for adopters); at list price P the spend they want is
// W (P / ref)^(1 - e) and the quantity W (P / ref)^(1 - e) / P, a constant price elasticity e
// (e = 1: fixed spend). When a vendor's demand for a product exceeds its capacity, every buyer
// gets the same fraction (pro-rata rationing) and pays only for what it gets. Customers' payments
// (per segment) and vendors' revenue (price times quantity) are computed separately, so that
// their equality checks the books.
#include <vector>

#include "agents/grid.hpp"

namespace cm {

struct Bill {
  Grid wanted;                       // vendor x product, units asked for
  Grid quantity;                     // vendor x product, units sold
  Grid revenue;                      // vendor x product, currency
  Grid served;                       // vendor x product, fraction of demand served (1 without demand)
  std::vector<double> segment_spend; // per segment, currency paid to all vendors
};

// wanted_at_reference[s]: vendor x product spend of segment s at reference prices (currency).
Bill bill_month(const std::vector<Grid>& wanted_at_reference, const std::vector<double>& elasticity,
                const std::vector<double>& reference_price, const Grid& prices, const Grid& capacity);

// Spend wanted at `price` by a buyer who spends `at_reference` at the reference price.
double spend_at_price(double at_reference, double price, double reference_price, double elasticity);
// The factor it multiplies `at_reference` by, (price / reference)^(1 - e) (1 for e = 1): computed once
// where many spends meet one price.
double spend_factor(double price, double reference_price, double elasticity);

}  // namespace cm
