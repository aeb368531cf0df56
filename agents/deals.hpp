#pragma once
// Funding rounds and term sheets: the messages startups and investors exchange through SimGrid
// mailboxes, and the pure rule by which an investor answers a round.
#include <cstddef>
#include <optional>
#include <string>

#include "agents/investor_value.hpp"
#include "sim/scenario.hpp"

namespace cm {

// Who invests: a vendor (index into Scenario::vendors) or an independent fund (Scenario::investors).
struct InvestorRef {
  bool is_vendor = true;
  std::size_t index = 0;
  bool operator==(const InvestorRef&) const = default;
};

struct RoundRequest {
  std::size_t startup = 0;
  double ask = 0;          // currency
  double pre_money = 0;    // currency
  bool owned_by_investor = false;  // the investor owns the startup (an in-house lab)
  bool partnered_elsewhere = false;  // the startup is exclusive with (or owned by) another vendor
  // What investors weigh (agents/investor_value.hpp):
  double growth_per_year = 0;        // expected growth of the startup's revenue, fraction per year
  double runway_after_months = 0;    // months its cash lasts after raising the ask (infinite: no net outflow)
  double monthly_revenue = 0;        // what its model earned on its marketplaces last month, currency
  double last_post_money = 0;        // its last round's post-money; 0 before any round
};

// What a vendor's cloud makes of a deal: the unit cost / list price of its GPU product (what its
// credits cost it, and its margin on committed spend) and its share of model-API revenue on its
// marketplace (what an exclusive model brings it). Empty for funds.
struct InvestorView {
  double unit_cost_share = 0;
  double revenue_share = 0;          // the vendor's share of model-API revenue on its marketplace
};

struct TermSheet {
  InvestorRef investor;
  bool offered = false;    // false: the investor declines
  double amount = 0;       // currency
  double pre_money = 0;    // currency
  double credit_share = 0; // fraction of the amount paid as credits on the investor's cloud
  double commitment = 0;   // currency the startup commits to spend on the investor's cloud
  bool exclusive = false;
  int duration_months = 0;
  double npv = 0;          // the investor's expected value of the deal, currency
  bool down_round = false; // pre_money below the startup's last post-money
  double last_post_money = 0;
};

// Either a round to answer or the startup's decision on a term sheet.
struct InvestorMessage {
  std::optional<RoundRequest> request;
  std::optional<bool> accepted;  // decision on this investor's term sheet to `startup`
  std::size_t startup = 0;
  std::string reply_to;          // startup's mailbox
};

// The term sheet an investor offers, given what it has left to invest. A vendor does not back a
// startup that is exclusive with (or owned by) another vendor; a `vertical` vendor backs one
// flagship partner only (`has_other_partner`: it already has one). An in-house lab is funded by
// its owner, exclusively, without weighing it (the lab is part of the owner). Others offer only
// when the deal's NPV >= 0 (agents/investor_value.hpp), at most the largest amount that keeps it
// so. Independent funds offer cash only and discount at their hurdle rate.
TermSheet offer_terms(const InvestorRef& who, const InvestmentPolicy& policy, AiStrategy strategy,
                      const RoundRequest& request, double budget_left, bool has_other_partner,
                      const InvestorView& view = {});
// The investor's valuation inputs for a request (before sizing).
DealValue deal_value(const InvestorRef& who, const InvestmentPolicy& policy, const RoundRequest& request,
                     const InvestorView& view, bool exclusive);

// How much a term sheet is worth to a startup that trains on `trains_on`: cash counts fully,
// credits at kCreditValue if they buy its compute (the investor is its training cloud, or the deal
// is exclusive and moves it there), else nothing; exclusivity costs kExclusivityCost of the amount.
constexpr double kCreditValue = 0.8;
constexpr double kExclusivityCost = 0.1;
double startup_value(const TermSheet& sheet, std::size_t trains_on);

}  // namespace cm
