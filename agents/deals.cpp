#include "agents/deals.hpp"

#include <algorithm>

#include "agents/investor_value.hpp"
#include "agents/startup_valuation.hpp"

namespace cm {

DealValue deal_value(const InvestorRef& who, const InvestmentPolicy& policy, const RoundRequest& request,
                     const InvestorView& view, bool exclusive) {
  DealValue d;
  d.growth_per_year = request.growth_per_year;
  d.exit_years = policy.exit_years;
  d.failure_probability = failure_probability(policy.failure_hazard, request.runway_after_months, policy.exit_years);
  d.discount_rate = who.is_vendor ? policy.cost_of_capital : policy.hurdle_rate;
  if (who.is_vendor) {
    d.credit_share = policy.credit_share;
    d.commitment = policy.commitment;
    d.unit_cost_share = view.unit_cost_share;
    // An exclusive model's tokens all go through the vendor's marketplace: it keeps its revenue
    // share of them, (rs / (1 - rs)) x what the model earns, over the deal's months.
    if (exclusive && view.revenue_share < 1)
      d.strategic_value = view.revenue_share / (1.0 - view.revenue_share) * request.monthly_revenue *
                          policy.duration.months;
  }
  return d;
}

TermSheet offer_terms(const InvestorRef& who, const InvestmentPolicy& policy, AiStrategy strategy,
                      const RoundRequest& request, double budget_left, bool has_other_partner,
                      const InvestorView& view) {
  TermSheet sheet;
  sheet.investor = who;
  if (who.is_vendor && !request.owned_by_investor) {
    if (request.partnered_elsewhere) return sheet;
    if (strategy == AiStrategy::vertical && has_other_partner) return sheet;
  }
  double amount = std::min(request.ask, budget_left);
  if (policy.max_ticket > 0) amount = std::min(amount, policy.max_ticket);
  if (!(amount > 0)) return sheet;
  const bool exclusive = who.is_vendor && (policy.exclusive || request.owned_by_investor);
  const DealValue value = deal_value(who, policy, request, view, exclusive);
  if (!request.owned_by_investor) {
    // Only a deal worth its cost of capital (or hurdle): the largest amount that keeps NPV >= 0.
    amount = largest_worthwhile_amount(value, amount);
    if (!(amount > 0) || amount < 1e-3 * request.ask) return sheet;  // a crumb of the ask: no deal
  }
  sheet.npv = deal_npv(value, amount);
  sheet.offered = true;
  sheet.amount = amount;
  sheet.pre_money = request.pre_money;
  sheet.last_post_money = request.last_post_money;
  sheet.down_round = is_down_round(request.pre_money, request.last_post_money);
  sheet.duration_months = policy.duration.months;
  if (who.is_vendor) {
    sheet.credit_share = policy.credit_share;
    sheet.commitment = policy.commitment * amount;
    sheet.exclusive = exclusive;
  }
  return sheet;
}

double startup_value(const TermSheet& sheet, std::size_t trains_on) {
  if (!sheet.offered) return 0;
  const double credits = sheet.amount * sheet.credit_share;
  const bool usable = sheet.investor.is_vendor && (sheet.investor.index == trains_on || sheet.exclusive);
  return (sheet.amount - credits) + (usable ? kCreditValue * credits : 0.0) -
         (sheet.exclusive ? kExclusivityCost * sheet.amount : 0);
}

}  // namespace cm
