#pragma once
// Pricing strategies (docs/model.md): what a vendor's list price for one product should be at a
// review. Pure: a strategy sees only the PricingView it is given and its own state, so it can be
// tested against theory without SimGrid. The vendor actor builds the view (rivals' prices as seen
// after the reaction delay, own cost, a profit oracle under the model's demand) and announces
// whatever price the strategy returns.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/rng.hpp"
#include "sim/scenario.hpp"

namespace cm {

struct PricingView {
  int review = 0;                  // 0, 1, 2, ... : this strategy's review count
  double now_seconds = 0;          // SimGrid clock
  Date today;                      // calendar date of now
  double own_price = 0;            // own latest announced list price
  double unit_cost = 0;            // own unit cost now
  double initial_price = 0;        // own list price at the start
  double initial_unit_cost = 0;    // own unit cost at the start
  std::vector<double> rival_prices;  // active rivals' list prices as seen (reaction delay applied)
  // Own expected profit per month (currency) if the own price were `price`, rivals' prices held
  // as seen, under the model's demand. Present for best_response.
  std::function<double(double price)> profit_at;
  // Own discounted gross profit (currency) over the strategy's horizon if the own price were
  // `price` from the next month on (customer_value.hpp). Present for dynamic_best_response.
  std::function<double(double price)> discounted_profit_at;
  // Own realised gross profit on this product in each closed month (currency; index = month).
  // For q_learning, which credits an action with the months its price was in force.
  std::vector<double> profit_by_month;
  // The month at whose start a price announced now takes effect (agents/price_book.hpp).
  int effective_month = 0;
};

// What a q_learning strategy has learnt, for the output: its greedy price level in every state
// it has seen (states in lexicographic order: own level, then each rival's).
struct LearntPolicy {
  int reviews = 0;   // reviews made
  int credited = 0;  // actions credited with the profit of the months their price was in force
  std::vector<std::vector<int>> states;
  std::vector<int> greedy_level;      // index on the grid, 0 = min_markup
  std::vector<double> greedy_markup;  // min_markup + level * step
};

class PricingStrategy {
 public:
  virtual ~PricingStrategy() = default;
  // The new list price, or nothing to keep the current one.
  virtual std::optional<double> review(const PricingView& view) = 0;
  // A price_change event set the own price to `price` (docs/model.md, "Events that persist").
  // True: the strategy took it as its new level and keeps reviewing from it (cost_plus re-bases
  // its markup; scheduled steps are relative to the current price anyway). False: its rule cannot
  // take a level, so the caller keeps the event's price, skipping its reviews, until resume().
  virtual bool take_level(double price, const PricingView& view) {
    (void)price, (void)view;
    return false;
  }
  // The event's hold ended: back to the strategy's own rule.
  virtual void resume() {}
  // q_learning only.
  virtual std::optional<LearntPolicy> learnt_policy() const { return std::nullopt; }
};

// `stream` gives the strategy's own random draws (q_learning exploration), addressed by review.
std::unique_ptr<PricingStrategy> make_pricing_strategy(const Pricing& pricing, RandomStream stream);

// The searching strategies' answer (best_response on profit_at, dynamic_best_response on
// discounted_profit_at): the price that maximises `objective` between the floor unit_cost *
// (1 + min_margin) and a generous ceiling, or nothing when it does not beat the current price.
std::optional<double> best_price(const std::function<double(double)>& objective, const PricingView& view,
                                 double min_margin);

// The price in [lo, hi] that maximises profit(price) (golden-section search on a log scale,
// refined; profit under logit demand is single-peaked in own price). Exposed for tests.
double maximise_profit(const std::function<double(double)>& profit, double lo, double hi);

}  // namespace cm
