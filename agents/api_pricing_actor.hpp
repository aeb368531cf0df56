#pragma once
// A model startup's pricing of its API: an S4U actor that reviews the price at its strategy's
// cadence (or, for `scheduled`, on the dates of its schedule) with the same strategies as vendors
// (agents/pricing_strategy.hpp). Its view: own API price, the cost of serving a million tokens
// (inference compute at its training vendor's GPU price), the prices of the models it shares a
// marketplace with as they were `reaction_delay` ago, and a profit oracle under the model choice
// of agents/model_api_market.hpp. A change takes effect at the next month start.
#include <cstddef>
#include <memory>
#include <vector>

#include "agents/pricing_strategy.hpp"
#include "agents/world.hpp"

namespace cm {

class ApiPricingActor {
 public:
  ApiPricingActor(World& world, std::size_t startup);
  void operator()();

 private:
  void review(double now);

  World& world_;
  std::size_t startup_;
  std::shared_ptr<PricingStrategy> strategy_;  // shared: SimGrid copies the actor's callable
  int reviews_ = 0;
};

}  // namespace cm
