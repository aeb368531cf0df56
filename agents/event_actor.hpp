#pragma once
// Scheduled events that act at a date: `price_change` events announce a vendor's new list price
// (effective the next month start, like any announcement). Budget shocks need no actor: the
// market reads them by date when it bills.
#include "agents/world.hpp"

namespace cm {

class EventActor {
 public:
  explicit EventActor(World& world) : world_(world) {}
  void operator()();

 private:
  World& world_;
};

}  // namespace cm
