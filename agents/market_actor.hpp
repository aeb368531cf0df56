#pragma once
// The market clerk: an S4U actor that, at each month start, bills the month that ended (and rations
// the month's inference on each vendor's fleet), publishes its report, then lets the firms whose
// contracts end re-choose. Billing before renewal at the
// same instant is this actor's own order, not SimGrid's.
#include "agents/run_observer.hpp"
#include "agents/training_board.hpp"
#include "agents/world.hpp"
#include "sim/platform.hpp"

namespace cm {

class MarketActor {
 public:
  MarketActor(World& world, const Platform& platform, TrainingBoard& board, RunObserver& observer)
      : world_(world), platform_(platform), board_(board), observer_(observer) {}
  void operator()();

 private:
  // At a month start, steps each vendor's hosts to the speed its compute capacity now supports;
  // returns their FLOP/s per vendor.
  std::vector<double> follow_capacity();
  World& world_;
  const Platform& platform_;
  TrainingBoard& board_;
  RunObserver& observer_;
};

}  // namespace cm
