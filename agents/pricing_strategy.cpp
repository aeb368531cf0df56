// Pricing strategies: one small class per PricingRule (see pricing_strategy.hpp for the contract).
#include "agents/pricing_strategy.hpp"

#include "agents/dynamic_best_response.hpp"
#include "agents/q_learner.hpp"
#include "agents/reward_ledger.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

namespace cm {

namespace {

// Prices that differ only by rounding noise are "no change": announcing them would churn the
// price book (and the output) for nothing.
bool same_price(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b)); }

std::optional<double> changed_to(double price, double own_price) {
  if (!std::isfinite(price) || same_price(price, own_price)) return std::nullopt;
  return price;
}

// The lowest price match_lowest, undercut and best_response may set.
double price_floor(double min_margin, const PricingView& view) { return view.unit_cost * (1.0 + min_margin); }

double lowest(const std::vector<double>& prices) { return *std::min_element(prices.begin(), prices.end()); }

}  // namespace

std::optional<double> best_price(const std::function<double(double)>& objective, const PricingView& view,
                                 double min_margin) {
  double reference = view.own_price;
  for (double p : view.rival_prices) reference = std::max(reference, p);
  double lo = price_floor(min_margin, view);
  // A zero (or negative-margin) cost gives no positive floor for a log-scale search; any price
  // far below the market's is as good a floor, since profit there is nearly zero.
  if (!(lo > 0)) lo = 1e-6 * reference;
  if (!(lo > 0)) return std::nullopt;  // no cost and no price: nothing to scale a search by
  // Generous: logit markups are a few times 1/alpha, and scarcity rationing a tight capacity
  // stays far below 20 x cost or 5 x the market price.
  const double hi = std::max({20.0 * view.unit_cost, 5.0 * reference, 4.0 * lo});
  const double best = maximise_profit(objective, lo, hi);
  // Keep a feasible price that the best one does not beat: a flat profit (no demand at all)
  // must not drag the price to the floor.
  if (view.own_price >= lo && view.own_price <= hi && !(objective(best) > objective(view.own_price)))
    return std::nullopt;
  return changed_to(best, view.own_price);
}

namespace {

// ---------------------------------------------------------------------------------------------

class FixedPricing final : public PricingStrategy {
 public:
  std::optional<double> review(const PricingView&) override { return std::nullopt; }
  bool take_level(double, const PricingView&) override { return true; }  // it keeps whatever price it has
};

class CostPlusPricing final : public PricingStrategy {
 public:
  explicit CostPlusPricing(std::optional<double> markup) : markup_(markup) {}

  std::optional<double> review(const PricingView& view) override {
    if (event_markup_) return changed_to(view.unit_cost * (1.0 + *event_markup_), view.own_price);
    if (markup_) return changed_to(view.unit_cost * (1.0 + *markup_), view.own_price);
    // Keep the initial markup: scale the initial price with the cost. Written as a cost ratio so
    // an unchanged cost gives back exactly the initial price.
    if (view.initial_unit_cost <= 0) return std::nullopt;  // no markup to keep
    return changed_to(view.initial_price * (view.unit_cost / view.initial_unit_cost), view.own_price);
  }

  // Re-base: the event's price over the current unit cost is the markup kept until resume().
  bool take_level(double price, const PricingView& view) override {
    if (!(view.unit_cost > 0)) return false;  // no markup to re-base: keep the price as it is
    event_markup_ = price / view.unit_cost - 1.0;
    return true;
  }
  void resume() override { event_markup_.reset(); }

 private:
  std::optional<double> markup_;
  std::optional<double> event_markup_;  // set by a price_change event while it holds
};

class MatchLowestPricing final : public PricingStrategy {
 public:
  explicit MatchLowestPricing(double min_margin) : min_margin_(min_margin) {}

  std::optional<double> review(const PricingView& view) override {
    if (view.rival_prices.empty()) return std::nullopt;  // nobody to match
    return changed_to(std::max(lowest(view.rival_prices), price_floor(min_margin_, view)), view.own_price);
  }

