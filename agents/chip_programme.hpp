#pragma once
// A vendor's chip programme (docs/model.md, "Chip programmes"): R&D paid month by month becomes
// capability `lag` months later,
//     R_lagged(m) = rd_before_start + sum of rd_spend(k) over k <= m - lag,
//     k(m) = 1 - exp(-R_lagged(m) / rd_scale),
// which lowers the vendor's GPU unit cost and capex per unit by the factor 1 - max_saving * k(m) and
// lets it build supply_per_month * k(m) units of monthly GPU capacity a month with its own chips.
// Pure functions: no SimGrid, no World.
#include <vector>

#include "sim/calendar.hpp"
#include "sim/scenario.hpp"

namespace cm {

// Capability in [0, 1) from lagged cumulative R&D (currency) and the programme's scale (currency).
double chip_capability(double lagged_rd, double rd_scale);

// One programme over the months of a run.
class ChipProgrammeTrack {
 public:
  ChipProgrammeTrack(const ChipProgramme& programme, const Calendar& calendar, int months);
  // Currency paid in `month`: the step in force at the month's start (the latest `from` on or
  // before it; none yet: 0).
  double rd_spend(int month) const;
  // Currency spent at least `lag` months before `month`, with rd_before_start.
  double lagged_rd(int month) const;
  double capability(int month) const;
  // Multiplier of the GPU product's unit cost and capex per unit: 1 - max_saving * capability.
  double cost_factor(int month) const;
  // Units of monthly GPU capacity its own chips can add in `month`: supply_per_month * capability.
  double supply(int month) const;

 private:
  ChipProgramme programme_;
  std::vector<double> spend_;       // per month
  std::vector<double> cumulative_;  // per month: spend of months 0..m
};

// Spare own-chip capacity of each seller shared out to the buyers' orders that an export control
// left unmet: min(total spare, total unmet) units change hands, each buyer getting its share of them
// in proportion to its unmet order and each seller supplying in proportion to its spare capacity.
// Returns units[seller][buyer].
std::vector<std::vector<double>> allocate_chip_sales(const std::vector<double>& spare, const std::vector<double>& unmet);

}  // namespace cm
