#pragma once
// The shared state of one run that actors read and change: calendar, list prices, the enterprise
// market and the vendors' books, costs and capacity. Actors run one at a time (SimGrid is
// cooperative), so no locks.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/chip_programme.hpp"
#include "agents/customer_value.hpp"
#include "agents/enterprise_market.hpp"
#include "agents/expected_profit.hpp"
#include "agents/month_report.hpp"
#include "agents/price_book.hpp"
#include "agents/pricing_strategy.hpp"
#include "agents/startup_sector.hpp"
#include "agents/training_plan.hpp"
#include "sim/calendar.hpp"
#include "sim/scenario.hpp"

namespace cm {

class World {
 public:
  explicit World(const Scenario& scenario);

  const Scenario& scenario;
  const Calendar calendar;
  PriceBook prices;
  EnterpriseMarket market;
  StartupSector startups;

  int months() const { return scenario.time.months(); }
  double month_start(int month) const { return calendar.month_start_seconds(month); }

  // At the start of `month`: renewals (and re-choice by the customers of vendors that left), then
  // AI adoption.
  void open_month(int month);
  // At the end of `month`: bill it at the prices in force from its start, post every vendor's P&L,
  // order capacity, and retire vendors whose cash stayed negative too long.
  // `training` lists the FLOP each startup's training ran this month and on which vendor.
  MonthReport close_month(int month, const std::vector<ComputeUse>& training = {});

  // A deal signed by a startup's actor: moves the money and records it for the output.
  void sign_deal(const Deal& deal);
  // A training run that finished (for the output's training-runs table and the startup's quality).
  void finish_training_run(const TrainingRun& run);
  // Capital it may invest at `now`: its tranches dated up to now, less what it has invested.
  double investor_budget_left(const InvestorRef& investor, double now) const;

  // ---- money that binds: startups' training plans and investors' views (docs/model.md) ----
  // A startup's training plan at `now` (agents/training_plan.hpp) on its training vendor, whose
  // fleet (the SimGrid host it trains on) delivers at most `fleet_gpu_hours` a month.
  TrainingPlan plan_training(std::size_t startup, double now, double fleet_gpu_hours) const;
  // GPU-hours a month a startup's running training holds on a vendor (0: none); others' plans
  // see it as taken.
  void hold_gpu_hours(std::size_t startup, std::size_t vendor, double gpu_hours_per_month, double planned_spend);
  void release_gpu_hours(std::size_t startup) { held_[startup] = {}; }
  // A vendor's GPU-hours a month nobody uses or holds: capacity in service (after outages) less
  // enterprises' demand last month less the other startups' holdings.
  double free_gpu_hours(std::size_t vendor, std::size_t except_startup, int month) const;
  // Expected growth of the model market: the annualised growth of all model products' revenue
  // over the last closed months (up to 3 against the 3 before; 0 with fewer than 2).
  double model_market_growth() const;
  // A startup's expected revenue growth: that of what its model earned (as above); the market's
  // while it has earned in fewer than 2 months.
  double startup_growth(std::size_t startup) const;
  // The round a startup asks for now (investors fill in their own view).
  RoundRequest round_request(std::size_t startup) const;
  // A vendor's unit cost share of its GPU product and its model-API revenue share.
  InvestorView investor_view(const InvestorRef& investor, double now) const;
  // The product startups rent GPUs as: the first product measured in gpu_hour, else the first
  // compute product (none: startups cannot train).
  std::optional<std::size_t> gpu_product() const { return gpu_product_; }
  // Capacity available (fraction) of a vendor now, after outages.
  double availability(std::size_t vendor, int month) const;

  bool active(std::size_t vendor) const { return active_[vendor]; }
  // The vendor's GPU capacity (or, without a GPU product, all compute capacity valued at reference
  // prices) relative to the start: what its SimGrid hosts' speed follows.
  double compute_capacity_ratio(std::size_t vendor) const;
  double unit_cost(std::size_t vendor, std::size_t product) const;
  // Multiplier of the vendor's GPU unit cost and capex from its chip programme in `month` (1 without).
  double chip_cost_factor(std::size_t vendor, int month) const;
  // Own profit per month (revenue - cost of goods, all products) that `vendor` expects at these
  // prices if every firm chose afresh (the model's demand without switching costs).
  // With `capped`, that product's sales are capped at the vendor's capacity for enterprises next
  // month (capacity_outlook), so scarcity is priced. Reviews use expected_profit_at below; this
  // form is what that cache is tested against.
  double expected_profit(std::size_t vendor, const Grid& prices, int month,
                         std::optional<std::size_t> capped = std::nullopt) const;
  // The same as a function of `product`'s price alone, the other prices as in `prices`, sales of
  // the product capped if `capped`: what a price search evaluates, its fixed parts computed once.
  // Valid while the world stays as it is (within one review).
  ExpectedProfit expected_profit_at(std::size_t vendor, std::size_t product, const Grid& prices, int month,
                                    bool capped) const;
  // Units of `product` the vendor can sell to enterprises in each of the `months` months from
  // month + 1: capacity in service and on order (export controls already applied to orders),
  // times today's availability (outages), less the GPU-hours startups' training took last month.
  std::vector<double> capacity_outlook(std::size_t vendor, std::size_t product, int month, int months) const;
  // The forward-looking pricing problem of one vendor-product at a review in `month`, with the
  // prices as seen (agents/world_outlook.cpp, docs/model.md).
  DynamicPricingProblem dynamic_pricing_problem(std::size_t vendor, std::size_t product, const Grid& prices,
                                                int month, const Pricing& pricing) const;
  // Gross profit of one product line in each closed month (index = month).
  std::vector<double> product_profit_by_month(std::size_t vendor, std::size_t product) const;