 private:
  double min_margin_;
};

class UndercutPricing final : public PricingStrategy {
 public:
  UndercutPricing(double undercut, double min_margin) : undercut_(undercut), min_margin_(min_margin) {}

  std::optional<double> review(const PricingView& view) override {
    if (view.rival_prices.empty()) return std::nullopt;  // nobody to undercut
    const double target = lowest(view.rival_prices) * (1.0 - undercut_);
    return changed_to(std::max(target, price_floor(min_margin_, view)), view.own_price);
  }

 private:
  double undercut_;
  double min_margin_;
};

// The profit-maximising price against rivals' prices as seen. Iterated by every vendor, this is
// the best-response dynamic whose fixed point is the Bertrand–Nash equilibrium.
class BestResponsePricing final : public PricingStrategy {
 public:
  explicit BestResponsePricing(double min_margin) : min_margin_(min_margin) {}

  std::optional<double> review(const PricingView& view) override {
    if (!view.profit_at) return std::nullopt;  // no demand model to respond to
    return best_price(view.profit_at, view, min_margin_);
  }

 private:
  double min_margin_;
};

LearningRule rule_of(const QLearning& q) {
  LearningRule rule;
  rule.learning_rate = q.learning_rate;
  rule.discount = q.discount;
  rule.exploration_decay = q.exploration_decay;  // epsilon = exp(-beta review)
  return rule;
}

// Tabular Q-learning (Calvano et al. 2020, AER; the algorithm is agents/q_learner.hpp): actions are points of a price grid, the state is
// every vendor's latest price mapped onto the same grid.
//
// Credit: an action's reward is the mean monthly profit of the months its price was in force
// (agents/reward_ledger.hpp), learnt once they have all closed; the next state is the one its
// successor was chosen in.
//
// Reward scaling: the reward is that profit divided by a scale fixed at the first nonzero profit's
// magnitude (so the first nonzero reward is +-1), which keeps Q values
// of order 1/(1 - discount) in any currency and market size. Q values start at 0; from there,
// Q-learning is equivariant to a positive reward scale anyway, so the scale changes no decision.
class QLearningPricing final : public PricingStrategy {
 public:
  QLearningPricing(const QLearning& params, RandomStream stream)
      : params_(params), stream_(stream), learner_(rule_of(params), params.levels) {}

  std::optional<double> review(const PricingView& view) override {
    // The grid is unit_cost * (1 + markup): with no positive cost it collapses to one point and
    // there is nothing to learn. Keep the price and forget the last action, so that no reward is
    // credited to a state the strategy did not see.
    if (!(view.unit_cost > 0)) {
      ledger_.record(view.effective_month, std::nullopt);
      return std::nullopt;
    }
    reviews_ = std::max(reviews_, view.review + 1);
    for (const auto& credit : ledger_.settle(view.profit_by_month)) learn(credit);
    // One price a month can take effect (the last announced): act once a month, at its first
    // review, so that every action is in force and credited; later reviews keep its price.
    if (acted_for_ == view.effective_month) return std::nullopt;
    acted_for_ = view.effective_month;
    const State state = observe(view);
    const int action = choose(view.review, state);
    ledger_.record(view.effective_month, Step{state, action});
    return changed_to(grid_price(view.unit_cost, action), view.own_price);
  }

  // An event's price is not an action of the learner: it ends the window of the action before it.
  bool take_level(double, const PricingView& view) override {
    ledger_.record(view.effective_month, std::nullopt);
    acted_for_ = view.effective_month;
    return false;
  }

  std::optional<LearntPolicy> learnt_policy() const override {
    LearntPolicy policy;
    policy.reviews = reviews_;
    policy.credited = credited_;
    for (const auto& [state, row] : rows_) {
      const int level = learner_.greedy(row);
      policy.states.push_back(state);
      policy.greedy_level.push_back(level);
      policy.greedy_markup.push_back(params_.min_markup + level * markup_step());
    }
    return policy;
  }

