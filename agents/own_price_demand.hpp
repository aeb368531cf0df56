#pragma once
// The demand a pricing vendor reasons with (EnterpriseMarket::expected_wanted_at_reference: every
// firm choosing afresh) as the list price and fill rate of one of its products move, everything
// else held as the vendor sees it at a review. A price search evaluates it a few hundred times a
// review (a few times per trial price, for the fill rate that price would bring), so what does not
// move with that price is computed once: each segment's budgets, growth and utilities of the
// other options. A move re-prices the vendor in every segment's choice. Its figures are those of
// expected_wanted_at_reference on the same conditions, to the bit.
#include <cstddef>
#include <vector>

#include "agents/enterprise_market.hpp"

namespace cm {

class OwnPriceDemand {
 public:
  // At `supply` (prices and fill rates as seen, in supply.month) with budget shocks `budget_factor`.
  OwnPriceDemand(const EnterpriseMarket& market, SupplyConditions supply, const std::vector<double>& budget_factor,
                 std::size_t vendor, std::size_t product);

  // The own product's list price and fill rate (served / wanted) that firms see from now on.
  void set(double price, double fill);
  // expected_wanted_at_reference(...)[segment](vendor, product) under what set() set (the
  // conditions as seen before it is called), currency per month at reference prices.
  double wanted(std::size_t segment, std::size_t product) const;
  std::size_t segments() const { return spend_.size(); }
  double seen_fill() const { return seen_fill_; }

 private:
  void reprice();

  const EnterpriseMarket& market_;
  SupplyConditions supply_;
  std::size_t vendor_, product_;
  double seen_fill_;
  double scarcity_premium_;
  bool layer_moves_;  // the own product is partly bought apart: its price moves the AI layer's split
  std::vector<ChoiceSet> sets_;                        // per segment; only the vendor's utility moves
  std::vector<EnterpriseMarket::FreshSpend> spend_;    // per segment
  std::vector<double> price_sensitivity_, weight_;     // per segment
  std::vector<double> share_;                          // per segment: the vendor's choice probability
  std::vector<double> probability_;                    // scratch, per option
};

}  // namespace cm
