#pragma once
// A cloud vendor's pricing of one product: an S4U actor that walks its pricing timeline
// (agents/pricing_timeline.hpp): it switches strategy on each regime's date (a fresh strategy, with
// its own random stream), applies its price_change events and holds their prices, and reviews the
// list price at the cadence of the regime in force (or, for `scheduled`, on the dates of its
// schedule). Changes go through the price book and take effect at the next month start. It sees
// rivals' prices as they were `reaction_delay` ago.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/pricing_strategy.hpp"
#include "agents/pricing_timeline.hpp"
#include "agents/world.hpp"

namespace cm {

class VendorActor {
 public:
  VendorActor(World& world, std::size_t vendor, std::size_t product);
  void operator()();
  // Whether this vendor's product needs an actor: a strategy that reviews, a later regime or an event.
  static bool needed(const Scenario& scenario, std::size_t vendor, std::size_t product);

 private:
  void start_regime(std::size_t regime);
  void apply_event(double now, std::size_t event);
  void review(double now, const std::string& reason, bool always_record);
  // What the strategy sees now; `outlook` adds what only a review uses (the profit objective of the
  // searching strategies, the profit history), which an event's take_level does not need.
  PricingView view_at(double now, bool outlook = true) const;

  World& world_;
  std::size_t vendor_, product_;
  std::vector<PricingRegime> regimes_;
  std::size_t regime_ = 0;
  std::shared_ptr<PricingStrategy> strategy_;  // shared: SimGrid copies the actor's callable
  int reviews_ = 0;                            // of the current regime's strategy
  struct Hold {
    std::size_t event;
    bool strategy_took_level;  // false: reviews are skipped while it holds
  };
  std::optional<Hold> hold_;
};

}  // namespace cm
