#include "agents/startup_valuation.hpp"

#include <algorithm>
#include <cmath>

namespace cm {

double expected_revenue(double monthly_revenue, double growth_per_year, double months) {
  if (!(monthly_revenue > 0) || !(months > 0)) return 0;
  const double step = std::pow(1.0 + growth_per_year, 1.0 / 12.0);
  // Whole months, then the fraction of the last one.
  double sum = 0, factor = 1;
  const int whole = int(std::floor(months));
  for (int m = 1; m <= whole; ++m) sum += (factor *= step);
  const double rest = months - whole;
  if (rest > 0) sum += rest * factor * step;
  return monthly_revenue * sum;
}

double annual_growth(double earlier, double later, double window_months) {
  if (!(earlier > 0) || !(later > 0) || !(window_months > 0)) return 0;
  return std::clamp(std::pow(later / earlier, 12.0 / window_months) - 1.0, -0.9, 2.0);
}

double revenue_multiple(double valuation, double expected_annual_revenue) {
  return expected_annual_revenue > 0 ? valuation / expected_annual_revenue : 0.0;
}

double pre_money_valuation(double multiple, double expected_annual_revenue, double opening_valuation) {
  return multiple > 0 ? multiple * expected_annual_revenue : opening_valuation;
}

}  // namespace cm
