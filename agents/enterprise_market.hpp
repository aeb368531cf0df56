#pragma once
// The demand side: the enterprise population, its choice model and what it holds.
//
// Utility of supplier j for a firm of segment s (0 = on-premises, normalised to 0):
//     u_sj = xi_sj - alpha_s * (P_sj - P_sj^0),   P_sj = sum_p w_sp * price_jp / ref_p,
// where P is the segment's price index at vendor j (its budget shares w weigh each product's price
// relative to the reference, the mean initial list price), P^0 its value at the start, and xi the
// intercepts calibrated so that the renewal chain is stationary at the scenario's initial shares.
#include <vector>

#include "agents/grid.hpp"
#include "agents/population.hpp"
#include "agents/renewal.hpp"
#include "sim/scenario.hpp"

namespace cm {

class EnterpriseMarket {
 public:
  explicit EnterpriseMarket(const Scenario& scenario);

  std::size_t options() const { return vendors_ + 1; }

  // segment x supplier utilities at these prices (vendor x product).
  Grid utilities(const Grid& prices) const;
  // Firms whose contract renews in `month` re-choose at these prices.
  void renew(int month, const Grid& prices);
  // segment x supplier: the monthly budgets of the firms on each supplier in `month`.
  Grid monthly_budget_on(int month) const;
  // Firms per supplier (vendor v at v + 1), all segments.
  std::vector<std::int64_t> firms_on() const;
  // Firms per segment not on-premises.
  std::vector<std::int64_t> cloud_firms() const;
  // Expected surplus of a fresh choice over staying on-premises, in currency per month:
  // sum_s monthly_budget_s / alpha_s * log sum_j exp(u_sj) (the logit inclusive value).
  double consumer_surplus(int month, const Grid& prices) const;

  const Grid& spend_shares() const { return spend_shares_; }
  const Population& population() const { return population_; }

 private:
  double growth_factor(std::size_t segment, int month) const;

  const Scenario& scenario_;
  std::size_t vendors_;
  Grid spend_shares_;          // segment x product
  std::vector<double> reference_price_;  // per product
  Grid initial_index_;         // segment x vendor, P^0
  Grid intercept_;             // segment x supplier, xi
  Population population_;
  std::vector<std::vector<BlockTally>> tally_;  // [segment][phase]
};

// Price index of each segment at each vendor: segment x vendor.
Grid price_index(const Grid& spend_shares, const Grid& prices, const std::vector<double>& reference_price);

}  // namespace cm
