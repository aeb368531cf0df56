#pragma once
// The AI-model startups' economics, without SimGrid: quality from training compute, compute bills
// paid with credits then cash, marketplace payouts, burn, failure, deals and investors' stakes.
// Startup actors (training runs, funding rounds) and the market clerk drive it.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agents/deals.hpp"
#include "agents/grid.hpp"
#include "sim/scenario.hpp"

namespace cm {

struct Deal {
  double seconds = 0;
  std::size_t startup = 0;
  TermSheet terms;
  double post_money() const { return terms.pre_money + terms.amount; }
};

struct StartupFailure {
  std::size_t startup = 0;
  double cash = 0;
  double written_off = 0;  // value of investors' stakes written off
};

// What startups paid vendors for compute in a month.
struct ComputeBill {
  std::vector<double> gpu_hours;   // per vendor
  std::vector<double> revenue;     // per vendor, currency (credits + cash)
  std::vector<double> cash;        // per vendor, the part paid in cash
  std::vector<double> roundtrip;   // per vendor, paid with credits or under a spend commitment
  std::vector<double> spend;       // per startup, currency
};

// What marketplaces paid startups for their models in a month (agents/model_api_market.hpp).
struct ModelPayouts {
  std::vector<double> paid;        // per vendor, currency paid out to startups
  std::vector<double> serving;     // per vendor, inference compute charged to owners that price their APIs
  std::vector<double> revenue;     // per startup, currency
  std::vector<double> serving_cost;  // per startup, currency paid to hosts for inference compute
  std::vector<std::vector<double>> tokens;  // [startup][vendor], million tokens served
  Grid buyers_extra;               // vendor x product: what buyers paid above the list price (API prices)
  // per startup: what its tokens earned at its marketplaces, as a closed model's payout would be
  // (for open-weight models: what they would be paid), currency; what training and valuation weigh
  std::vector<double> earning;
  std::vector<double> token_share;   // per startup: its share of all model tokens sold (every marketplace)
};

// A change of a startup's API price (effective at the next month start, like list prices).
struct ApiPriceChange {
  double announced_seconds = 0;
  double effective_seconds = 0;
  std::size_t startup = 0;
  double old_price = 0;
  double new_price = 0;
  std::string reason;  // the pricing rule that made it
};

// FLOP a startup's training ran in a month, on a vendor's hosts.
struct ComputeUse {
  std::size_t startup = 0;
  std::size_t vendor = 0;
  double flops = 0;
};

// Model quality from cumulative training compute: log-linear scaling.
double model_quality(double cumulative_flops, double quality_per_decade);

class StartupSector {
 public:
  explicit StartupSector(const Scenario& scenario);

  std::size_t size() const { return state_.size(); }
  bool alive(std::size_t i) const { return state_[i].alive; }
  double cash(std::size_t i) const { return state_[i].cash; }
  double quality(std::size_t i) const { return state_[i].quality; }
  double cumulative_flops(std::size_t i) const { return state_[i].cumulative_flops; }
  double credits(std::size_t i, std::size_t vendor) const { return state_[i].credits[vendor]; }
  std::size_t trains_on(std::size_t i) const { return state_[i].trains_on; }
  // The vendor a startup is exclusive with or owned by, if any.
  std::optional<std::size_t> partner(std::size_t i) const;
  // Its live commitments on vendor v at `month`: currency still to spend, months until the earliest ends.
  std::pair<double, double> commitment_left(std::size_t i, std::size_t vendor, int month) const;
  // What its model earned in each closed month (ModelPayouts::earning) and its last token share.
  const std::vector<double>& earning_by_month(std::size_t i) const { return state_[i].earning_by_month; }
  double token_share(std::size_t i) const { return state_[i].token_share; }
  double last_post_money(std::size_t i) const { return state_[i].post_money; }
  double monthly_spend(std::size_t i) const { return state_[i].monthly_spend; }
  // Months its cash lasts at last month's spending: credits pay compute only, never the burn.
  double runway_months(std::size_t i) const;
  // Its burn_per_month in force in `month` (a dated parameter).
  double burn(std::size_t i, int month) const;

