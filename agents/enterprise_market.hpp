#pragma once
// The demand side: the enterprise population, its choice model and what it holds and wants.
//
// Utility of vendor j for a firm of segment s (on-premises: u_s0(t), its own cost path, and the
// budget weight w_s of a cut budget: agents/on_premises.hpp; both 0 and 1 by default):
//     u_sj = xi_sj - alpha_s (w_s P_sj - P_sj^0),
//     P_sj = sum_p w_sp e_jp / ref_p,   e_jp = f_jp price_jp + (1 - f_jp) F_jp,
// P the segment's price index at j (its budget shares w weigh each product's expected cost per
// unit wanted relative to the reference, the mean initial list price), P^0 its value at the
// start, xi the intercepts calibrated so the renewal chain is stationary at the scenario's initial
// shares, f_jp the fraction of j's demand for p it served last month and F_jp the fallback price
// of what it cannot deliver (rationing is priced: agents/rationing.hpp).
#include <vector>

#include "agents/choice_model.hpp"
#include "agents/grid.hpp"
#include "agents/growth_paths.hpp"
#include "agents/population.hpp"
#include "agents/renewal.hpp"
#include "sim/scenario.hpp"

namespace cm {

// What vendors can offer right now, as firms see it.
struct SupplyConditions {
  Grid prices;                   // vendor x product list prices in force
  std::vector<char> active;      // per vendor: still in the market
  Grid fill;                     // vendor x product: fraction of last month's demand served (empty: all)
  Grid ecosystem;                // segment x vendor: utility from the models a vendor hosts, vs the start
  int month = 0;                 // the on-premises cost path's date; whose dated parameters apply
  std::vector<double> budget_factor{};  // per segment: budget shocks in force (empty: none)
  std::vector<double> model_appeal{};   // per vendor: utility of its marketplace's models (the unbundled AI layer)
};

// Renewal flows between the cloud and on-premises, firms, per segment (cumulative).
struct PremisesFlows {
  std::vector<std::int64_t> repatriated;  // moved from a cloud to on-premises
  std::vector<std::int64_t> returned;     // moved from on-premises to a cloud
};

class EnterpriseMarket {
 public:
  explicit EnterpriseMarket(const Scenario& scenario);

  std::size_t options() const { return vendors_ + 1; }
  const std::vector<double>& reference_price() const { return reference_price_; }

  // Each segment's choice set under these conditions.
  std::vector<ChoiceSet> choice_sets(const SupplyConditions& supply) const;
  // Firms whose contract renews in `month` re-choose.
  void renew(int month, const std::vector<ChoiceSet>& sets);
  // Every firm whose primary supplier is `vendor` (which has left) re-chooses now.
  void rechoose_customers_of(std::size_t vendor, int month, const std::vector<ChoiceSet>& sets);
  // Bass step for `month`: firms adopt AI so the segment's adopted fraction moves along the flow.
  void adopt_ai(int month);

  // Per segment: vendor x product spend wanted at reference prices in `month`, currency per month.
  // `budget_factor[s]` scales budgets (scheduled shocks). `sets` give the unbundled AI layer's
  // split over marketplaces (ChoiceSet::layer; unused when market.ai_layer_unbundled is 0).
  std::vector<Grid> wanted_at_reference(int month, const std::vector<double>& budget_factor,
                                        const std::vector<ChoiceSet>& sets) const;
  // The same if every firm chose afresh now (no switching costs): the demand pricing strategies
  // reason with, computed from scratch. Reviews evaluate it through OwnPriceDemand, which keeps
  // what a trial price cannot change; this whole computation is what that cache is tested against.
  std::vector<Grid> expected_wanted_at_reference(int month, const std::vector<double>& budget_factor,
                                                 const std::vector<ChoiceSet>& sets) const;

  std::vector<std::int64_t> contracts() const;     // per option (vendor v at v + 1)
  std::vector<std::int64_t> cloud_firms() const;   // per segment, not on-premises
  std::vector<double> ai_adoption() const;         // per segment, fraction adopted
  const PremisesFlows& premises_flows() const { return flows_; }
  // Per segment: on-premises cost index O_s(month) (agents/on_premises.hpp), 1 at the start.
  std::vector<double> on_premises_cost_index(int month) const;
  // Whether product p is a model whose spend is partly bought apart (kind model, unbundled > 0).
  bool unbundled(std::size_t product) const { return unbundled_[product]; }
  // The AI-share weight of a segment's unbundled, priced model products (normalises its model price
  // index M_sv, agents/ai_layer.hpp).
  double ai_layer_weight(std::size_t segment) const;
  // Expected surplus of a fresh choice over staying on-premises, currency per month:
  // sum_s monthly_budget_s / alpha_s * inclusive value (docs/model.md).
  double consumer_surplus(int month, const std::vector<double>& budget_factor, const std::vector<ChoiceSet>& sets) const;