 private:
  using State = std::vector<int>;  // grid index of own price, then of each rival's price
  struct Step {
    State state;
    int action = 0;
  };

  double markup_step() const {
    return params_.levels > 1 ? (params_.max_markup - params_.min_markup) / (params_.levels - 1) : 0.0;
  }
  double grid_price(double unit_cost, int index) const {
    return unit_cost * (1.0 + params_.min_markup + index * markup_step());
  }
  // The nearest grid point to a price, under the current cost's grid.
  int nearest_index(double price, double unit_cost) const {
    const double step = markup_step();
    if (!(step > 0)) return 0;
    const double x = (price / unit_cost - 1.0 - params_.min_markup) / step;
    if (!(x > 0)) return 0;  // also NaN
    return int(std::min<double>(std::lround(std::min(x, 1e9)), params_.levels - 1));
  }

  State observe(const PricingView& view) const {
    State s;
    s.reserve(1 + view.rival_prices.size());
    s.push_back(nearest_index(view.own_price, view.unit_cost));
    for (double p : view.rival_prices) s.push_back(nearest_index(p, view.unit_cost));
    return s;
  }

  // The learner's row of a state, added (at zero) when first seen.
  int row(const State& s) {
    auto it = rows_.find(s);
    if (it == rows_.end()) it = rows_.emplace(s, learner_.add_row(std::vector<double>(params_.levels, 0.0))).first;
    return it->second;
  }

  double scaled_reward(double profit) {
    if (scale_ == 0 && profit != 0 && std::isfinite(profit)) scale_ = std::abs(profit);
    return scale_ > 0 ? profit / scale_ : 0.0;
  }

  // Q(s, a) += alpha (r + delta max_a' Q(s', a') - Q(s, a)), s' the state its successor was chosen in.
  void learn(const RewardLedger<Step>::Credit& credit) {
    const int next = row(credit.successor.state);
    learner_.learn(row(credit.action.state), credit.action.action, scaled_reward(credit.reward), next);
    ++credited_;
  }

  // Epsilon-greedy with epsilon = exp(-beta k). Draws are addressed by the review number, so the
  // path depends only on the stream and the views, never on how often the strategy was called.
  int choose(int review, const State& state) {
    const auto k = std::uint64_t(std::max(review, 0));
    return learner_.choose(double(k), row(state), stream_.uniform(k, 0), stream_.uniform(k, 1));
  }

  QLearning params_;
  RandomStream stream_;
  QLearner learner_;
  std::map<State, int> rows_;  // sparse: the learner's row of each state seen
  RewardLedger<Step> ledger_;
  double scale_ = 0;
  int reviews_ = 0, credited_ = 0;
  std::optional<int> acted_for_;  // effective month of the last action (or event)
};

// A dated price path (e.g. a known price cut). Each step is applied once, at the first review on or
// after its date; steps due together are applied in the order written.
class ScheduledPricing final : public PricingStrategy {
 public:
  explicit ScheduledPricing(std::vector<ScheduledPrice> schedule)
      : schedule_(std::move(schedule)), applied_(schedule_.size(), false) {}

  // Its steps are relative to the current price (or absolute): the event's price is that price.
  bool take_level(double, const PricingView&) override { return true; }

  std::optional<double> review(const PricingView& view) override {
    const std::int64_t today = days_from_civil(view.today);
    std::optional<double> price;
    for (std::size_t i = 0; i < schedule_.size(); ++i) {
      if (applied_[i] || days_from_civil(schedule_[i].at) > today) continue;
      price = apply(schedule_[i], price.value_or(view.own_price));
      applied_[i] = true;
    }
    return price;
  }

 private:
  // An absolute price, then a relative change, if a step (unusually) gives both.
  static double apply(const ScheduledPrice& step, double price) {
    if (step.price) price = *step.price;
    if (step.change) price *= 1.0 + *step.change;
    return price;
  }

