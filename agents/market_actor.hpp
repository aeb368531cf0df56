#pragma once
// The market clerk: an S4U actor that, at each month start, bills the month that ended, publishes
// its report, then lets the firms whose contracts end re-choose. Billing before renewal at the
// same instant is this actor's own order, not SimGrid's.
#include "agents/run_observer.hpp"
#include "agents/world.hpp"

namespace cm {

class MarketActor {
 public:
  MarketActor(World& world, RunObserver& observer) : world_(world), observer_(observer) {}
  void operator()();

 private:
  World& world_;
  RunObserver& observer_;
};

}  // namespace cm