  // Every q_learning strategy the vendors' actors created, kept for the output's learnt policies.
  struct Learner {
    std::size_t vendor, product, regime;
    std::shared_ptr<const PricingStrategy> strategy;
  };
  std::vector<Learner> learners;

  // Startups' API prices (agents/model_api_market.hpp). A change takes effect at the next month start.
  void announce_api_price(std::size_t startup, double now, double price, const std::string& reason);
  // Inference compute cost of a million tokens on a vendor's hosts at its GPU price at `seconds`.
  double serving_cost(std::size_t vendor, double seconds) const;
  // The active vendors whose marketplaces list a startup's model now.
  std::vector<std::size_t> api_marketplaces(std::size_t startup) const;
  // A startup's expected API profit per month as a function of its own price, every other model's
  // price as in `seen` (per startup; none: the host's list price), last month's tokens per
  // marketplace and the list prices in force at `now`. The marketplaces are read once, here: a
  // trial price then costs O(marketplaces), not a pass over every listed model.
  std::function<double(double price)> api_profit_oracle(std::size_t startup,
                                                        const std::vector<std::optional<double>>& seen,
                                                        double now) const;

 private:
  void size_opening_capacity();
  struct Order {
    int arrives;          // month the capacity enters service
    std::size_t product;
    double units;
  };
  struct Depreciation {
    int from, to;         // months [from, to)
    double per_month;
  };
  // The events of one type in force at `month`'s start (from `at`, until `until` if it has one).
  std::vector<const Event*> events_in_force(EventType type, int month) const;
  std::vector<double> budget_factors(int month) const;
  std::vector<double> price_elasticities(int month) const;  // per segment, in force in `month`
  // Currency per unit of monthly capacity a vendor adds in `month` (its own chips' saving included).
  double capex_per_unit(std::size_t vendor, std::size_t product, int month) const;
  SupplyConditions supply(int month) const;
  // What firms see at these prices and fill rates in `month` (supply(month) at the prices in force).
  SupplyConditions supply_at(const Grid& prices, const Grid& fill, int month) const;
  PremisesFlows reported_flows_;             // cumulative flows at the last report
  struct CapacityRequest {
    std::size_t vendor, product;
    double units;            // of monthly capacity
    double capex_per_unit;
    bool own_chips = false;  // built with the vendor's own chips (its chip programme's supply)
    // Bought from a region rival's chip programme: the seller, and its production cost per unit.
    std::optional<std::size_t> seller;
    double seller_cost_per_unit = 0;
  };
  std::vector<CapacityRequest> plan_capacity(std::size_t vendor, int month, const Grid& wanted) const;
  // Chip programmes: each vendor's GPU request is built with its own chips first, up to its supply
  // this month; `spare` receives each vendor's supply left over (docs/model.md, "Chip programmes").
  void use_own_chips(int month, std::vector<CapacityRequest>& requests, std::vector<double>& spare) const;
  // Export controls scale a region's requests (other than own chips) to the substitute's cap, pro
  // rata, at its efficiency; what that leaves unmet is bought from the region's chip programmes'
  // spare supply at their capex per unit x (1 + markup).
  void apply_export_controls(int month, std::vector<CapacityRequest>& requests, std::vector<double>& spare) const;
  void place_order(const CapacityRequest& request, int month, MonthReport& report);
  void retire(std::size_t vendor, int month, MonthReport& report);

  std::vector<char> active_;
  std::vector<double> cash_;
  std::vector<int> months_negative_;
  Grid capacity_, experience_, initial_experience_;
  Grid opening_capacity_;  // capacity_ at the start, once sized (the hosts' reference speed)
  Grid fill_;                                // vendor x product: fraction of enterprises' demand served last month
  std::vector<double> reserved_gpu_hours_;   // per vendor: startups' training last month
  std::vector<Grid> demand_history_;         // per month: vendor x product units wanted
  std::vector<Grid> profit_history_;         // per month: vendor x product gross profit
  std::vector<std::vector<Order>> orders_;   // per vendor, not yet arrived
  std::vector<std::vector<Depreciation>> depreciation_;
  std::vector<std::size_t> pending_exits_;   // vendors whose customers re-choose at the next month start
  std::vector<double> fund_cash_;            // per independent investor
  std::vector<double> model_revenue_;        // per closed month: all vendors' model-product revenue
  std::vector<double> enterprise_gpu_hours_; // per vendor: enterprises' GPU demand last month (empty before)
  struct Holding {
    std::size_t vendor = 0;
    double gpu_hours = 0;                    // a month
  };
  std::vector<Holding> held_;                // per startup
  std::vector<double> planned_spend_;        // per startup: spend of the runs planned this month
  std::vector<double> vendor_invested_, fund_invested_;
  void settle_startups(int month, const ComputeBill& compute, const ModelPayouts& payouts, MonthReport& report);
  std::vector<std::optional<ChipProgrammeTrack>> chips_;  // per vendor
  Grid last_quantity_;                       // vendor x product, units sold last month
  std::vector<Deal> pending_deals_;
  std::vector<TrainingRun> pending_runs_;
  std::optional<std::size_t> gpu_product_;
  std::vector<std::size_t> model_products_;
  Grid initial_ecosystem_;                   // segment x vendor utility from models at the start
  Grid ecosystem_utility(int month) const;   // segment x vendor, now
  double shock_factor(std::size_t vendor, std::size_t product, int month) const;  // cost shocks
  int current_month_ = 0;
};

}  // namespace cm