  const Population& population() const { return population_; }
  // What forward-looking pricing reads (agents/world_outlook.cpp): per renewal phase, the budgets
  // each option holds; the budget and AI shares by product; the growth of budgets and AI spend.
  const std::vector<BlockTally>& phase_tallies(std::size_t segment) const { return tally_[segment]; }
  const Grid& spend_shares() const { return spend_shares_; }
  const Grid& ai_shares() const { return ai_shares_; }
  double growth_factor(std::size_t segment, int month) const;
  double ai_factor(std::size_t segment, int month) const;
  // Firm-level decisions so far: contract renewals (choices) and AI adoptions.
  std::int64_t decisions() const { return decisions_; }

 private:
  friend class OwnPriceDemand;  // expected_wanted_at_reference for one vendor, its fixed parts kept

  // Per option, the base budgets (currency per year at the start) and the AI budgets of the
  // segment's firms that it serves, over all renewal phases.
  std::pair<std::vector<double>, std::vector<double>> segment_budgets(std::size_t segment) const;
  void retally(std::size_t segment, int phase, const RenewalTable& table);
  // A segment's budgets summed over options (every firm choosing afresh) and their monthly scales.
  struct FreshSpend {
    double budget = 0, ai = 0;     // currency per year at the start
    double scale = 0, ai_scale = 0;  // to currency per month in the month: growth, shocks, AI spend
  };
  FreshSpend fresh_spend(std::size_t segment, int month, double budget_factor) const;
  // One entry of expected_wanted_at_reference: segment s's spend on product p at a vendor chosen with
  // `probability`, whose marketplace has `layer_share` of the segment's AI layer bought apart.
  double fresh_wanted(std::size_t segment, std::size_t product, const FreshSpend& spend, double probability,
                      double layer_share) const;
  // The parts of a segment's utilities (choice_sets) in force under these conditions.
  double scarcity_premium(int month) const;
  double price_sensitivity(std::size_t segment, int month) const;
  double cloud_weight(std::size_t segment, const SupplyConditions& supply) const;  // w_s
  // u_sv at vendor v's price index P_sv.
  double cloud_utility(std::size_t segment, std::size_t vendor, double price_sensitivity, double weight, double index,
                       const SupplyConditions& supply) const;
  // The unbundled AI layer's split over marketplaces for one segment (agents/ai_layer.hpp).
  std::vector<double> layer_split(std::size_t segment, const SupplyConditions& supply,
                                  const std::vector<char>& available) const;

  const Scenario& scenario_;
  std::size_t vendors_;
  Grid spend_shares_;                     // segment x product
  Grid ai_shares_;                        // segment x product
  GrowthPaths growth_;                    // growth_factor and ai_factor by month
  std::vector<double> reference_price_;   // per product
  Grid initial_index_;                    // segment x vendor, P^0
  Grid intercept_;                        // segment x option, xi
  std::vector<double> cloud_index_at_start_;  // per segment: Pbar^0, initial-share-weighted P^0
  std::vector<char> unbundled_;           // per product: model kind and ai_layer_unbundled > 0
  PremisesFlows flows_;
  std::vector<std::vector<char>> allowed_;  // segment x option: region rules
  Population population_;
  std::vector<std::vector<BlockTally>> tally_;  // [segment][phase]
  std::vector<std::size_t> adopted_count_;      // per segment
  std::vector<std::size_t> adoption_cursor_;    // per segment, into population_.adoption_order
  std::vector<double> adoption_hazard_;         // per segment, cumulative
  std::int64_t decisions_ = 0;
};

// Price index of each segment at each vendor: segment x vendor. `fill` (vendor x product, empty:
// all served) prices rationing at `scarcity_premium` (agents/rationing.hpp).
Grid price_index(const Grid& spend_shares, const Grid& prices, const std::vector<double>& reference_price,
                 const Grid& fill = {}, double scarcity_premium = 0.0);
// One entry of it: segment s's price index at vendor v.
double price_index_at(const Grid& spend_shares, std::size_t segment, const Grid& prices, std::size_t vendor,
                      const std::vector<double>& reference_price, const Grid& fill, double scarcity_premium);

}  // namespace cm