  // Marketplaces: does vendor v host startup i's model now?
  bool hosts(std::size_t vendor, std::size_t i, AiStrategy strategy) const;
  // For the choice model: models hosted, best hosted quality, best partner quality.
  struct Ecosystem {
    int models = 0;
    double best_quality = 0;
    double partner_quality = 0;
  };
  Ecosystem ecosystem(std::size_t vendor, AiStrategy strategy) const;

  void complete_run(std::size_t i, double flops);  // a training run finished
  ComputeBill bill_compute(const std::vector<ComputeUse>& use, const std::vector<double>& gpu_price, int month);
  // How a month's model tokens split over the models each marketplace lists, and who pays whom;
  // moves no money (settle_models does), so the buyers' payments can be billed first.
  ModelPayouts split_models(const Grid& revenue, const Grid& quantity, const std::vector<std::size_t>& model_products,
                            const std::vector<double>& gpu_price, double seconds) const;
  void settle_models(const ModelPayouts& payouts);

  // API prices: a startup's own price in force at `seconds` (none: it charges its hosts' list
  // prices), the last one announced, and announcing a new one effective at `effective_seconds`.
  std::optional<double> api_price_at(std::size_t i, double seconds) const;
  std::optional<double> latest_api_price(std::size_t i) const;
  void announce_api_price(std::size_t i, double seconds, double effective_seconds, double price, const std::string& reason);
  std::vector<ApiPriceChange> take_api_price_changes();
  // Cumulative API profit (payouts - serving cost) so far, for q_learning.
  // API profit (payouts less serving cost) of each closed month: what q_learning credits.
  const std::vector<double>& api_profit_by_month(std::size_t i) const { return state_[i].api_profit_by_month; }
  std::vector<StartupFailure> burn_and_fail(int month);

  void apply_deal(const Deal& deal, int month);
  // Pre-money valuation now (agents/startup_valuation.hpp): multiple x expected annual revenue.
  double pre_money(std::size_t i) const { return state_[i].valuation; }
  // At a month's close: revalue from the mean earnings of the last kValuationWindowMonths months and
  // the market's expected growth; the first full window with earnings fixes its multiple from the
  // opening valuation.
  static constexpr std::size_t kValuationWindowMonths = 3;
  void revalue(std::size_t i, double growth_per_year);
  // Value of an investor's stakes at the last post-money valuations of live startups.
  double stake_value(const InvestorRef& investor) const;
  bool has_partner_other_than(std::size_t vendor, std::size_t startup) const;

 private:
  struct Commitment {
    std::size_t vendor;
    double remaining;   // currency still to spend
    int until_month;    // exclusive
  };
  struct Stake {
    InvestorRef investor;
    double share;       // fraction of the startup
  };
  struct State {
    double cash = 0;
    double quality = 0;
    double cumulative_flops = 0;
    bool alive = true;
    std::size_t trains_on = 0;
    std::optional<std::size_t> exclusive_with;
    std::vector<double> credits;  // per vendor
    std::vector<Commitment> commitments;
    std::vector<Stake> stakes;
    double post_money = 0;        // last round's; 0 before any round
    double revenue_multiple = 0;  // valuation / expected annual revenue; 0 until its model earns
    double valuation = 0;         // pre-money now
    double token_share = 0;
    std::vector<double> earning_by_month;
    double monthly_spend = 0;     // burn + last month's compute, for the runway
    double burn = 0;              // burn_per_month in force last month (dated), for the runway
    std::vector<std::pair<double, double>> api_prices;  // (effective seconds, price), by time
    std::vector<double> api_profit_by_month;  // API revenue less serving cost, one entry per closed month
  };
  std::vector<ApiPriceChange> pending_api_changes_;
  const Scenario& scenario_;
  std::vector<State> state_;
};

}  // namespace cm
