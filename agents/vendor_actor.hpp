#pragma once
// A cloud vendor's pricing of one product: an S4U actor that reviews the list price at its
// strategy's cadence (or, for `scheduled`, on the dates of its schedule) and announces changes
// through the price book; they take effect at the next month start. It sees rivals' prices as
// they were `reaction_delay` ago.
#include <cstddef>
#include <memory>

#include "agents/pricing_strategy.hpp"
#include "agents/world.hpp"

namespace cm {

class VendorActor {
 public:
  VendorActor(World& world, std::size_t vendor, std::size_t product);
  void operator()();

 private:
  void review(double now);
  std::vector<double> review_times() const;

  World& world_;
  std::size_t vendor_, product_;
  std::shared_ptr<PricingStrategy> strategy_;  // shared: SimGrid copies the actor's callable
  int reviews_ = 0;
  double profit_mark_ = 0;
};

}  // namespace cm
