#pragma once
// Everything the market publishes about one month, once it is billed.
#include <cstdint>
#include <string>
#include <vector>

#include "agents/grid.hpp"

namespace cm {

struct VendorExit {
  std::size_t vendor = 0;
  double seconds = 0;        // when it left
  double cash = 0;           // its cash then
  std::int64_t customers = 0;  // contracts it had, which re-choose
};

struct MonthReport {
  int month = 0;                          // 0-based month of the run
  Grid price, quantity, revenue, cogs, capacity;  // vendor x product, over the month
  std::vector<double> fixed_cost;         // per vendor, currency
  std::vector<double> capex;              // per vendor, currency paid for capacity ordered
  std::vector<double> depreciation;       // per vendor, currency
  std::vector<double> cash;               // per vendor, currency, after the month
  std::vector<double> flops;              // per vendor, FLOP/s of its SimGrid hosts during the month
  std::vector<std::int64_t> customers;    // per vendor, contracts
  std::vector<double> segment_spend;      // per segment, currency paid to vendors
  std::vector<std::int64_t> segment_firms, segment_cloud_firms;
  std::vector<double> ai_adoption;        // per segment, fraction of firms
  double consumer_surplus = 0;            // currency (logit inclusive value, money-metric)
  std::vector<VendorExit> exits;          // vendors that left at the end of the month
  std::int64_t firm_decisions = 0;        // renewals and adoptions so far in the run
};

}  // namespace cm
