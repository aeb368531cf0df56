#pragma once
// Everything the market publishes about one month, once it is billed.
#include <cstdint>
#include <vector>

#include "agents/grid.hpp"

namespace cm {

struct MonthReport {
  int month = 0;                          // 0-based month of the run
  Grid price, quantity, revenue, cogs, capacity;  // vendor x product, over the month
  std::vector<double> fixed_cost;         // per vendor, currency
  std::vector<double> cash;               // per vendor, currency, after the month
  std::vector<std::int64_t> customers;    // per vendor, firms with a contract
  std::vector<double> segment_spend;      // per segment, currency paid to vendors
  std::vector<std::int64_t> segment_firms, segment_cloud_firms;
  double consumer_surplus = 0;            // currency (logit inclusive value, money-metric)
};

}  // namespace cm