  std::vector<ScheduledPrice> schedule_;
  std::vector<bool> applied_;
};

// ---------------------------------------------------------------------------------------------
// maximise_profit helpers: work on x = log(price), so a bracket's width is a relative precision.

struct Probe {
  double x = 0;      // log price
  double price = 0;  // exp(x), as evaluated
  double f = -std::numeric_limits<double>::infinity();
};

class LogProfit {
 public:
  explicit LogProfit(const std::function<double(double)>& profit) : profit_(profit) {}
  // Evaluates at exp(x), remembering the best point seen (NaN counts as worst).
  Probe operator()(double x) {
    const double price = std::exp(x);
    const double f = profit_(price);
    const Probe p{x, price, std::isnan(f) ? -std::numeric_limits<double>::infinity() : f};
    if (p.f > best_.f) best_ = p;
    return p;
  }
  const Probe& best() const { return best_; }

 private:
  const std::function<double(double)>& profit_;
  Probe best_;
};

// A coarse scan of an evenly spaced grid on [a, b] (about 5% apart in price): the first maximum's
// neighbours bracket the peak of any single-peaked profit, however narrow.
std::pair<double, double> bracket_peak(LogProfit& f, double a, double b) {
  const int n = std::clamp(int(std::ceil((b - a) / 0.05)) + 1, 16, 256);
  const double h = (b - a) / (n - 1);
  int best = 0;
  double best_f = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < n; ++i) {
    const double fi = f(a + i * h).f;
    if (fi > best_f) best_f = fi, best = i;
  }
  return {a + std::max(best - 1, 0) * h, a + std::min(best + 1, n - 1) * h};
}

// Golden-section search on [a, b] down to a relative price precision of ~1e-10 (beyond ~1e-8 the
// profit's rounding noise decides; the best probe is returned, so the noise cannot hurt).
void golden_section(LogProfit& f, double a, double b) {
  constexpr double kInvPhi = 0.6180339887498949;
  Probe c = f(b - kInvPhi * (b - a)), d = f(a + kInvPhi * (b - a));
  for (int it = 0; it < 200 && b - a > 1e-10; ++it) {
    if (c.f >= d.f) {  // peak in [a, d]
      b = d.x;
      d = c;
      c = f(b - kInvPhi * (b - a));
    } else {  // peak in [c, b]
      a = c.x;
      c = d;
      d = f(a + kInvPhi * (b - a));
    }
  }
}

}  // namespace

double maximise_profit(const std::function<double(double)>& profit, double lo, double hi) {
  if (!(hi > 0)) throw std::invalid_argument("maximise_profit: hi must be positive");
  lo = lo > 0 ? lo : hi * 1e-12;  // a log-scale search needs a positive lower end
  if (!(hi > lo)) return hi;
  LogProfit f(profit);
  const auto [a, b] = bracket_peak(f, std::log(lo), std::log(hi));
  golden_section(f, a, b);
  return std::clamp(f.best().price, lo, hi);
}

std::unique_ptr<PricingStrategy> make_pricing_strategy(const Pricing& pricing, RandomStream stream) {
  switch (pricing.strategy) {
    case PricingRule::fixed: return std::make_unique<FixedPricing>();
    case PricingRule::cost_plus: return std::make_unique<CostPlusPricing>(pricing.markup);
    case PricingRule::match_lowest: return std::make_unique<MatchLowestPricing>(pricing.min_margin);
    case PricingRule::undercut: return std::make_unique<UndercutPricing>(pricing.undercut, pricing.min_margin);
    case PricingRule::best_response: return std::make_unique<BestResponsePricing>(pricing.min_margin);
    case PricingRule::dynamic_best_response: return std::make_unique<DynamicBestResponsePricing>(pricing.min_margin);
    case PricingRule::q_learning: return std::make_unique<QLearningPricing>(pricing.q_learning, stream);
    case PricingRule::scheduled: return std::make_unique<ScheduledPricing>(pricing.schedule);
  }
  throw std::invalid_argument("make_pricing_strategy: unknown pricing rule");
}

}  // namespace cm
