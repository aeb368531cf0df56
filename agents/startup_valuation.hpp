#pragma once
// What a model startup is worth to the market (docs/model.md "Funding rounds and deals"): a
// multiple of its expected API revenue over the next year. The multiple is implied by the
// scenario's opening `valuation` at the first month its model earns, so the input anchors the
// level and later valuations follow revenue: its quality against its rivals on its marketplaces,
// and the model market's size and growth. Pure functions.

namespace cm {

// Revenue over `months` months from `monthly_revenue` now, growing at `growth_per_year`
// (fraction): sum over m = 1..months of R (1 + g)^(m / 12). Currency.
double expected_revenue(double monthly_revenue, double growth_per_year, double months);

// The annualised growth between two windows of equal length w months (their sums): (later /
// earlier)^(12 / w) - 1, clamped to [-0.9, 2]; 0 when either window is empty.
double annual_growth(double earlier, double later, double window_months);

// The multiple implied by a valuation and the expected revenue of the next 12 months (0: none).
double revenue_multiple(double valuation, double expected_annual_revenue);

// A round's pre-money valuation: multiple x expected annual revenue; before a multiple is known
// (its model has not earned yet), the opening valuation.
double pre_money_valuation(double multiple, double expected_annual_revenue, double opening_valuation);

// A down round: the new round's pre-money is below the last round's post-money.
inline bool is_down_round(double pre_money, double last_post_money) {
  return last_post_money > 0 && pre_money < last_post_money;
}

}  // namespace cm
