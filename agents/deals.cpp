#include "agents/deals.hpp"

#include <algorithm>

namespace cm {

TermSheet offer_terms(const InvestorRef& who, const InvestmentPolicy& policy, AiStrategy strategy,
                      const RoundRequest& request, double budget_left, bool has_other_partner) {
  TermSheet sheet;
  sheet.investor = who;
  if (who.is_vendor && !request.owned_by_investor) {
    if (request.partnered_elsewhere) return sheet;
    if (strategy == AiStrategy::vertical && has_other_partner) return sheet;
  }
  double amount = std::min(request.ask, budget_left);
  if (policy.max_ticket > 0) amount = std::min(amount, policy.max_ticket);
  if (!(amount > 0)) return sheet;
  sheet.offered = true;
  sheet.amount = amount;
  sheet.pre_money = request.pre_money;
  sheet.duration_months = policy.duration.months;
  if (who.is_vendor) {
    sheet.credit_share = policy.credit_share;
    sheet.commitment = policy.commitment * amount;
    sheet.exclusive = policy.exclusive || request.owned_by_investor;
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
