#include "agents/chip_programme.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cm {

double chip_capability(double lagged_rd, double rd_scale) {
  if (lagged_rd <= 0 || rd_scale <= 0) return 0.0;
  return -std::expm1(-lagged_rd / rd_scale);
}

ChipProgrammeTrack::ChipProgrammeTrack(const ChipProgramme& programme, const Calendar& calendar, int months)
    : programme_(programme), spend_(std::size_t(std::max(months, 0)), 0.0), cumulative_(spend_.size(), 0.0) {
  double total = 0;
  for (int m = 0; m < months; ++m) {
    const std::int64_t day = days_from_civil(calendar.add_months(m));
    for (const auto& step : programme.rd_spend)
      if (days_from_civil(step.from) <= day) spend_[std::size_t(m)] = step.per_month;
    total += spend_[std::size_t(m)];
    cumulative_[std::size_t(m)] = total;
  }
}

double ChipProgrammeTrack::rd_spend(int month) const {
  return month >= 0 && std::size_t(month) < spend_.size() ? spend_[std::size_t(month)] : 0.0;
}

double ChipProgrammeTrack::lagged_rd(int month) const {
  const int last = std::min(month - programme_.lag.months, int(cumulative_.size()) - 1);
  return programme_.rd_before_start + (last >= 0 ? cumulative_[std::size_t(last)] : 0.0);
}

double ChipProgrammeTrack::capability(int month) const {
  return chip_capability(lagged_rd(month), programme_.rd_scale);
}

double ChipProgrammeTrack::cost_factor(int month) const { return 1.0 - programme_.max_saving * capability(month); }

double ChipProgrammeTrack::supply(int month) const { return programme_.supply_per_month * capability(month); }

std::vector<std::vector<double>> allocate_chip_sales(const std::vector<double>& spare, const std::vector<double>& unmet) {
  std::vector<std::vector<double>> units(spare.size(), std::vector<double>(unmet.size(), 0.0));
  const double supply = std::accumulate(spare.begin(), spare.end(), 0.0);
  const double demand = std::accumulate(unmet.begin(), unmet.end(), 0.0);
  const double traded = std::min(supply, demand);
  if (!(traded > 0)) return units;
  for (std::size_t s = 0; s < spare.size(); ++s)
    for (std::size_t b = 0; b < unmet.size(); ++b) units[s][b] = traded * (spare[s] / supply) * (unmet[b] / demand);
  return units;
}

}  // namespace cm
