#pragma once
// Everything the market publishes about one month, once it is billed.
#include <cstdint>
#include <string>
#include <vector>

#include "agents/grid.hpp"
#include "agents/startup_sector.hpp"

namespace cm {

struct VendorExit {
  std::size_t vendor = 0;
  double seconds = 0;        // when it left
  double cash = 0;           // its cash then
  std::int64_t customers = 0;  // contracts it had, which re-choose
};

struct TrainingRun {
  std::size_t startup = 0;
  std::size_t vendor = 0;
  double flops = 0;
  double start_seconds = 0, end_seconds = 0;
};

struct StartupFailureReport {
  std::size_t startup = 0;
  double seconds = 0;
  double cash = 0;
  double written_off = 0;
};

struct MonthReport {
  int month = 0;                          // 0-based month of the run
  Grid price, quantity, revenue, cogs, capacity;  // vendor x product, over the month
  std::vector<double> fixed_cost;         // per vendor, currency
  std::vector<double> capex;              // per vendor, currency paid for capacity ordered
  std::vector<double> depreciation;       // per vendor, currency
  // Chip programmes (docs/model.md, "Chip programmes"), per vendor.
  std::vector<double> chip_rd_spend;      // currency paid for R&D
  std::vector<double> chip_sales;         // currency: own-chip capacity sold to region rivals
  std::vector<double> chip_sales_cost;    // currency: what making the capacity sold cost the seller
  std::vector<double> chip_output;        // units of monthly GPU capacity built with its chips (own orders + sold)
  std::vector<double> chip_cost_factor;   // multiplier of its GPU unit cost and capex (1: no programme)
  std::vector<double> cash;               // per vendor, currency, after the month
  std::vector<double> flops;              // per vendor, FLOP/s of its SimGrid hosts during the month
  std::vector<std::int64_t> customers;    // per vendor, contracts
  std::vector<double> segment_spend;      // per segment, currency paid to vendors
  std::vector<std::int64_t> segment_firms, segment_cloud_firms;
  std::vector<double> ai_adoption;        // per segment, fraction of firms
  // On-premises and repatriation (agents/on_premises.hpp): per segment.
  std::vector<double> on_premises_cost;               // cost index O_s, 1 at the start
  std::vector<std::int64_t> repatriations, returns;   // firms moved cloud -> on-premises, and back, this month
  double consumer_surplus = 0;            // currency (logit inclusive value, money-metric)
  std::vector<VendorExit> exits;          // vendors that left at the end of the month
  std::int64_t firm_decisions = 0;        // renewals and adoptions so far in the run
  // Startups and deals.
  std::vector<double> roundtrip_revenue;  // per vendor: paid with invested credits or under a commitment
  std::vector<double> model_payouts;      // per vendor: model revenue passed on to startups
  std::vector<double> stakes;             // per vendor: value of its stakes in startups
  std::vector<double> fund_cash;          // per independent investor, currency
  std::vector<double> startup_cash, startup_quality, startup_revenue, startup_spend, startup_burn;
  std::vector<double> startup_valuation;   // per startup: pre-money a round would have now, currency
  std::vector<double> startup_planned_spend;  // per startup: spend of the run planned this month (0: none), currency
  std::vector<double> startup_gpu_hours;   // per startup: GPU-hours a month its running training holds
  std::vector<std::vector<double>> startup_credits;   // [startup][vendor], unspent at the end of the month
  std::vector<std::int64_t> startup_alive;
  std::vector<std::vector<double>> inference_tokens;  // [startup][vendor], million tokens served
  std::vector<StartupFailureReport> startup_failures;
  std::vector<double> startup_serving_cost;           // per startup: inference compute paid to hosts (priced APIs)
  // Per vendor, FLOP in the month: the inference its fleet served after training, and the rest of
  // what the tokens sold wanted (agents/inference_serving.hpp).
  std::vector<double> inference_served, inference_unserved;
  std::vector<ApiPriceChange> api_price_changes;      // announced this month
  std::vector<Deal> deals;
  std::vector<TrainingRun> training_runs;
};

}  // namespace cm
